"""the time summaries read from their indexes alone

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 00:50:00

Measured on 200,000 time entries beside 1,000,000 tickets (`make bench`, scenario 9): a
week's summary by month, organization or developer read each of its 6,000 entries from
the table after the index (35-55 ms on SQLite). The period's indexes now carry what the
summaries read (the organization, the author, the ticket, the minutes, the author's
name): 13-15 ms.
"""
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

SUMMED = ['ticket_number', 'minutes', 'author_display_name']
COVERING = {
    'ix_time_entries_org_date': ['organization', 'work_date', 'author', *SUMMED],
    'ix_time_entries_author_date': ['author', 'work_date', 'organization', *SUMMED],
    'ix_time_entries_date': ['work_date', 'organization', 'author', *SUMMED],
}
BEFORE = {
    'ix_time_entries_org_date': ['organization', 'work_date'],
    'ix_time_entries_author_date': ['author', 'work_date'],
    'ix_time_entries_date': ['work_date'],
}


def replace(indexes: dict[str, list[str]]) -> None:
    for name, columns in indexes.items():
        op.drop_index(name, table_name='time_entries')
        op.create_index(name, 'time_entries', columns)


def upgrade() -> None:
    replace(COVERING)


def downgrade() -> None:
    replace(BEFORE)
