"""Steps 4–5 of the instruction: the ticket card, its actions and the comment thread.

On a wide screen the conversation («Переписка», its «Комментарий» field) sits on the right
of the details, as step 4 says; on a phone it comes right after the details, its field
before the thread, and the long history last.
"""

from __future__ import annotations

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .. import api, history, i18n, labels, staff_panel, ticket_actions, widgets
from ..api import Api, ApiError
from ..files import attachment_list, list_files
from ..frame import frame, show_error
from ..uploads import FilePicker, show_failures
from ..i18n import _

POLL_SECONDS = 5.0


@ui.page('/tickets/{number}', response_timeout=20)
async def ticket_card_page(number: int) -> None:
    session = Api.of_current_user()
    card = TicketCard(session, number)
    with frame(session, _('Тикет #{number}').format(number=number)):
        if not await card.load():
            _not_found()
            return
        card.build()
        show_failures(api.ticket_name(number))  # files the new-ticket form could not attach
    ui.timer(POLL_SECONDS, card.poll)
    await card.mark_seen()


def _not_found() -> None:
    with ui.card().classes('w-full max-w-xl self-center items-center py-12 gap-3'):
        ui.icon('search_off', size='xl', color='grey-5')
        ui.label(_('Тикет не найден')).classes('text-h6').mark('not-found')
        ui.label(_('Проверьте номер тикета или вернитесь к списку.')).classes('text-grey-7')
        ui.button(_('Все тикеты'), icon='list', on_click=lambda: ui.navigate.to('/')) \
            .props('unelevated')


class TicketCard:
    """One open card: the ticket and its comments as last read, and what the user may do."""

    def __init__(self, session: Api, number: int):
        self.session = session
        self.number = number
        self.ticket: pb.Ticket | None = None
        self.comments: list[pb.Comment] = []
        self.files: list = []  # files_pb2.File of the ticket and of its comments
        self.comment_request_id = api.new_request_id()
        self.organization = ''  # its display name, shown to staff
        self.staff: staff_panel.StaffPanel | None = None
        self.drafts: dict = {}  # the texts typed into the actions' dialogs, per action
        # The client commented on work awaiting acceptance: those are remarks (the instruction's
        # «Отправка тикета в доработку»), acknowledged before the workflow has marked them.
        self.remarks_sent = False
        self._polling = False

    # --- reading ------------------------------------------------------------------------

    async def load(self) -> bool:
        """False when the ticket does not exist or is not the user's to see."""
        try:
            self.ticket = await self.session.get_ticket(self.number)
            self.comments = await self.session.list_comments(self.ticket.name)
            names = await self.session.organization_names()
            self.files = await self._list_files()
        except ApiError as error:
            if not error.not_found:
                show_error(error)
            return False
        self.organization = self.ticket.organization_display_name or \
            names.get(self.ticket.organization, '')
        return True

    async def mark_seen(self) -> None:
        """Opening the card reads its notifications: the bell counts only what is new."""
        try:
            await self.session.mark_notifications_read(ticket=self.ticket.name)
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
        ticket = await self.session.get_ticket(self.number)
        comments = await self.session.list_comments(ticket.name)
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

    async def _list_files(self) -> list:
        """The ticket's files; the card still opens when the files service does not answer."""
        assert self.ticket is not None
        try:
            return await list_files(self.session, self.ticket.name)
        except ApiError as error:
            if error.session_expired:
                raise
            return self.files

    def _files_of(self, comment: str) -> list:
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
                    self._comment_form()
                with ui.element('div').classes('w-full'):
                    self.thread()
            if not self.session.account.is_client:  # assignee, priority, estimate, planned date
                with ui.element('div').classes('w-full min-w-0 lg:col-start-1'):
                    self.staff = staff_panel.attach(self)
            with ui.element('div').classes('w-full min-w-0 lg:col-start-1'):
                history.attach(self)

    @ui.refreshable_method
    def details(self) -> None:
        ticket = self.ticket
        assert ticket is not None
        with ui.card().classes('w-full gap-4 p-6 max-sm:p-4'):
            with ui.row().classes('w-full items-center gap-3'):
                ui.label(_('Тикет #{number}').format(number=ticket.number)) \
                    .classes('text-h5 font-medium') \
                    .mark('ticket-number')
                widgets.status_badge(ticket.status)
                if self.remarks_pending:
                    ui.badge(_('есть замечания'), color='orange-8').props('outline') \
                        .mark('remarks')
                ui.space()
                ticket_actions.accept_button(self, ticket)  # top right, as the instruction says
            ui.label(ticket.title).classes('text-h6 font-normal leading-snug') \
                .style('overflow-wrap: anywhere').mark('ticket-title')
            ticket_actions.remarks_banner(self)
            ticket_actions.action_bar(self, ticket)
            self._note(ticket)
            self._fields(ticket)
            ui.separator()
            widgets.caption(_('Описание'))
            widgets.user_text(ticket.description).mark('description')
            if self._files_of(''):
                ui.separator()
                widgets.caption(_('Файлы'))
                attachment_list(self._files_of(''))
            ticket_actions.ending_area(self, ticket)  # withdraw, close: apart, at the bottom

    def _fields(self, ticket: pb.Ticket) -> None:
        contact = ticket.contact
        # Two short fields a row even on a phone: the conversation is not far below.
        wide = 'max-sm:col-span-2'  # the long ones: a row of their own on a phone
        with ui.grid().classes('w-full gap-x-8 gap-y-4 grid-cols-2 md:grid-cols-3'):
            if self.organization:
                widgets.field_row(_('Организация'), self.organization).classes(wide)
            with ui.column().classes(f'gap-0 min-w-0 {wide}'):
                widgets.caption(_('Сайт'))
                widgets.site_link(ticket.site_url)
            widgets.field_row(_('Контакт'), contact.full_name, contact.email, contact.phone) \
                .classes(wide)
            widgets.field_row(_('Приоритет'), labels.priority(ticket.priority))
            widgets.field_row(_('Желаемая дата реализации'), labels.day(ticket.desired_date),
                              empty=_('не указана'))
            widgets.field_row(_('Плановая дата'), labels.day(ticket.planned_date),
                              empty=_('не назначена'))
            widgets.field_row(_('Создан'), labels.moment(ticket.create_time))
            widgets.field_row(_('Обновлён'), labels.moment(ticket.update_time))
            if ticket.rating:
                widgets.field_row(i18n.pgettext('rating', 'Оценка'), '★' * ticket.rating)

    def _note(self, ticket: pb.Ticket) -> None:
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
            widgets.user_text(ticket.status_note)

    # --- actions (ui/ticket_actions.py asks for what each takes) -------------------------

    async def transition(self, action: int, **details) -> bool:
        """Takes the action, then reads the ticket again (its status, its new assignee); False
        when refused (the reason is shown)."""
        assert self.ticket is not None
        try:
            self.ticket = await self.session.transition(self.ticket.name, action,
                                                        seen=self.ticket.status, **details)
        except ApiError as error:
            show_error(error)
            done = False
        else:
            self.remarks_sent = False
            ui.notify(_('Статус: {status}').format(status=labels.status(self.ticket.status)),
                      type='positive')
            done = True
        await self._refresh_all()
        return done

    async def _refresh_all(self) -> None:
        try:
            await self.reload()
        except ApiError as error:
            show_error(error)
        self.details.refresh()
        if self.staff is not None:
            await self.staff.follow()  # the studio's fields at once, not at its next tick

    # --- comments -----------------------------------------------------------------------

    @ui.refreshable_method
    def thread(self) -> None:
        if not self.comments:
            ui.label(_('Комментариев пока нет.')).classes('text-grey-7')
            return
        with ui.column().classes('w-full gap-2').mark('comments'):
            for comment in self.comments:
                _comment(comment, self._files_of(comment.name))

    def _comment_form(self) -> None:
        self.comment = ui.textarea(_('Комментарий')).props('outlined autogrow') \
            .classes('w-full').mark('comment')
        self.attach = FilePicker(self.session)
        with ui.column().classes('w-full gap-2').mark('comment-files'):
            self.attach.build(button_text=_('Прикрепить файлы'))
        with ui.row().classes('w-full items-center justify-end'):
            self.send_button = ui.button(_('Отправить'), icon='send', on_click=self.send) \
                .props('unelevated no-caps').mark('send')
            # «Внутренняя заметка» for the studio (None for a client).
            self.note = staff_panel.note_switch(self, self.comment, self.send_button)

    def _files_note(self) -> str:
        """The text of a comment that only carries files."""
        names = [p.name for p in self.attach.waiting]
        return _('Файлы: {names}').format(names=', '.join(names)) if names else ''

    async def send(self) -> None:
        assert self.ticket is not None
        # A client's comment on work awaiting acceptance is remarks: the workflow marks the
        # ticket and tells the studio.
        remarks = self.session.account.is_client \
            and self.ticket.status == pb.STATUS_AWAITING_ACCEPTANCE
        body = (self.comment.value or '').strip() or self._files_note()
        if not body:
            self.comment.error = _('Напишите комментарий')
            return
        if not self.attach.ready:
            ui.notify(_('Дождитесь, пока файлы загрузятся'), type='warning')
            return
        self.send_button.disable()
        try:
            comment = await staff_panel.add_comment(
                self, body, internal=bool(self.note and self.note.value))
            await self.attach.send(self.ticket.name, comment.name)  # its files, under it
        except ApiError as error:
            show_error(error)  # the text stays in the field for another try
            return
        finally:
            self.send_button.enable()
        self.comment.error = None
        self.comment.value = ''
        self.attach.clear_sent()
        self.comment_request_id = api.new_request_id()
        if remarks:
            self.remarks_sent = True
            ui.notify(_('Замечания отправлены. Студия получила уведомление и заберёт тикет в '
                        'доработку.'), type='positive', multi_line=True)
        await self._refresh_all()


def _comment(comment: pb.Comment, attached: list | None = None) -> None:
    internal = comment.visibility == pb.VISIBILITY_INTERNAL
    staff = comment.author_role in ('developer', 'manager')
    background = 'bg-amber-1' if internal else 'bg-blue-1' if staff else 'bg-grey-2'
    with ui.column().classes(f'w-full gap-1 p-3 rounded {background}') \
            .style(staff_panel.NOTE_STYLE if internal else ''):
        with ui.row().classes('w-full items-baseline gap-2'):
            ui.label(comment.author_display_name or _('Система')).classes('font-medium')
            if comment.author_role in labels.ROLE_TITLE:
                ui.label(labels.role_title(comment.author_role)).classes('text-xs text-grey-7')
            ui.space()
            ui.label(labels.moment(comment.create_time)).classes('text-xs text-grey-7')
        if internal:
            staff_panel.internal_marker()  # «Внутренняя заметка — клиент не видит»
        if comment.action in labels.ACTION:
            ui.label(labels.action(comment.action)).classes('text-xs text-primary font-medium')
        widgets.user_text(comment.body)
        if attached:
            attachment_list(attached, dense=True)

