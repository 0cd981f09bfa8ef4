"""Messages the e-mail channel received

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 15:10:00

One row per Message-ID: a message is applied once, and the ones that were ignored or
rejected are kept with the reason for the managers.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'inbound_emails',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('message_id', sa.String(length=998), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.String(length=64), nullable=False),
        sa.Column('sender', sa.String(length=320), nullable=False),
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('ticket_number', sa.Integer(), nullable=True),
        sa.Column('comment_id', sa.String(length=32), nullable=False),
        sa.Column('create_time', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_emails')),
        sa.UniqueConstraint('message_id', name=op.f('uq_inbound_emails_message_id')),
    )
    op.create_index('ix_inbound_emails_state', 'inbound_emails', ['state', 'id'])


def downgrade() -> None:
    op.drop_index('ix_inbound_emails_state', table_name='inbound_emails')
    op.drop_table('inbound_emails')
