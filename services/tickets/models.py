"""The ticket store's tables."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, MetaData,
                        String, Text, UniqueConstraint, event)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Ticket priorities, lowest first; the position is the rank the list sorts by.
PRIORITIES = ("low", "normal", "high", "critical")
PRIORITY_RANK = {name: rank for rank, name in enumerate(PRIORITIES)}
MAX_NUMBER = 2**31 - 1  # ticket numbers are 32-bit integers in every database
# What the service report reads of a period's closed tickets (ix_tickets_closed holds it).
CLOSED_FIGURES = ("studio_seconds", "client_seconds", "sla_breached", "submissions", "reworks",
                  "rating")


def search_text(title: str, description: str) -> str:
    """What text search matches: casefolded in Python, as SQLite's lower() is ASCII-only."""
    return f"{title}\n{description}".casefold()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


class Site(Base):
    __tablename__ = "sites"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organization: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Ticket(Base):
    __tablename__ = "tickets"
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organization: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"), nullable=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    contact_user: Mapped[str] = mapped_column(String(64), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    contact_phone: Mapped[str] = mapped_column(String(64), default="")
    desired_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    planned_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    priority: Mapped[str] = mapped_column(String(16))
    # Derived on every write (see _derive): PRIORITY_RANK[priority], search_text(...).
    priority_rank: Mapped[int] = mapped_column(Integer)
    search_text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))
    status_note: Mapped[str] = mapped_column(Text, default="")
    assignee: Mapped[str] = mapped_column(String(64), default="")
    estimate_hours: Mapped[float] = mapped_column(Float, default=0.0)
    has_remarks: Mapped[bool] = mapped_column(Boolean, default=False)
    rating: Mapped[int] = mapped_column(Integer, default=0)
    creator: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(128), nullable=True, unique=True)
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    update_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Kept by the ticket's workflow: the next SLA breach moment, and whether one happened.
    sla_due_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    sla_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    # The minutes of its time entries, kept with each entry's write (TimeEntry).
    time_spent_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Report figures, kept by services/tickets/facts.py as the ticket moves: business seconds
    # in each side's court, the first response (seconds to it), close, submissions, reworks.
    status_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                          nullable=True)
    studio_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    client_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    first_response_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                                 nullable=True)
    response_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    closed_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    submissions: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reworks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    # The list's queries (store.list_tickets): a client's organization, the staff queue by
    # status, assignee or site, each ordered by the update time (ties by number); the
    # other sort keys across all tickets; counts per status (organization, status).
    __table_args__ = (
        Index("ix_tickets_org_status_updated", "organization", "status", "update_time"),
        Index("ix_tickets_org_updated", "organization", "update_time"),
        Index("ix_tickets_status_updated", "status", "update_time"),
        Index("ix_tickets_updated", "update_time", "number"),
        Index("ix_tickets_created", "create_time", "number"),
        Index("ix_tickets_priority_updated", "priority_rank", "update_time"),
        Index("ix_tickets_desired", "desired_date", "number"),
        Index("ix_tickets_assignee_updated", "assignee", "update_time"),
        Index("ix_tickets_site_updated", "site_id", "update_time"),
        Index("ix_tickets_closed", "closed_time", "create_time", "status", *CLOSED_FIGURES),
        Index("ix_tickets_first_response", "first_response_time", "response_seconds"),
    )


@event.listens_for(Ticket, "before_insert")
@event.listens_for(Ticket, "before_update")
def _derive(_mapper, _connection, ticket: Ticket) -> None:
    """The derived columns follow their sources on every write, whoever writes."""
    ticket.priority_rank = PRIORITY_RANK[ticket.priority]
    ticket.search_text = search_text(ticket.title, ticket.description)


class Comment(Base):
    __tablename__ = "comments"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    ticket_number: Mapped[int] = mapped_column(ForeignKey("tickets.number"), index=True)
    author: Mapped[str] = mapped_column(String(64), default="")
    author_display_name: Mapped[str] = mapped_column(String(200), default="")
    author_role: Mapped[str] = mapped_column(String(16), default="")
    body: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    action: Mapped[str] = mapped_column(String(32), default="")
    request_id: Mapped[str | None] = mapped_column(String(160), nullable=True, unique=True)
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))


SUMMED = ("ticket_number", "minutes", "author_display_name")


class TimeEntry(Base):
    """Work logged on a ticket: who, which day, how long. The ticket's organization is
    kept beside it, so a period's entries of an organization are one index range."""

    __tablename__ = "time_entries"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    ticket_number: Mapped[int] = mapped_column(ForeignKey("tickets.number"))
    organization: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(64))
    author_display_name: Mapped[str] = mapped_column(String(200), default="")
    minutes: Mapped[int] = mapped_column(Integer)
    work_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    request_id: Mapped[str | None] = mapped_column(String(160), nullable=True, unique=True)
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    update_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    # A period's summaries read its entries from these indexes alone (migration 0014).
    __table_args__ = (
        Index("ix_time_entries_ticket", "ticket_number", "work_date"),
        Index("ix_time_entries_org_date", "organization", "work_date", "author", *SUMMED),
        Index("ix_time_entries_author_date", "author", "work_date", "organization", *SUMMED),
        Index("ix_time_entries_date", "work_date", "organization", "author", *SUMMED),
    )


class HistoryEntry(Base):
    __tablename__ = "history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_number: Mapped[int] = mapped_column(ForeignKey("tickets.number"), index=True)
    actor: Mapped[str] = mapped_column(String(64), default="")
    actor_display_name: Mapped[str] = mapped_column(String(200), default="")
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AppliedRequest(Base):
    """Request ids of recorded transitions, so a retried activity writes once."""

    __tablename__ = "applied_requests"
    request_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    ticket_number: Mapped[int] = mapped_column(ForeignKey("tickets.number"))
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))




# The staff queue is sorted by SLA due time.
Index("ix_tickets_sla_due", Ticket.sla_due_time, Ticket.number)


class StudioSettings(Base):
    """The studio's calendar, periods and SLA targets: one JSON document."""

    __tablename__ = "studio_settings"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    update_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Notification(Base):
    """An in-app notification (the bell); one per event and recipient."""

    __tablename__ = "notifications"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(64))
    ticket_number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(400))
    read: Mapped[bool] = mapped_column(Boolean, default=False)
    emailed: Mapped[bool] = mapped_column(Boolean, default=False)
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("event_id", "recipient"),
        Index("ix_notifications_recipient_created", "recipient", "create_time"),
    )



class OutboxNotice(Base):
    """A notice the ticket's workflow decided on, waiting for the dispatcher to send it
    (e-mail and the bell); written with the record it belongs to, deleted once sent."""

    __tablename__ = "notice_outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64))
    ticket_number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[str] = mapped_column(Text)  # JSON: who acted, statuses, text, comment
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Claimable from this moment; a claim moves it to the end of the lease.
    available_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("event_id"),
        Index("ix_notice_outbox_available", "available_time", "id"),
    )


class TicketEvent(Base):
    """What happened to a ticket, kept in the order written (WatchTicketEvents' cursor is
    the id); written with the notices of the record it belongs to."""

    __tablename__ = "ticket_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64))
    ticket_number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[str] = mapped_column(Text)  # JSON: who acted, statuses, text, comment
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("event_id"),
        Index("ix_ticket_events_ticket", "ticket_number", "id"),
    )


class Webhook(Base):
    """Where a studio's or an organization's ticket events are POSTed, signed with `secret`;
    delivered in order by its workflow (workflows/webhooks)."""

    __tablename__ = "webhooks"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organization: Mapped[str] = mapped_column(String(64), default="")  # "": every ticket
    url: Mapped[str] = mapped_column(String(2048))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    event_kinds: Mapped[str] = mapped_column(Text, default="[]")  # JSON; []: every kind
    secret: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str] = mapped_column(Text, default="")
    # The last event delivered in order: where a restarted workflow resumes.
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    request_id: Mapped[str | None] = mapped_column(String(160), nullable=True)
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    update_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("request_id"),)


class WebhookDelivery(Base):
    """One event sent to one webhook: its attempts and the last one's answer."""

    __tablename__ = "webhook_deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event: Mapped[int] = mapped_column(Integer)  # ticket_events.id
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    response_code: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    redeliver: Mapped[bool] = mapped_column(Boolean, default=False)  # a manager asked
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    update_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("webhook_id", "event"),
        Index("ix_webhook_deliveries_webhook", "webhook_id", "id"),
    )


class InboundEmail(Base):
    """A message the e-mail channel received, kept once per Message-ID: applied (its
    comment), ignored (a loop: auto-replies, bounces) or rejected with the reason, for
    the managers to see."""

    __tablename__ = "inbound_emails"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    state: Mapped[str] = mapped_column(String(16))  # applied | ignored | rejected
    reason: Mapped[str] = mapped_column(String(64), default="")
    sender: Mapped[str] = mapped_column(String(320), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    ticket_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    comment_id: Mapped[str] = mapped_column(String(32), default="")
    create_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_inbound_emails_state", "state", "id"),)


# The text index is each database's own (migrations 0004, 0005): pg_trgm's GIN index on
# PostgreSQL; on SQLite an FTS5 trigram table, the tables FTS5 keeps for it and the keys
# of its organizations. Neither is a model; `compared` keeps them out of Alembic's
# comparisons with the models.
SEARCH_INDEX = frozenset({
    "ix_tickets_search_trgm", "ticket_search", "ticket_search_data", "ticket_search_idx",
    "ticket_search_config", "ticket_search_docsize", "ticket_search_content",
    "ticket_search_orgs"})


def compared(_object, name: str | None, _type: str, reflected: bool, _compare_to) -> bool:
    """Alembic's `include_object`: everything but the text index found in the database."""
    return not (reflected and name in SEARCH_INDEX)


Base.metadata.info["include_object"] = compared


class TicketCount(Base):
    """How many tickets an organization has in a status. Kept by database triggers on
    `tickets` (migration 0004) for every writer; read by the list's header."""

    __tablename__ = "ticket_counts"
    organization: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class TicketMove(Base):
    """A ticket arriving at (+1) or leaving (-1) a place: its status, assignee, priority and
    site. Written by database triggers on `tickets` (migration 0012); the service report
    reads the backlog by status in the past from them."""

    __tablename__ = "ticket_moves"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    moment: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    organization: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    assignee: Mapped[str] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))
    delta: Mapped[int] = mapped_column(Integer)

    # A range of moments read without the rows (the report's unfiltered backlog).
    __table_args__ = (Index("ix_ticket_moves_moment", "moment", "status", "delta"),)
