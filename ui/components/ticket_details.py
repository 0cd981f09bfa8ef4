"""The ticket card's details (steps 4–5 of the instruction): number, status and title, the
actions the workflow allows now, the studio's question or work summary, the fields, the
description and the ticket's own files; for a client, the time the studio spent on it
where their organization shows it.

`card` is the page's open card: its `ticket`, `session`, `organization` (a display name,
for staff), `remarks_pending`, `files_of(comment)` and what ui/components/ticket_actions.py
reads of it.
"""

from __future__ import annotations

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .. import labels
from ..i18n import _, pgettext
from . import ticket_actions, time_log
from .attachments import attachment_list
from .site_request import site_request
from .widgets import caption, field_row, site_link, status_badge, user_text


def details(card) -> None:
    ticket: pb.Ticket = card.ticket
    with ui.card().classes('w-full gap-4 p-6 max-sm:p-4'):
        with ui.row().classes('w-full items-center gap-3'):
            ui.label(_('Тикет #{number}').format(number=ticket.number)) \
                .classes('text-h5 font-medium').mark('ticket-number')
            status_badge(ticket.status)
            if card.remarks_pending:
                ui.badge(_('есть замечания'), color='orange-8').props('outline') \
                    .mark('remarks')
            ui.space()
            ticket_actions.accept_button(card, ticket)  # top right, as the instruction says
        ui.label(ticket.title).classes('text-h6 font-normal leading-snug') \
            .style('overflow-wrap: anywhere').mark('ticket-title')
        ticket_actions.remarks_banner(card)
        site_request(card)
        ticket_actions.action_bar(card, ticket)
        _note(ticket)
        _fields(ticket, card.organization, card.session.zone)
        if card.session.account.is_client and ticket.time_spent_minutes > 0:
            time_log.spent_line(ticket.time_spent_minutes)  # where the organization shows it
        ui.separator()
        caption(_('Описание'))
        user_text(ticket.description).mark('description')
        if own := card.files_of(''):
            ui.separator()
            caption(_('Файлы'))
            attachment_list(own)
        ticket_actions.ending_area(card, ticket)  # withdraw, close: apart, at the bottom


def _fields(ticket: pb.Ticket, organization: str, zone: str) -> None:
    contact = ticket.contact
    # Two short fields a row even on a phone: the conversation is not far below.
    wide = 'max-sm:col-span-2'  # the long ones: a row of their own on a phone
    with ui.grid().classes('w-full gap-x-8 gap-y-4 grid-cols-2 md:grid-cols-3'):
        if organization:
            field_row(_('Организация'), organization).classes(wide)
        with ui.column().classes(f'gap-0 min-w-0 {wide}'):
            caption(_('Сайт'))
            site_link(ticket.site_url)
        field_row(_('Контакт'), contact.full_name, contact.email, contact.phone).classes(wide)
        field_row(_('Приоритет'), labels.priority(ticket.priority))
        field_row(_('Желаемая дата реализации'), labels.day(ticket.desired_date),
                  empty=_('не указана'))
        field_row(_('Плановая дата'), labels.day(ticket.planned_date), empty=_('не назначена'))
        field_row(_('Создан'), labels.moment(ticket.create_time, zone))
        field_row(_('Обновлён'), labels.moment(ticket.update_time, zone))
        if ticket.rating:
            field_row(pgettext('rating', 'Оценка'), '★' * ticket.rating)


def _note(ticket: pb.Ticket) -> None:
    """The open question (needs_info) or the work summary (awaiting_acceptance)."""
    if not ticket.status_note:
        return
    title = {pb.STATUS_NEEDS_INFO: _('Вопрос студии — ответьте в комментарии'),
             pb.STATUS_AWAITING_ACCEPTANCE: _('Выполненные работы — проверьте их. Если есть '
                                              'замечания, напишите их в комментарии.')} \
        .get(ticket.status, _('Примечание'))
    with ui.column().classes('w-full gap-1 p-3 rounded bg-orange-1') \
            .style('border-left: 4px solid var(--q-warning)'):
        ui.label(title).classes('font-medium text-orange-10')
        user_text(ticket.status_note)
