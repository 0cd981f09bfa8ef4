"""Webhooks and their deliveries

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 13:00:00

Managers subscribe a URL to the ticket events of the studio or of one organization; each
webhook's workflow delivers them in order, signed, and every delivery is logged.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'webhooks',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('organization', sa.String(length=64), nullable=False),
        sa.Column('url', sa.String(length=2048), nullable=False),
        sa.Column('display_name', sa.String(length=200), nullable=False),
        sa.Column('event_kinds', sa.Text(), nullable=False),
        sa.Column('secret', sa.String(length=100), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('disabled_reason', sa.Text(), nullable=False),
        sa.Column('cursor', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.String(length=160), nullable=True),
        sa.Column('create_time', sa.DateTime(timezone=True), nullable=False),
        sa.Column('update_time', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhooks')),
        sa.UniqueConstraint('request_id', name=op.f('uq_webhooks_request_id')),
    )
    op.create_table(
        'webhook_deliveries',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('webhook_id', sa.String(length=32), nullable=False),
        sa.Column('event', sa.Integer(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('response_code', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('delivered', sa.Boolean(), nullable=False),
        sa.Column('redeliver', sa.Boolean(), nullable=False),
        sa.Column('create_time', sa.DateTime(timezone=True), nullable=False),
        sa.Column('update_time', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['webhook_id'], ['webhooks.id'], ondelete='CASCADE',
                                name=op.f('fk_webhook_deliveries_webhook_id_webhooks')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
        sa.UniqueConstraint('webhook_id', 'event',
                            name=op.f('uq_webhook_deliveries_webhook_id')),
    )
    op.create_index('ix_webhook_deliveries_webhook', 'webhook_deliveries', ['webhook_id', 'id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_webhook_deliveries_webhook', table_name='webhook_deliveries')
    op.drop_table('webhook_deliveries')
    op.drop_table('webhooks')
