"""The files database's queries: one row per stored attachment."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.files.models import FileRecord


async def file(db: AsyncSession, file_id: str) -> FileRecord | None:
    return await db.get(FileRecord, file_id)


async def by_request_id(db: AsyncSession, uploader: str, request_id: str) -> FileRecord | None:
    """The upload this uploader made with this request_id (AIP-155), if any."""
    return await db.scalar(select(FileRecord).where(FileRecord.uploader == uploader,
                                                    FileRecord.request_id == request_id))


async def add(db: AsyncSession, record: FileRecord) -> None:
    db.add(record)
    await db.flush()


async def files_of(db: AsyncSession, ticket: str, *, comment: str | None,
                   visible: Collection[str] | None, after: tuple | None,
                   limit: int) -> list[FileRecord]:
    """A ticket's files, oldest first, after the keyset position (create_time, id).

    `comment`: only the files of this comment ('' for the ticket's own); else every file
    of the ticket and of the `visible` comments (all comments when None).
    """
    query = select(FileRecord).where(FileRecord.ticket == ticket)
    if comment is not None:
        query = query.where(FileRecord.comment == comment)
    elif visible is not None:
        query = query.where(or_(FileRecord.comment == "",
                                FileRecord.comment.in_(sorted(visible))))
    if after is not None:
        moment, last_id = after
        query = query.where(or_(FileRecord.create_time > moment,
                                and_(FileRecord.create_time == moment, FileRecord.id > last_id)))
    query = query.order_by(FileRecord.create_time, FileRecord.id).limit(limit)
    return list(await db.scalars(query))
