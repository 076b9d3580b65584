"""initial schema

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)

    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['units.id'], name=op.f('fk_units_parent_id_units'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('name', name=op.f('uq_units_name')),
    sa.UniqueConstraint('slug', name=op.f('uq_units_slug'))
    )
    op.create_table('offices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('short_name', sa.String(length=60), nullable=True),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('in_unit_group', sa.Boolean(), nullable=False),
    sa.Column('head', sa.String(length=200), nullable=True),
    sa.Column('pct_in_charge', sa.String(length=200), nullable=True),
    sa.Column('from_config', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_offices_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offices')),
    sa.UniqueConstraint('unit_id', 'name', name='uq_offices_unit_name')
    )
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offices_unit_id'), ['unit_id'], unique=False)

    op.create_table('plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('code', sa.String(length=200), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=True),
    sa.Column('issuer', sa.String(length=200), nullable=True),
    sa.Column('period_start', sa.Integer(), nullable=False),
    sa.Column('period_end', sa.Integer(), nullable=False),
    sa.Column('source_file', sa.String(length=500), nullable=True),
    sa.Column('source_sha256', sa.String(length=64), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_plans_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
    sa.UniqueConstraint('code', name=op.f('uq_plans_code')),
    sa.UniqueConstraint('unit_id', 'key', name='uq_plans_unit_key')
    )
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plans_unit_id'), ['unit_id'], unique=False)

    op.create_table('areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('pct_in_charge', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_areas_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_areas')),
    sa.UniqueConstraint('plan_id', 'code', name='uq_areas_plan_code')
    )
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_areas_plan_id'), ['plan_id'], unique=False)

    op.create_table('items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('lead_text', sa.Text(), nullable=False),
    sa.Column('cooperating_text', sa.Text(), nullable=False),
    sa.Column('deadline_text', sa.Text(), nullable=False),
    sa.Column('deadline_override', sa.Text(), nullable=True),
    sa.Column('product', sa.Text(), nullable=True),
    sa.Column('needs_review', sa.Boolean(), nullable=False),
    sa.Column('review_problems', sa.JSON(), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_items_area_id_areas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_items_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_items')),
    sa.UniqueConstraint('plan_id', 'number', name='uq_items_plan_number')
    )
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_items_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_plan_id'), ['plan_id'], unique=False)

    op.create_table('item_offices',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('via_group', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_item_offices_item_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_item_offices_office_id_offices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'office_id', 'role', name=op.f('pk_item_offices'))
    )
    with op.batch_alter_table('item_offices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_offices_office_id'), ['office_id'], unique=False)

    op.create_table('milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('month', sa.Integer(), nullable=True),
    sa.Column('first_year', sa.Integer(), nullable=True),
    sa.Column('last_year', sa.Integer(), nullable=True),
    sa.Column('rrule', sa.String(length=500), nullable=True),
    sa.Column('event', sa.Text(), nullable=True),
    sa.Column('triggered_on', sa.Date(), nullable=True),
    sa.Column('trigger_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_milestones_item_id_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestones'))
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestones_item_id'), ['item_id'], unique=False)

    op.create_table('occurrences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('nominal_due', sa.Date(), nullable=False),
    sa.Column('effective_due', sa.Date(), nullable=False),
    sa.Column('extended_due', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_occurrences_item_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id'], name=op.f('fk_occurrences_milestone_id_milestones'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_occurrences')),
    sa.UniqueConstraint('milestone_id', 'nominal_due', name='uq_occurrences_milestone_due')
    )
    with op.batch_alter_table('occurrences', schema=None) as batch_op:
        batch_op.create_index('ix_occurrences_effective_due', ['effective_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_occurrences_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_occurrences_milestone_id'), ['milestone_id'], unique=False)

    op.create_table('extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurrence_id', sa.Integer(), nullable=False),
    sa.Column('previous_due', sa.Date(), nullable=False),
    sa.Column('new_due', sa.Date(), nullable=False),
    sa.Column('granted_by', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrences.id'], name=op.f('fk_extensions_occurrence_id_occurrences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extensions'))
    )
    with op.batch_alter_table('extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extensions_occurrence_id'), ['occurrence_id'], unique=False)

    op.create_table('status_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=True),
    sa.Column('occurrence_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('product', sa.Text(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('reported_by', sa.String(length=200), nullable=True),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_status_updates_item_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id'], name=op.f('fk_status_updates_milestone_id_milestones'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrences.id'], name=op.f('fk_status_updates_occurrence_id_occurrences'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_updates'))
    )
    with op.batch_alter_table('status_updates', schema=None) as batch_op:
        batch_op.create_index('ix_status_updates_item_asof', ['item_id', 'as_of'], unique=False)
        batch_op.create_index(batch_op.f('ix_status_updates_milestone_id'), ['milestone_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_status_updates_occurrence_id'), ['occurrence_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('status_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_updates_occurrence_id'))
        batch_op.drop_index(batch_op.f('ix_status_updates_milestone_id'))
        batch_op.drop_index('ix_status_updates_item_asof')

    op.drop_table('status_updates')
    with op.batch_alter_table('extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extensions_occurrence_id'))

    op.drop_table('extensions')
    with op.batch_alter_table('occurrences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_occurrences_milestone_id'))
        batch_op.drop_index(batch_op.f('ix_occurrences_item_id'))
        batch_op.drop_index('ix_occurrences_effective_due')

    op.drop_table('occurrences')
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestones_item_id'))

    op.drop_table('milestones')
    with op.batch_alter_table('item_offices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_offices_office_id'))

    op.drop_table('item_offices')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_items_plan_id'))
        batch_op.drop_index(batch_op.f('ix_items_area_id'))

    op.drop_table('items')
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_areas_plan_id'))

    op.drop_table('areas')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plans_unit_id'))

    op.drop_table('plans')
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offices_unit_id'))

    op.drop_table('offices')
    op.drop_table('units')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
