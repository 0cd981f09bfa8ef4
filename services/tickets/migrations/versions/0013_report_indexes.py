"""the service report's indexes: every query a range of its period

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 21:00:00

Measured on a year of 1,000,000 tickets (`make bench`, scenario 9). The tickets first
answered in a period were a scan of every ticket: an index on first_response_time,
covering the seconds it reads. The tickets open when a period began were a walk over
every ticket created before it (2.7 s): ix_tickets_closed gains create_time, so that
"not closed, created before" and "closed since, created before" are ranges of it, and
the status and studio seconds that the resolution times read.
"""
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

CLOSED = ['closed_time', 'create_time', 'status', 'studio_seconds']


def upgrade() -> None:
    op.create_index('ix_tickets_first_response', 'tickets',
                    ['first_response_time', 'response_seconds'])
    op.drop_index('ix_tickets_closed', table_name='tickets')
    op.create_index('ix_tickets_closed', 'tickets', CLOSED)


def downgrade() -> None:
    op.drop_index('ix_tickets_closed', table_name='tickets')
    op.create_index('ix_tickets_closed', 'tickets', ['closed_time'])
    op.drop_index('ix_tickets_first_response', table_name='tickets')
