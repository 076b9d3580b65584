"""web: access links, calendar events, evidence files, report runs

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('report_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('stage', sa.String(length=10), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('directory', sa.String(length=500), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_report_runs_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_runs')),
    sa.UniqueConstraint('unit_id', 'period', 'stage', name='uq_report_runs_unit_period_stage')
    )
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_runs_unit_id'), ['unit_id'], unique=False)

    op.create_table('access_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=True),
    sa.Column('token', sa.String(length=100), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_access_links_office_id_offices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_access_links_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_links')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_access_links_token_sha256'))
    )
    with op.batch_alter_table('access_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_links_office_id'), ['office_id'], unique=False)
        batch_op.create_index('ix_access_links_scope', ['kind', 'unit_id', 'office_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_links_unit_id'), ['unit_id'], unique=False)

    op.create_table('calendar_events',
    sa.Column('uid', sa.String(length=300), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('modified_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_calendar_events_item_id_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('uid', name=op.f('pk_calendar_events'))
    )
    with op.batch_alter_table('calendar_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_events_item_id'), ['item_id'], unique=False)

    op.create_table('evidence_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status_update_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['status_update_id'], ['status_updates.id'], name=op.f('fk_evidence_files_status_update_id_status_updates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_files'))
    )
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_files_status_update_id'), ['status_update_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_files_status_update_id'))

    op.drop_table('evidence_files')
    with op.batch_alter_table('calendar_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_events_item_id'))

    op.drop_table('calendar_events')
    with op.batch_alter_table('access_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_links_unit_id'))
        batch_op.drop_index('ix_access_links_scope')
        batch_op.drop_index(batch_op.f('ix_access_links_office_id'))

    op.drop_table('access_links')
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_runs_unit_id'))

    op.drop_table('report_runs')

