"""The developers' workspace at `/queue`, its filters in the address; a client is sent
back to the list."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse

from ... import routes
from ...components.queue import show_queue
from ...components.queue_filters import Filters
from ...session import Session


async def queue_page(request: Request) -> RedirectResponse | None:
    session = await Session.of_page()
    if session.account.is_client:
        return RedirectResponse(routes.HOME)
    await show_queue(session, Filters.parse(request.query_params))
    return None
