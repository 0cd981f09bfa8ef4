"""The files service's own database: one row per stored attachment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class FileRecord(Base):
    __tablename__ = "files"

    # uuid4 hex; the resource name is `files/{id}`.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # `tickets/{number}`.
    ticket: Mapped[str] = mapped_column(String(64))
    # `tickets/{number}/comments/{comment}`, or '' for the ticket itself.
    comment: Mapped[str] = mapped_column(String(160), default="")
    display_name: Mapped[str] = mapped_column(String(255))
    # Sniffed from the content, never taken from the client.
    content_type: Mapped[str] = mapped_column(String(128))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    # Generated; the content's key in the FileStore.
    storage_key: Mapped[str] = mapped_column(String(128), unique=True)
    # `users/{id}`, `apiTokens/{id}` or `services/{name}`.
    uploader: Mapped[str] = mapped_column(String(128))
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The client's idempotency key (AIP-155), unique per uploader.
    request_id: Mapped[str | None] = mapped_column(String(128), nullable=True)

    __table_args__ = (
        UniqueConstraint("uploader", "request_id", name="uq_files_uploader_request_id"),
        Index("ix_files_ticket_create_time", "ticket", "create_time", "id"),
    )
