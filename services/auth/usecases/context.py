"""What every use case of the auth service works with."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.auth import store
from services.auth.policy import AuthPolicy
from services.common.server.interceptor import current_call
from services.common.server.paging import Page, Position, next_page_token
from services.common.server.principal import caller

T = TypeVar("T")


@dataclass(frozen=True)
class Context:
    db: async_sessionmaker[AsyncSession]
    policy: AuthPolicy
    service_token: str


@dataclass(frozen=True)
class Listed(Generic[T]):
    """One page of a List method."""

    items: Sequence[T]
    next_page_token: str


def listed(page: Page, rows: Sequence[T], key: Callable[[T], Position]) -> Listed[T]:
    """`rows` were fetched with limit page.size + 1."""
    return Listed(rows[:page.size], next_page_token(page, rows, key))


def client_address() -> str:
    """The caller's address, as the interceptor recorded it for this call."""
    return current_call.get().peer


async def audit(db: AsyncSession, action: str, target: str = "", detail: str = "", *,
                outcome: str = "success", actor: str = "") -> None:
    """An audit record of the caller (or `actor`) doing `action`, from its address."""
    await store.audit(db, actor or caller().subject, action, outcome, target=target,
                      client_address=client_address(), detail=detail)
