"""Time entries, and each ticket's total of them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 17:45:00

The total is a column of `tickets`, added in place: a batch migration would recreate the
table without its triggers (see 0004).
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'time_entries',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('ticket_number', sa.Integer(), nullable=False),
        sa.Column('organization', sa.String(length=64), nullable=False),
        sa.Column('author', sa.String(length=64), nullable=False),
        sa.Column('author_display_name', sa.String(length=200), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('work_date', sa.Date(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('request_id', sa.String(length=160), nullable=True),
        sa.Column('create_time', sa.DateTime(timezone=True), nullable=False),
        sa.Column('update_time', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['ticket_number'], ['tickets.number'],
                                name=op.f('fk_time_entries_ticket_number_tickets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_time_entries')),
        sa.UniqueConstraint('request_id', name=op.f('uq_time_entries_request_id')),
    )
    op.create_index('ix_time_entries_ticket', 'time_entries', ['ticket_number', 'work_date'])
    op.create_index('ix_time_entries_org_date', 'time_entries', ['organization', 'work_date'])
    op.create_index('ix_time_entries_author_date', 'time_entries', ['author', 'work_date'])
    op.create_index('ix_time_entries_date', 'time_entries', ['work_date'])
    op.add_column('tickets', sa.Column('time_spent_minutes', sa.Integer(), nullable=False,
                                       server_default='0'))


def downgrade() -> None:
    op.execute("ALTER TABLE tickets DROP COLUMN time_spent_minutes")
    op.drop_table('time_entries')
