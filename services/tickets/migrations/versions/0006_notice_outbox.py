"""The notices outbox

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 07:00:00

The ticket workflow's notices are written with the record they belong to, in the same
transaction, and a dispatcher in the worker sends them in batches (instead of one
Temporal activity per notice).
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'notice_outbox',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('event_id', sa.String(length=64), nullable=False),
        sa.Column('ticket_number', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('data', sa.Text(), nullable=False),
        sa.Column('create_time', sa.DateTime(timezone=True), nullable=False),
        sa.Column('available_time', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_outbox')),
        sa.UniqueConstraint('event_id', name=op.f('uq_notice_outbox_event_id')),
    )
    op.create_index('ix_notice_outbox_available', 'notice_outbox', ['available_time', 'id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_notice_outbox_available', table_name='notice_outbox')
    op.drop_table('notice_outbox')
