"""Steps 4–5 of the instruction: the ticket card, its actions and the comment thread.

On a wide screen the conversation («Переписка», its «Комментарий» field) sits on the right
of the details, as step 4 says; on a phone it comes right after the details, its field
before the thread, and the long history last.
"""

from __future__ import annotations

import asyncio

from nicegui import ui

from ticketdesk.files.v1 import files_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

from ... import labels, routes
from ...clients.errors import ApiError
from ...clients.tickets import ticket_name
from ...components import comments, history, staff_panel, ticket_details, time_log
from ...components.alerts import show_error
from ...components.frame import frame
from ...components.uploads import show_failures
from ...components.widgets import not_found_card
from ...i18n import _
from ...session import Session

POLL_SECONDS = 5.0


async def ticket_card_page(number: int) -> None:
    session = await Session.of_page()
    card = TicketCard(session, number)
    with frame(session, _('Тикет #{number}').format(number=number)):
        if not await card.load():
            not_found_card(_('Тикет не найден'), _('Все тикеты'), 'list', routes.HOME,
                           hint=_('Проверьте номер тикета или вернитесь к списку.'))
            return
        card.build()
        show_failures(ticket_name(number))  # files the new-ticket form could not attach
    ui.timer(POLL_SECONDS, card.poll, immediate=False)  # just read: the first poll can wait
    # Once the page is out (NiceGUI sends it when this function returns): a write the
    # reader does not wait for.
    ui.timer(0, card.mark_seen, once=True)


class TicketCard:
    """One open card: the ticket and its comments as last read, and what the user may do."""

    def __init__(self, session: Session, number: int):
        self.session = session
        self.number = number
        self.ticket: pb.Ticket | None = None
        self.comments: list[pb.Comment] = []
        self.files: list[files_pb2.File] = []  # of the ticket and of its comments
        self.organization = ''  # its display name, shown to staff
        self.staff: staff_panel.StaffPanel | None = None
        self.drafts: dict = {}  # the texts typed into the actions' dialogs, per action
        # The client commented on work awaiting acceptance: those are remarks (the instruction's
        # «Отправка тикета в доработку»), acknowledged before the workflow has marked them.
        self.remarks_sent = False
        self.all_comments = False  # the whole thread, not only its latest comments
        self._polling = False

    # --- reading ------------------------------------------------------------------------

    async def load(self) -> bool:
        """False when the ticket does not exist or is not the user's to see."""
        name = ticket_name(self.number)
        # The four reads at once; the ticket's own answer decides first (a missing ticket's
        # comments are missing too).
        answers = await asyncio.gather(
            self.session.tickets.get_ticket(self.number), self.session.tickets.comments(name),
            self.session.auth.organization_names(), self._list_files(),
            return_exceptions=True)
        try:
            for answer in answers:
                if isinstance(answer, BaseException):
                    raise answer
        except ApiError as error:
            if not error.not_found:
                show_error(error)
            return False
        self.ticket, self.comments, names, self.files = answers
        self.organization = self.ticket.organization_display_name or \
            names.get(self.ticket.organization, '')
        return True

    async def mark_seen(self) -> None:
        """Opening the card reads its notifications: the bell counts only what is new."""
        try:
            await self.session.tickets.mark_notifications_read(ticket=self.ticket.name)
        except ApiError:
            pass  # the bell keeps counting them; nothing on the card depends on it

    async def poll(self) -> None:
        """Re-renders only what changed since the last read."""
        if self._polling or self.ticket is None:
            return
        self._polling = True
        try:
            await self.reload()
        except ApiError as error:
            if error.session_expired:
                show_error(error)
            # anything else: the next poll retries in a few seconds
        finally:
            self._polling = False

    async def reload(self) -> None:
        assert self.ticket is not None
        ticket = await self.session.tickets.get_ticket(self.number)
        comments = await self.session.tickets.comments(ticket.name)
        if (ticket.etag, ticket.update_time) != (self.ticket.etag, self.ticket.update_time):
            if ticket.status != self.ticket.status:
                self.remarks_sent = False  # taken back (or accepted): the remarks are dealt with
            self.ticket = ticket
            self.details.refresh()
        files = await self._list_files()
        new_files = [f.name for f in files] != [f.name for f in self.files]
        if new_files:
            self.files = files
            self.details.refresh()
        if new_files or [c.name for c in comments] != [c.name for c in self.comments]:
            self.comments = comments
            self.thread.refresh()

    async def _list_files(self) -> list[files_pb2.File]:
        """The ticket's files; the card still opens when the files service does not answer."""
        try:
            return await self.session.files.files(ticket_name(self.number))
        except ApiError as error:
            if error.session_expired:
                raise
            return self.files

    def files_of(self, comment: str) -> list[files_pb2.File]:
        """The files of one comment (`tickets/1/comments/2`); the ticket's own: ''."""
        return [f for f in self.files if f.comment == comment]

    @property
    def remarks_pending(self) -> bool:
        """The client's remarks on work awaiting acceptance wait for the studio."""
        return self.ticket is not None \
            and self.ticket.status == pb.STATUS_AWAITING_ACCEPTANCE \
            and (self.ticket.has_remarks or self.remarks_sent)

    # --- the layout ---------------------------------------------------------------------

    def build(self) -> None:
        self.dialogs = ui.element('div')  # outlives the refreshes below
        # One column in the order a phone shows it; from `lg` a grid whose right column
        # holds the conversation beside everything else (the last row takes the slack, so
        # that a long conversation leaves no gaps between the cards on the left).
        with ui.element('div').classes(
                'w-full flex flex-col gap-4 lg:grid lg:items-start '
                'lg:grid-cols-[minmax(0,1fr)_26rem] lg:grid-rows-[auto_auto_1fr]') \
                .mark('card-layout'):
            with ui.element('div').classes('w-full min-w-0 lg:col-start-1'):
                self.details()
            with ui.card().classes('w-full gap-3 lg:col-start-2 lg:row-start-1 lg:row-span-3') \
                    .mark('conversation'):
                ui.label(_('Переписка')).classes('text-h6')
                # The field before the thread on a phone (reachable without scrolling it),
                # under it on a wide screen.
                with ui.element('div').classes('w-full flex flex-col gap-2 lg:order-last') \
                        .mark('comment-form'):
                    comments.CommentBox(self).build()
                with ui.element('div').classes('w-full'):
                    self.thread()
            if not self.session.account.is_client:  # assignee, priority, estimate, planned
                # date; the time logged against the estimate (one cell: the rows stay three)
                with ui.element('div').classes('w-full min-w-0 lg:col-start-1 flex flex-col '
                                               'gap-4'):
                    self.staff = staff_panel.attach(self)
                    time_log.attach(self)
            with ui.element('div').classes('w-full min-w-0 lg:col-start-1'):
                history.attach(self)

    @ui.refreshable_method
    def details(self) -> None:
        ticket_details.details(self)

    @ui.refreshable_method
    def thread(self) -> None:
        comments.thread(self.comments, self.files_of, self.session.zone,
                        show_all=self.all_comments, on_show_all=self.show_all_comments)

    def show_all_comments(self) -> None:
        self.all_comments = True
        self.thread.refresh()

    # --- actions (ui/components/ticket_actions.py asks for what each takes) --------------

    async def transition(self, action: int, **details) -> bool:
        """Takes the action, then reads the ticket again (its status, its new assignee); False
        when refused (the reason is shown)."""
        assert self.ticket is not None
        try:
            self.ticket = await self.session.tickets.transition(
                self.ticket.name, action, expected=self.ticket.status, **details)
        except ApiError as error:
            show_error(error, labels.field_labels())
            done = False
        else:
            self.remarks_sent = False
            ui.notify(_('Статус: {status}').format(status=labels.status(self.ticket.status)),
                      type='positive')
            done = True
        await self.refresh_all()
        return done

    async def refresh_all(self) -> None:
        """Reads the ticket again and shows it everywhere on the card at once."""
        try:
            await self.reload()
        except ApiError as error:
            show_error(error)
        self.details.refresh()
        if self.staff is not None:
            await self.staff.follow()  # the studio's fields at once, not at its next tick
