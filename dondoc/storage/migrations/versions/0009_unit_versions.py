"""per-unit data versions: a counter per unit raised in the same transaction as every write to its data

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'unit_versions',
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_versions_unit_id_units'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_unit_versions')),
    )
    op.execute("INSERT INTO unit_versions (unit_id, version, changed_at) SELECT id, 0, CURRENT_TIMESTAMP FROM units")


def downgrade() -> None:
    op.drop_table('unit_versions')
