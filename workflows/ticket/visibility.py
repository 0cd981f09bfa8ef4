"""What the operators see of a ticket's workflow: its search attributes (their filters in
Temporal's Web UI and the tickets service's reconciliation) and its details text.

Pure (no I/O, no clock): TicketWorkflow imports it passed through and hands the results
to `workflow.upsert_search_attributes` and `workflow.set_current_details`.
"""

from __future__ import annotations

from datetime import datetime

from temporalio.common import SearchAttributeKey, SearchAttributeUpdate

from workflows.ticket.messages import TicketStarted

STATUS = SearchAttributeKey.for_keyword("TicketStatus")
PRIORITY = SearchAttributeKey.for_keyword("TicketPriority")
ORGANIZATION = SearchAttributeKey.for_keyword("OrganizationId")
ASSIGNEE = SearchAttributeKey.for_keyword("AssigneeId")
SLA_DUE = SearchAttributeKey.for_datetime("SlaDueAt")
# Registered on the Temporal server by `ticketdesk dev` and the test fixtures.
SEARCH_ATTRIBUTES = (STATUS, PRIORITY, ORGANIZATION, ASSIGNEE, SLA_DUE)


def search_attributes(ticket: TicketStarted, due: datetime | None) -> list[SearchAttributeUpdate]:
    """Every attribute as the ticket is now (`due`: its SLA due time, if any)."""
    return [
        STATUS.value_set(ticket.status),
        PRIORITY.value_set(ticket.priority),
        ORGANIZATION.value_set(ticket.organization),
        ASSIGNEE.value_set(ticket.assignee) if ticket.assignee else ASSIGNEE.value_unset(),
        SLA_DUE.value_set(due) if due else SLA_DUE.value_unset(),
    ]


def details(ticket: TicketStarted, due: datetime | None, timer: datetime | None,
            timer_kind: str) -> str:
    """The Web UI's summary of the ticket (Markdown)."""
    return (f"**#{ticket.number}** {ticket.title}\n\n"
            f"- status: `{ticket.status}`\n- priority: `{ticket.priority}`\n"
            f"- assignee: `{ticket.assignee or '—'}`\n"
            f"- remarks: {'yes' if ticket.has_remarks else 'no'}\n"
            f"- SLA due: {due.isoformat() if due else '—'}\n"
            f"- next timer: {f'{timer_kind} at {timer.isoformat()}' if timer else '—'}")
