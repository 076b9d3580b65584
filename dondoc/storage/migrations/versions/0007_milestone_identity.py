"""due dates remember the date they had before the plan's text moved them; a report says whose part it is;
secret links are kept sealed with the installation's key (the application seals the old ones at start-up);
an item holds the office names of its row that match no office yet

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('occurrences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_due', sa.Date(), nullable=True))
    with op.batch_alter_table('status_updates', schema=None) as batch_op:
        # "lead": the lead office's (or the standing office's) report, which sets the milestone's status;
        # "coop": a cooperating office's report of its own part, shown beside it
        batch_op.add_column(sa.Column('part', sa.String(length=10), nullable=False, server_default='lead'))
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unknown_offices', sa.JSON(none_as_null=True), nullable=True))
    with op.batch_alter_table('access_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('salt', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('sealed', sa.String(length=200), nullable=True))
        batch_op.alter_column('token', existing_type=sa.String(length=100), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_column('unknown_offices')
    with op.batch_alter_table('access_links', schema=None) as batch_op:
        batch_op.drop_column('sealed')
        batch_op.drop_column('salt')
    with op.batch_alter_table('status_updates', schema=None) as batch_op:
        batch_op.drop_column('part')
    with op.batch_alter_table('occurrences', schema=None) as batch_op:
        batch_op.drop_column('previous_due')
