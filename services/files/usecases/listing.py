"""Listing a ticket's files, as far as the caller may see them."""

from __future__ import annotations

from services.common.server.paging import next_page_token, page_request, time_and_id
from services.files import store, validation
from services.files.models import FileRecord
from services.files.usecases import access
from services.files.usecases.context import Context
from ticketdesk.files.v1 import files_pb2


async def list_files(ctx: Context, request: files_pb2.ListFilesRequest
                     ) -> tuple[list[FileRecord], str]:
    """One page of the files, oldest first, and the next page's token."""
    ticket, comment = validation.listing(request)
    page = page_request(request.page_size, request.page_token, ["ListFiles", ticket, comment],
                        parse=time_and_id)
    await access.require_ticket(ctx, ticket)
    visible = await access.visible_comments(ctx, ticket)
    only = "" if comment == validation.OWN_FILES else (comment or None)
    if only and visible is not None and only not in visible:
        return [], ""
    async with ctx.db() as db:
        rows = await store.files_of(db, ticket, comment=only, visible=visible, after=page.after,
                                    limit=page.size + 1)
    return rows[:page.size], next_page_token(page, rows, lambda r: (r.create_time, r.id))
