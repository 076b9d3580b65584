"""delivery states per (message, person); people per unit

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # an entry a run had claimed when it stopped: sent again (its people get their own rows then)
    op.execute("UPDATE chase_ledger SET state = 'failed' WHERE state = 'sending'")
    with op.batch_alter_table('chase_ledger', schema=None) as batch_op:
        # the claim moved from the entry to each recipient
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('attempts')
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_chase_ledger_unit_id_units'), 'units', ['unit_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_index(batch_op.f('ix_chase_ledger_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('notification_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachments', sa.JSON(), nullable=True))

    op.create_table('ledger_recipients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('person', sa.String(length=200), nullable=False),
    sa.Column('forwarded_for', sa.String(length=300), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('delivery_key', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=True),
    sa.Column('skip_channels', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('give_up_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=100), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['chase_ledger.id'], name=op.f('fk_ledger_recipients_entry_id_chase_ledger'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_ledger_recipients_unit_id_units'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_recipients')),
    sa.UniqueConstraint('entry_id', 'person', name='uq_ledger_recipients_entry_person'),
    sa.UniqueConstraint('delivery_key', name=op.f('uq_ledger_recipients_delivery_key'))
    )
    with op.batch_alter_table('ledger_recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_recipients_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_recipients_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_recipients_next_attempt_at'), ['next_attempt_at'], unique=False)

    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=200), nullable=True),
    sa.Column('office', sa.String(length=200), nullable=True),
    sa.Column('head', sa.Boolean(), nullable=False),
    sa.Column('areas', sa.JSON(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('email', sa.String(length=300), nullable=True),
    sa.Column('zalo_user_id', sa.String(length=100), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('channels', sa.JSON(), nullable=True),
    sa.Column('apprise', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_people_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('unit_id', 'key', name='uq_people_unit_key')
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_unit_id'), ['unit_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_unit_id'))
    op.drop_table('people')
    with op.batch_alter_table('ledger_recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_recipients_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_ledger_recipients_state'))
        batch_op.drop_index(batch_op.f('ix_ledger_recipients_entry_id'))
    op.drop_table('ledger_recipients')
    with op.batch_alter_table('notification_messages', schema=None) as batch_op:
        batch_op.drop_column('attachments')
    with op.batch_alter_table('chase_ledger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chase_ledger_unit_id'))
        batch_op.drop_constraint(batch_op.f('fk_chase_ledger_unit_id_units'), type_='foreignkey')
        batch_op.drop_column('unit_id')
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
