"""the service report's first responses read by an index

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 21:00:00

The report reads the tickets first answered in its period; without an index that was a
scan of every ticket (1,000,000 in `make bench`).
"""
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_tickets_first_response', 'tickets', ['first_response_time'])


def downgrade() -> None:
    op.drop_index('ix_tickets_first_response', table_name='tickets')
