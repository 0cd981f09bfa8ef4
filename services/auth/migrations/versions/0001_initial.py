"""Organizations, users, sessions, API tokens, audit log, login attempts.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from services.auth.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CLIENT_HAS_ORGANIZATION = "(role = 'client') = (organization_id IS NOT NULL)"
STAFF_ROLES = "role IN ('client', 'developer', 'manager')"


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("auto_accept_business_days", sa.Integer(), nullable=False),
        sa.Column("create_time", UTCDateTime(), nullable=False),
        sa.Column("request_id", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_organizations"),
        sa.UniqueConstraint("request_id", name="uq_organizations_request_id"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(50), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("organization_id", sa.String(32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("password_change_required", sa.Boolean(), nullable=False),
        sa.Column("create_time", UTCDateTime(), nullable=False),
        sa.Column("request_id", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_users_organization_id_organizations"),
        sa.UniqueConstraint("email", name="uq_users_email"),
        sa.UniqueConstraint("request_id", name="uq_users_request_id"),
        sa.CheckConstraint(STAFF_ROLES, name="ck_users_role"),
        sa.CheckConstraint("language IN ('ru', 'en')", name="ck_users_language"),
        sa.CheckConstraint(CLIENT_HAS_ORGANIZATION, name="ck_users_client_has_organization"),
    )
    op.create_index("ix_users_organization_id", "users", ["organization_id"])
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("create_time", UTCDateTime(), nullable=False),
        sa.Column("last_use_time", UTCDateTime(), nullable=False),
        sa.Column("expire_time", UTCDateTime(), nullable=False),
        sa.Column("revoked_time", UTCDateTime(), nullable=True),
        sa.Column("client_address", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_sessions_user_id_users"),
        sa.UniqueConstraint("token_hash", name="uq_sessions_token_hash"),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("organization_id", sa.String(32), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("create_time", UTCDateTime(), nullable=False),
        sa.Column("last_use_time", UTCDateTime(), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("request_id", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_api_tokens_organization_id_organizations"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
        sa.UniqueConstraint("request_id", name="uq_api_tokens_request_id"),
        sa.CheckConstraint(STAFF_ROLES, name="ck_api_tokens_role"),
        sa.CheckConstraint(CLIENT_HAS_ORGANIZATION,
                           name="ck_api_tokens_client_has_organization"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", SERIAL, nullable=False, autoincrement=True),
        sa.Column("time", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(300), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("client_address", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_time", "audit_log", ["time"])
    op.create_table(
        "login_attempts",
        sa.Column("id", SERIAL, nullable=False, autoincrement=True),
        sa.Column("time", UTCDateTime(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("client_address", sa.String(100), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_attempts"),
    )
    op.create_index("ix_login_attempts_time", "login_attempts", ["time"])
    op.create_index("ix_login_attempts_email_time", "login_attempts", ["email", "time"])
    op.create_index("ix_login_attempts_client_address_time", "login_attempts",
                    ["client_address", "time"])


def downgrade() -> None:
    for table in ("login_attempts", "audit_log", "api_tokens", "sessions", "users",
                  "organizations"):
        op.drop_table(table)
