"""chasing: acknowledgements and the chasing ledger

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('acknowledgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurrence_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('acknowledged_by', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrences.id'], name=op.f('fk_acknowledgements_occurrence_id_occurrences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acknowledgements'))
    )
    with op.batch_alter_table('acknowledgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acknowledgements_occurrence_id'), ['occurrence_id'], unique=False)

    op.create_table('chase_ledger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('purpose', sa.String(length=30), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('occurrence_id', sa.Integer(), nullable=True),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=300), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('digest_key', sa.String(length=400), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_chase_ledger_item_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrences.id'], name=op.f('fk_chase_ledger_occurrence_id_occurrences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chase_ledger')),
    sa.UniqueConstraint('key', name=op.f('uq_chase_ledger_key'))
    )
    with op.batch_alter_table('chase_ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chase_ledger_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chase_ledger_purpose'), ['purpose'], unique=False)
        batch_op.create_index(batch_op.f('ix_chase_ledger_state'), ['state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('chase_ledger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chase_ledger_state'))
        batch_op.drop_index(batch_op.f('ix_chase_ledger_purpose'))
        batch_op.drop_index(batch_op.f('ix_chase_ledger_item_id'))
    op.drop_table('chase_ledger')
    with op.batch_alter_table('acknowledgements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acknowledgements_occurrence_id'))
    op.drop_table('acknowledgements')
