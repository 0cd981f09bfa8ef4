"""SLA fields of tickets, the studio's settings, in-app notifications

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 14:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sla_due_time', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sla_breached', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index('ix_tickets_sla_due', ['sla_due_time', 'number'], unique=False)
    op.create_table(
        'studio_settings',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('data', sa.Text(), nullable=False),
        sa.Column('update_time', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_studio_settings')),
    )
    op.create_table(
        'notifications',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('event_id', sa.String(length=64), nullable=False),
        sa.Column('recipient', sa.String(length=64), nullable=False),
        sa.Column('ticket_number', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('title', sa.String(length=400), nullable=False),
        sa.Column('read', sa.Boolean(), nullable=False),
        sa.Column('emailed', sa.Boolean(), nullable=False),
        sa.Column('create_time', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
        sa.UniqueConstraint('event_id', 'recipient', name=op.f('uq_notifications_event_id')),
    )
    op.create_index('ix_notifications_recipient_created', 'notifications',
                    ['recipient', 'create_time'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_notifications_recipient_created', table_name='notifications')
    op.drop_table('notifications')
    op.drop_table('studio_settings')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_sla_due')
        batch_op.drop_column('sla_breached')
        batch_op.drop_column('sla_due_time')
