"""Steps 4–5 of the instruction: the ticket card, its actions and the comment thread."""

from __future__ import annotations

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket import rules

from .. import api, dialogs, history, i18n, labels, staff_panel, widgets
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

    # --- the layout ---------------------------------------------------------------------

    def build(self) -> None:
        self.dialogs = ui.element('div')  # outlives the refreshes below
        with ui.row().classes('w-full items-start gap-4 no-wrap max-lg:flex-wrap'):
            with ui.column().classes('grow min-w-0 max-lg:w-full gap-4'):
                self.details()
                staff_panel.attach(self)  # assignee, priority, estimate, planned date (staff)
                history.attach(self)
            with ui.card().classes('w-[26rem] max-lg:w-full gap-3 shrink-0'):
                ui.label(_('Переписка')).classes('text-h6')
                self.thread()
                self._comment_form()

    @ui.refreshable_method
    def details(self) -> None:
        ticket = self.ticket
        assert ticket is not None
        with ui.card().classes('w-full gap-4 p-6'):
            with ui.row().classes('w-full items-center gap-3'):
                ui.label(_('Тикет #{number}').format(number=ticket.number)) \
                    .classes('text-h5 font-medium') \
                    .mark('ticket-number')
                widgets.status_badge(ticket.status)
                if ticket.has_remarks:
                    ui.badge(_('есть замечания'), color='orange-8').props('outline')
                ui.space()
                if pb.ACTION_ACCEPT in ticket.allowed_actions:  # top right, as the instruction says
                    ui.button(labels.action(pb.ACTION_ACCEPT), icon='check_circle',
                              color='positive', on_click=self.accept) \
                        .props('unelevated size=lg no-caps').mark('accept')
            ui.label(ticket.title).classes('text-h6 font-normal leading-snug') \
                .style('overflow-wrap: anywhere').mark('ticket-title')
            self._actions(ticket)
            self._note(ticket)
            self._fields(ticket)
            ui.separator()
            widgets.caption(_('Описание'))
            widgets.user_text(ticket.description).mark('description')
            if self._files_of(''):
                ui.separator()
                widgets.caption(_('Файлы'))
                attachment_list(self._files_of(''))

    def _fields(self, ticket: pb.Ticket) -> None:
        contact = ticket.contact
        with ui.grid().classes('w-full gap-x-8 gap-y-4 grid-cols-1 sm:grid-cols-2 md:grid-cols-3'):
            if self.organization:
                widgets.field_row(_('Организация'), self.organization)
            with ui.column().classes('gap-0 min-w-0'):
                widgets.caption(_('Сайт'))
                widgets.site_link(ticket.site_url)
            widgets.field_row(_('Контакт'), contact.full_name, contact.email, contact.phone)
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

    # --- actions ------------------------------------------------------------------------

    def _actions(self, ticket: pb.Ticket) -> None:
        """The workflow's actions for this user now (ACCEPT sits in the header)."""
        allowed = [a for a in ticket.allowed_actions
                   if a in labels.ACTION and a != pb.ACTION_ACCEPT]
        if not allowed:
            return
        ending = [a for a in allowed if a in (pb.ACTION_WITHDRAW, pb.ACTION_CLOSE)]
        bar = 'p-2 rounded bg-grey-1' if len(ending) < len(allowed) else ''
        with ui.row().classes(f'w-full items-center gap-2 {bar}').mark('actions'):
            for action in allowed:
                if action not in ending:
                    ui.button(labels.action(action), on_click=lambda a=action: self.perform(a)) \
                        .props('outline no-caps')
            ui.space()
            for action in ending:
                ui.button(labels.action(action), color='negative',
                          on_click=lambda a=action: self.perform(a)).props('flat no-caps')

    async def perform(self, action: int) -> None:
        requires = _required_text(action)
        if requires:
            with self.dialogs:
                text = await dialogs.ask_text(labels.action(action),
                                              labels.action_text(requires),
                                              labels.action(action))
            if text is not None:
                await self._transition(action, text=text)
        elif action == pb.ACTION_TAKE_BACK:
            with self.dialogs:
                target = await dialogs.ask_take_back()
            if target is not None:
                await self._transition(action, target=target)
        else:
            await self._transition(action)

    async def accept(self) -> None:
        with self.dialogs:
            rating = await dialogs.ask_acceptance()
        if rating is not None:
            await self._transition(pb.ACTION_ACCEPT, rating=rating)

    async def _transition(self, action: int, **details) -> None:
        assert self.ticket is not None
        try:
            self.ticket = await self.session.transition(self.ticket.name, action,
                                                        seen=self.ticket.status, **details)
        except ApiError as error:
            show_error(error)
        else:
            ui.notify(_('Статус: {status}').format(status=labels.status(self.ticket.status)),
                      type='positive')
        await self._refresh_all()

    async def _refresh_all(self) -> None:
        try:
            await self.reload()
        except ApiError as error:
            show_error(error)
        self.details.refresh()

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


def _required_text(action: int) -> str:
    """What the status table calls the text this action requires; empty when none."""
    name = pb.Action.Name(action).removeprefix('ACTION_')
    rule = rules.TABLE.get(rules.Action[name]) if name in rules.Action.__members__ else None
    return rule.requires if rule else ''
