"""Who may see a file: whoever may see its ticket, and its comment if it has one.

Every operation first asks TicketService, as the caller, for the owning ticket. A file of
a ticket the caller may not see, a file of a comment the caller may not see (an internal
note, for a client) and a file that does not exist all answer the same NOT_FOUND
"file not found".
"""

from __future__ import annotations

from services.common.server.errors import not_found
from services.common.server.principal import caller
from services.files import store, validation
from services.files.models import FileRecord
from services.files.usecases.context import Context


async def require_ticket(ctx: Context, ticket: str) -> None:
    if await ctx.tickets.get_ticket(ticket) is None:
        raise not_found("ticket")


async def require_comment(ctx: Context, comment: str) -> None:
    """A comment the caller sees (staff too: it must exist); that it is the ticket's was
    checked with the upload's metadata (validation.upload_metadata)."""
    if not await ctx.tickets.comment_visible(comment):
        raise not_found("comment")


async def visible_comments(ctx: Context, ticket: str) -> set[str] | None:
    """None: the caller sees every comment (staff); else the names it may see."""
    if caller().is_staff:
        return None
    visible = await ctx.tickets.visible_comments(ticket)
    return visible if visible is not None else set()


async def visible_file(ctx: Context, name: str) -> FileRecord:
    file_id = validation.file_id(name)
    async with ctx.db() as db:
        record = await store.file(db, file_id)
    if record is None or await ctx.tickets.get_ticket(record.ticket) is None:
        raise not_found("file")
    if record.comment and not caller().is_staff \
            and not await ctx.tickets.comment_visible(record.comment):
        raise not_found("file")
    return record
