"""notifications: messages and the delivery log

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ledger_key', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('cc', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_messages'))
    )
    with op.batch_alter_table('notification_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_messages_ledger_key'), ['ledger_key'], unique=False)

    op.create_table('notification_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('ledger_key', sa.String(length=300), nullable=False),
    sa.Column('person', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('provider_message_id', sa.String(length=300), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('final', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['notification_messages.id'], name=op.f('fk_notification_deliveries_message_id_notification_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_deliveries'))
    )
    with op.batch_alter_table('notification_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_deliveries_ledger_key'), ['ledger_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_deliveries_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_deliveries_outcome'), ['outcome'], unique=False)


def downgrade() -> None:
    op.drop_table('notification_deliveries')
    op.drop_table('notification_messages')
