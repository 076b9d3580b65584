"""the morning's sweep: the first item run of a morning sends every item's messages set-based, once

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sweeps',
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('holder', sa.String(length=100), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('counts', sa.JSON(none_as_null=True), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_sweeps')),
    )


def downgrade() -> None:
    op.drop_table('sweeps')
