"""What every use case of the files service works with."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.files.gateways.storage import FileStore
from services.files.gateways.tickets import TicketAccess


@dataclass(frozen=True)
class Context:
    db: async_sessionmaker[AsyncSession]
    storage: FileStore
    tickets: TicketAccess
    max_upload_bytes: int
