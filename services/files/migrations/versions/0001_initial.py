"""The files table.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "files",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("ticket", sa.String(64), nullable=False),
        sa.Column("comment", sa.String(160), nullable=False),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(128), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(128), nullable=False),
        sa.Column("uploader", sa.String(128), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_files"),
        sa.UniqueConstraint("storage_key", name="uq_files_storage_key"),
        sa.UniqueConstraint("uploader", "request_id", name="uq_files_uploader_request_id"),
    )
    op.create_index("ix_files_ticket_create_time", "files", ["ticket", "create_time", "id"])


def downgrade() -> None:
    op.drop_index("ix_files_ticket_create_time", table_name="files")
    op.drop_table("files")
