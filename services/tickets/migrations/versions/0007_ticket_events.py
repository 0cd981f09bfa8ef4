"""The ticket events log

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 12:00:00

What happened to each ticket (created, status changed, comment, SLA warning or breach),
written with the record it belongs to and kept, so that WatchTicketEvents can resume
from a cursor (the row's id).
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ticket_events',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('event_id', sa.String(length=64), nullable=False),
        sa.Column('ticket_number', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('data', sa.Text(), nullable=False),
        sa.Column('create_time', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_events')),
        sa.UniqueConstraint('event_id', name=op.f('uq_ticket_events_event_id')),
    )
    op.create_index('ix_ticket_events_ticket', 'ticket_events', ['ticket_number', 'id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_ticket_events_ticket', table_name='ticket_events')
    op.drop_table('ticket_events')
