"""Each ticket's service figures for reports (services/tickets/facts.py)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 18:00:00

Columns added in place (a batch migration would drop the tickets' triggers, see 0004).
Tickets that exist already start their clock at their last change, and those closed
count as closed then: their earlier figures are not in the history at business time.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

COUNTERS = ('studio_seconds', 'client_seconds', 'submissions', 'reworks')
MOMENTS = ('status_since', 'first_response_time', 'closed_time')


def upgrade() -> None:
    for name in MOMENTS:
        op.add_column('tickets', sa.Column(name, sa.DateTime(timezone=True), nullable=True))
    for name in COUNTERS:
        op.add_column('tickets', sa.Column(name, sa.Integer(), nullable=False,
                                           server_default='0'))
    op.add_column('tickets', sa.Column('response_seconds', sa.Integer(), nullable=True))
    op.execute("UPDATE tickets SET status_since = update_time")
    op.execute("UPDATE tickets SET closed_time = update_time "
               "WHERE status IN ('done', 'cancelled')")
    op.create_index('ix_tickets_closed', 'tickets', ['closed_time'])


def downgrade() -> None:
    op.drop_index('ix_tickets_closed', table_name='tickets')
    for name in (*MOMENTS, *COUNTERS, 'response_seconds'):
        op.execute(f"ALTER TABLE tickets DROP COLUMN {name}")
