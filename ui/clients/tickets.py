"""The tickets service as one account sees it: tickets, their comments and history, the
time logged on them, the organizations' sites, the studio's settings and the person's
notifications."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .base import WORKFLOW_TIMEOUT, Client, mask, new_request_id, traced

LIST_PAGE_SIZE = 50  # a page of a ticket list as people page through it
TIME_PAGE_SIZE = 100  # ListTimeEntries' largest page
ALL_ORGANIZATIONS = 'organizations/-'
STUDIO_SETTINGS = 'studioSettings'
# The studio's time zone changes seldom; every page shows moments in it.
ZONE_SECONDS = 60.0


@dataclass(frozen=True)
class TimeLog:
    """The time logged on a ticket: its entries, newest work date first, and their total."""

    entries: list[pb.TimeEntry]
    total_minutes: int


@dataclass
class _Zone:
    name: str = ''
    until: float = 0.0  # time.monotonic()


# One per process: every account reads the same studio settings.
_zone = _Zone()


def ticket_name(number: int | str) -> str:
    """`42` -> `tickets/42`; a name stays as it is."""
    return str(number) if str(number).startswith('tickets/') else f'tickets/{number}'


class TicketsClient(Client):
    """TicketService's calls with the account's token."""

    # --- tickets ------------------------------------------------------------------------

    async def list_tickets(self, *, statuses: Iterable[int] = (), query: str = '',
                           site: str = '', priorities: Iterable[int] = (), assignee: str = '',
                           organization: str = '', order_by: str = '',
                           sla_breached_only: bool = False, unassigned_only: bool = False,
                           page_token: str = '',
                           page_size: int = LIST_PAGE_SIZE) -> pb.ListTicketsResponse:
        """One page of the tickets the account may see, filtered; the answer carries the
        next page's token, the total and the count per status."""
        request = pb.ListTicketsRequest(
            page_size=page_size, page_token=page_token, statuses=list(statuses),
            query=query.strip(), site=site, priorities=list(priorities), assignee=assignee,
            organization=organization, order_by=order_by,
            sla_breached_only=sla_breached_only, unassigned_only=unassigned_only)
        return await self.call(self.stubs.tickets.ListTickets, request)

    async def get_ticket(self, number: int | str) -> pb.Ticket:
        return await self.call(self.stubs.tickets.GetTicket,
                               pb.GetTicketRequest(name=ticket_name(number)))

    @traced('create_ticket')
    async def create_ticket(self, ticket: pb.Ticket, request_id: str) -> pb.Ticket:
        request = pb.CreateTicketRequest(ticket=ticket, request_id=request_id)
        return await self.call(self.stubs.tickets.CreateTicket, request)

    async def update_ticket(self, name: str, changes: pb.Ticket,
                            paths: Iterable[str]) -> pb.Ticket:
        """Changes only the fields named (AIP-134); the others stay as they are."""
        ticket = pb.Ticket()
        ticket.CopyFrom(changes)
        ticket.name = name
        request = pb.UpdateTicketRequest(ticket=ticket, update_mask=mask(*paths))
        return await self.call(self.stubs.tickets.UpdateTicket, request)

    @traced('transition')
    async def transition(self, name: str, action: int, *, text: str = '', rating: int = 0,
                         target: int = pb.STATUS_UNSPECIFIED,
                         expected: int = pb.STATUS_UNSPECIFIED,
                         request_id: str = '') -> pb.Ticket:
        """Takes `action`. `expected`: the status on the person's screen; a ticket that moved
        on since answers TICKET_CHANGED instead of taking the action."""
        request = pb.TransitionTicketRequest(
            name=name, action=action, text=text.strip(), rating=rating, target_status=target,
            expected_status=expected, request_id=request_id or new_request_id())
        return await self.call(self.stubs.tickets.TransitionTicket, request,
                               timeout=WORKFLOW_TIMEOUT)

    # --- comments and history -----------------------------------------------------------

    async def comments(self, ticket: str) -> list[pb.Comment]:
        return await self.all_pages(self.stubs.tickets.ListComments,
                                    pb.ListCommentsRequest(parent=ticket), 'comments')

    @traced('add_comment')
    async def add_comment(self, ticket: str, body: str, request_id: str, *,
                          internal: bool = False) -> pb.Comment:
        """A public comment, or an internal note that only the studio sees."""
        comment = pb.Comment(body=body.strip(), visibility=pb.VISIBILITY_INTERNAL if internal
                             else pb.VISIBILITY_PUBLIC)
        request = pb.AddCommentRequest(parent=ticket, comment=comment, request_id=request_id)
        return await self.call(self.stubs.tickets.AddComment, request, timeout=WORKFLOW_TIMEOUT)

    async def history(self, ticket: str) -> list[pb.HistoryEntry]:
        return await self.all_pages(self.stubs.tickets.ListTicketHistory,
                                    pb.ListTicketHistoryRequest(parent=ticket), 'entries')

    # --- time tracking (staff) ----------------------------------------------------------

    async def time_log(self, ticket: str) -> TimeLog:
        """Every entry logged on `ticket` (`tickets/42`) and the total of their minutes."""
        request = pb.ListTimeEntriesRequest(parent=ticket, page_size=TIME_PAGE_SIZE)
        entries: list[pb.TimeEntry] = []
        while True:
            answer = await self.call(self.stubs.tickets.ListTimeEntries, request)
            entries.extend(answer.time_entries)
            if not answer.next_page_token:
                return TimeLog(entries, int(answer.total_minutes))
            request.page_token = answer.next_page_token

    @traced('log_time')
    async def log_time(self, ticket: str, minutes: int, work_date: str, note: str,
                       request_id: str) -> pb.TimeEntry:
        """Logs the caller's work on `ticket`; `work_date` YYYY-MM-DD, '' for today."""
        request = pb.CreateTimeEntryRequest(
            parent=ticket, request_id=request_id,
            time_entry=pb.TimeEntry(minutes=minutes, work_date=work_date, note=note.strip()))
        return await self.call(self.stubs.tickets.CreateTimeEntry, request)

    async def update_time_entry(self, name: str, **changes) -> pb.TimeEntry:
        """Changes only the given fields: minutes, work_date, note."""
        request = pb.UpdateTimeEntryRequest(time_entry=pb.TimeEntry(name=name, **changes),
                                            update_mask=mask(*changes))
        return await self.call(self.stubs.tickets.UpdateTimeEntry, request)

    async def delete_time_entry(self, name: str) -> None:
        await self.call(self.stubs.tickets.DeleteTimeEntry, pb.DeleteTimeEntryRequest(name=name))

    # --- sites --------------------------------------------------------------------------

    async def sites(self, organization: str = ALL_ORGANIZATIONS, *,
                    show_inactive: bool = False) -> list[pb.Site]:
        """The sites of an organization (of every organization the account sees: `-`)."""
        request = pb.ListSitesRequest(parent=organization, show_inactive=show_inactive)
        return await self.all_pages(self.stubs.tickets.ListSites, request, 'sites')

    async def create_site(self, organization: str, url: str, display_name: str,
                          request_id: str) -> pb.Site:
        request = pb.CreateSiteRequest(
            parent=organization, request_id=request_id,
            site=pb.Site(url=url.strip(), display_name=display_name.strip()))
        return await self.call(self.stubs.tickets.CreateSite, request)

    async def update_site(self, name: str, **changes) -> pb.Site:
        """Changes only the given fields: url, display_name, active."""
        request = pb.UpdateSiteRequest(site=pb.Site(name=name, **changes),
                                       update_mask=mask(*changes))
        return await self.call(self.stubs.tickets.UpdateSite, request)

    # --- the studio's settings ----------------------------------------------------------

    async def studio_settings(self) -> pb.StudioSettings:
        settings = await self.call(self.stubs.tickets.GetStudioSettings,
                                   pb.GetStudioSettingsRequest(name=STUDIO_SETTINGS))
        _remember_zone(settings.timezone)
        return settings

    async def studio_timezone(self) -> str:
        """The IANA zone the studio works in, which every moment is shown in; read from the
        studio's settings at most once a minute per process."""
        if _zone.name and time.monotonic() < _zone.until:
            return _zone.name
        return (await self.studio_settings()).timezone

    async def update_studio_settings(self, settings: pb.StudioSettings,
                                     paths: Iterable[str]) -> pb.StudioSettings:
        request = pb.UpdateStudioSettingsRequest(settings=settings, update_mask=mask(*paths))
        saved = await self.call(self.stubs.tickets.UpdateStudioSettings, request)
        _remember_zone(saved.timezone)
        return saved

    # --- notifications ------------------------------------------------------------------

    async def notifications(self, count: int, *,
                            unread_only: bool = False) -> pb.ListNotificationsResponse:
        """The latest `count` notifications, newest first, with the unread count."""
        request = pb.ListNotificationsRequest(page_size=count, unread_only=unread_only)
        return await self.call(self.stubs.tickets.ListNotifications, request)

    async def mark_notifications_read(self, names: Iterable[str] = (), *,
                                      ticket: str = '') -> int:
        """Marks these notifications read (only those of `ticket` when given); none given:
        all of the person's. Answers how many were marked."""
        request = pb.MarkNotificationsReadRequest(names=list(names), ticket=ticket)
        return (await self.call(self.stubs.tickets.MarkNotificationsRead, request)).marked

    # --- integrations (managers) --------------------------------------------------------

    async def webhooks(self) -> list[pb.Webhook]:
        return await self.all_pages(self.stubs.tickets.ListWebhooks, pb.ListWebhooksRequest(),
                                    'webhooks')

    async def create_webhook(self, display_name: str, url: str, organization: str,
                             event_kinds: Iterable[str],
                             request_id: str) -> pb.CreateWebhookResponse:
        """The answer holds the signing secret, shown once."""
        request = pb.CreateWebhookRequest(webhook=pb.Webhook(
            display_name=display_name.strip(), url=url.strip(), organization=organization,
            event_kinds=list(event_kinds)), request_id=request_id)
        return await self.call(self.stubs.tickets.CreateWebhook, request)

    async def enable_webhook(self, name: str, enabled: bool) -> pb.Webhook:
        request = pb.UpdateWebhookRequest(webhook=pb.Webhook(name=name, enabled=enabled),
                                          update_mask=mask('enabled'))
        return await self.call(self.stubs.tickets.UpdateWebhook, request)

    async def delete_webhook(self, name: str) -> None:
        await self.call(self.stubs.tickets.DeleteWebhook, pb.DeleteWebhookRequest(name=name))

    async def webhook_deliveries(self, name: str, count: int = 50) -> list[pb.WebhookDelivery]:
        """The latest `count` deliveries, newest first."""
        request = pb.ListWebhookDeliveriesRequest(parent=name, page_size=count)
        return list((await self.call(self.stubs.tickets.ListWebhookDeliveries,
                                     request)).deliveries)

    async def redeliver(self, delivery: str) -> pb.WebhookDelivery:
        return await self.call(self.stubs.tickets.RedeliverWebhookDelivery,
                               pb.RedeliverWebhookDeliveryRequest(name=delivery))

    async def refused_emails(self, count: int = 100) -> list[pb.InboundEmail]:
        """The e-mail channel's ignored and rejected messages, newest first."""
        request = pb.ListInboundEmailsRequest(page_size=count)
        return list((await self.call(self.stubs.tickets.ListInboundEmails,
                                     request)).inbound_emails)


def _remember_zone(name: str) -> None:
    if name:
        _zone.name, _zone.until = name, time.monotonic() + ZONE_SECONDS


def forget_zone() -> None:
    """The next `studio_timezone()` asks the service (tests; another process changed it)."""
    _zone.name, _zone.until = '', 0.0
