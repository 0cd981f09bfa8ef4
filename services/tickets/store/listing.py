"""ListTickets' queries: filters, search, orders, counts per status."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import (Boolean, Integer, Select, and_, cast, column, false, func, null,
                        or_, select, table, true, union_all)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.util import ClauseAdapter

from services.common.server.errors import bad_field
from services.common.server.principal import Principal
from services.tickets import models
from services.tickets.store.pages import page_of
from services.tickets.store.tickets import scoped
from ticketdesk.errors.v1 import errors_pb2 as reasons


@dataclass
class TicketFilter:
    statuses: list[str] = field(default_factory=list)
    site_id: str = ""
    priorities: list[str] = field(default_factory=list)
    assignee: str = ""
    # Tickets nobody is assigned to (never with `assignee`).
    unassigned_only: bool = False
    organization: str = ""
    query: str = ""
    # Staff only: tickets that missed an SLA target (a client's request ignores it).
    sla_breached_only: bool = False


@dataclass
class TicketPage:
    rows: list[models.Ticket]
    more: bool
    total: int
    counts: dict[str, int]  # per status, ignoring the status filter


_T = models.Ticket
DEFAULT_ORDER = "update_time desc"
# Every order ends with the number, so that pages are stable.
ORDERS = {
    "update_time desc": (_T.update_time.desc(), _T.number.desc()),
    "update_time": (_T.update_time.asc(), _T.number.asc()),
    "create_time desc": (_T.create_time.desc(), _T.number.desc()),
    "create_time": (_T.create_time.asc(), _T.number.asc()),
    "priority desc": (_T.priority_rank.desc(), _T.update_time.desc(), _T.number.desc()),
    "priority": (_T.priority_rank.asc(), _T.update_time.asc(), _T.number.asc()),
    "desired_date": (_T.desired_date.asc().nulls_last(), _T.number.asc()),
    "desired_date desc": (_T.desired_date.desc().nulls_last(), _T.number.desc()),
    "number desc": (_T.number.desc(),),
    "number": (_T.number.asc(),),
    # The staff queue: the nearest SLA deadline first; paused and closed clocks last.
    "sla_due_time": (_T.sla_due_time.asc().nulls_last(), _T.number.asc()),
}

STAFF_ORDERS = {"sla_due_time"}


def order(order_by: str) -> str:
    """The canonical spelling of an `order_by` (AIP-132), or INVALID_ARGUMENT."""
    words = order_by.lower().split()
    if words[-1:] == ["asc"]:
        words = words[:-1]
    key = " ".join(words) or DEFAULT_ORDER
    if key not in ORDERS:
        raise bad_field("order_by", reasons.MALFORMED, f"must be one of: {', '.join(ORDERS)}")
    return key


def filtered(query: Select, principal: Principal, where: TicketFilter,
             with_status: bool = True) -> Select:
    query = scoped(query, principal)
    if with_status and where.statuses:
        query = query.where(_T.status.in_(where.statuses))
    if where.site_id:
        query = query.where(_T.site_id == where.site_id)
    if where.priorities:
        query = query.where(_T.priority.in_(where.priorities))
    if where.assignee or where.unassigned_only:  # unassigned: ix_tickets_assignee_updated
        query = query.where(_T.assignee == where.assignee)
    if where.organization:
        query = query.where(_T.organization == where.organization)
    if where.query.strip():
        query = query.where(matching(where.query, _one_organization(principal, where)))
    if where.sla_breached_only and principal.is_staff:
        query = query.where(_T.sla_breached.is_(True))
    return query


def _one_organization(principal: Principal, where: TicketFilter) -> str:
    """The organization a list is limited to ("" for all): the text index reads its
    matches alone. The scope itself stays the filters' (`scoped`)."""
    return where.organization if principal.is_staff else principal.organization


def matching(text: str, organization: str = ""):
    """`#1024` is a number; other text: every word in the title or description
    (a number alone also matches the ticket with that number). `organization`: the
    one the caller's scope is limited to, if any (an index hint, not a filter)."""
    text = text.strip()
    if text.startswith("#") and _digits(text[1:]):
        return _T.number == int(text[1:]) if int(text[1:]) <= models.MAX_NUMBER else false()
    words = ContainsWords(text.casefold().split(), organization)
    if _digits(text) and int(text) <= models.MAX_NUMBER:
        return or_(_T.number == int(text), words)
    return words


# SQLite's text index (migration 0005): FTS5's trigram table over tickets.search_text,
# its rowid the organization's key (ticket_search_orgs) << 32 | the ticket's number.
_SEARCH = table("ticket_search", column("rowid"), column("search_text"))
_SEARCH_ORGS = table("ticket_search_orgs", column("id"), column("organization"))
_NUMBER_BITS = 32
_NUMBER_MASK = 2**_NUMBER_BITS - 1
# The shortest word a trigram index can find.
TRIGRAM = 3


class ContainsWords(ColumnElement[bool]):
    """Every word is a substring of the ticket's search_text. Each database answers it
    with its own trigram index (migration 0004), so the SQL is written per dialect."""

    type = Boolean()
    inherit_cache = False  # the words are the statement: nothing to cache
    # A condition as it stands: not `(...) = 1` on SQLite, which hid `number IN (...)`
    # from its planner (it then read the organization's every ticket, or all of them).
    _is_implicitly_boolean = True

    def __init__(self, words: list[str], organization: str = ""):
        self.words = words
        self.organization = organization


@compiles(ContainsWords)
def _like_every_word(element: ContainsWords, compiler, **kw) -> str:
    # PostgreSQL: pg_trgm's GIN index on (organization, search_text) serves LIKE
    # '%word%' (words of three or more characters; shorter ones are checked on the rows
    # the others leave), within the scope's organization when there is one.
    return compiler.process(_likes(element.words), **kw)


@compiles(ContainsWords, "sqlite")
def _in_text_index(element: ContainsWords, compiler, **kw) -> str:
    """FTS5's trigram table finds the words of three or more characters, as a phrase
    each (a phrase of trigrams is a substring), in one organization's rowid range when
    the scope has one; LIKE checks the shorter ones."""
    indexed = [w for w in element.words if len(w) >= TRIGRAM]
    found = true()
    if indexed:
        phrases = " ".join('"' + w.replace('"', '""') + '"' for w in indexed)
        keys = select(_SEARCH.c.rowid.op("&")(_NUMBER_MASK)).where(
            _SEARCH.c.search_text.op("MATCH")(phrases))
        if element.organization:
            first = select(_SEARCH_ORGS.c.id.op("<<")(_NUMBER_BITS)).where(
                _SEARCH_ORGS.c.organization == element.organization).scalar_subquery()
            keys = keys.where(_SEARCH.c.rowid.between(first, first + _NUMBER_MASK))
        found = _T.number.in_(keys)
    short = [w for w in element.words if len(w) < TRIGRAM]
    return compiler.process(and_(found, _likes(short)) if short else found, **kw)


def _likes(words: list[str]):
    return and_(true(), *(_T.search_text.like(_like(word), escape="\\") for word in words))


def _digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() also takes "²", which int() refuses."""
    return text.isascii() and text.isdigit()


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_query(principal: Principal, where: TicketFilter, order_by: str) -> Select:
    """The page query of ListTickets (also what the index test explains)."""
    return filtered(select(_T), principal, where).order_by(*_orders(principal, order_by))


def _orders(principal: Principal, order_by: str) -> tuple:
    key = order(order_by)
    if key in STAFF_ORDERS and not principal.is_staff:
        key = DEFAULT_ORDER  # the SLA clock is the studio's: its order would tell a client
    return ORDERS[key]


# What a search keeps of each match: the status (counts, the status filter) and every
# order's keys.
_FOUND = (_T.number, _T.status, _T.update_time, _T.create_time, _T.priority_rank,
          _T.desired_date, _T.sla_due_time)


async def _searched(session: AsyncSession, principal: Principal, where: TicketFilter,
                    order_by: str, offset: int, limit: int) -> TicketPage:
    """A text search reads the text index once: the page's numbers and the counts per
    status come from the same matches (one statement), then the page's rows by number.
    Twice through the index cost most of a search (20,000 matches at 1,000,000
    tickets on SQLite before migration 0005; two GIN scans on PostgreSQL)."""
    found = filtered(select(*_FOUND), principal, where, with_status=False).cte(
        "found").prefix_with("MATERIALIZED")
    orders = [ClauseAdapter(found).traverse(o) for o in _orders(principal, order_by)]
    shown = found.c.status.in_(where.statuses) if where.statuses else true()
    none = cast(null(), Integer)  # typed: PostgreSQL's UNION needs the column types
    page = select(found.c.number, func.row_number().over(order_by=orders).label("place"),
                  cast(null(), found.c.status.type).label("status"), none.label("n")).where(
        shown).order_by(*orders).offset(offset).limit(limit + 1).subquery()
    counts = select(none, none, found.c.status, func.count()).group_by(found.c.status)
    answer = (await session.execute(union_all(select(page), counts))).all()
    numbers = [n for n, _, _, _ in sorted((r for r in answer if r[0] is not None),
                                          key=lambda r: r[1])]
    counts = {status: int(n) for number, _, status, n in answer if number is None}
    rows = {t.number: t for t in (await session.execute(
        select(_T).where(_T.number.in_(numbers[:limit])))).scalars()} if numbers else {}
    page_rows = [rows[n] for n in numbers[:limit]]
    return TicketPage(page_rows, len(numbers) > limit, total_of(counts, where), counts)


def status_counts_query(principal: Principal, where: TicketFilter) -> Select:
    """Counts per status for the list's header: every filter except the status. Kept
    counts when the scope is organizations alone (the client's list, the staff queue:
    reading them does not grow with the tickets); counted when other filters narrow
    the scope, through the index of the narrowest filter."""
    if _whole_organizations(principal, where):
        return kept_counts_query(principal, where)
    return counted_query(principal, where)


def _whole_organizations(principal: Principal, where: TicketFilter) -> bool:
    return not (where.site_id or where.priorities or where.assignee or where.unassigned_only
                or where.query.strip() or (where.sla_breached_only and principal.is_staff))


def kept_counts_query(principal: Principal, where: TicketFilter) -> Select:
    """The counts per status of one organization, or of all for the staff, as the
    triggers of migration 0004 keep them."""
    kept = models.TicketCount
    query = select(kept.status, func.sum(kept.n)).group_by(kept.status).having(
        func.sum(kept.n) > 0)
    if not principal.is_staff:
        query = query.where(kept.organization == principal.organization)
    if where.organization:
        query = query.where(kept.organization == where.organization)
    return query


def counted_query(principal: Principal, where: TicketFilter) -> Select:
    return filtered(select(_T.status, func.count()), principal, where,
                    with_status=False).group_by(_T.status)


async def list_tickets(session: AsyncSession, principal: Principal, where: TicketFilter,
                       order_by: str, offset: int, limit: int) -> TicketPage:
    if where.query.strip():
        return await _searched(session, principal, where, order_by, offset, limit)
    rows, more = await page_of(session, list_query(principal, where, order_by), offset, limit)
    counts = {status: int(n) for status, n in
              (await session.execute(status_counts_query(principal, where))).all()}
    return TicketPage(rows, more, total_of(counts, where), counts)


def total_of(counts: dict[str, int], where: TicketFilter) -> int:
    """The list's total, from the counts per status that the header needs anyway: a
    second count over the whole scope cost a staff list 70 ms at 100,000 tickets."""
    return sum(n for status, n in counts.items() if not where.statuses or status in where.statuses)
