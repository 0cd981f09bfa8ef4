"""«Переписка» of the ticket card: the thread of comments with their files, and the comment
box with its own files and, for the studio, the switch that makes it an internal note.

A client's comment on work awaiting acceptance is remarks (the instruction's «Отправка
тикета в доработку»): the workflow marks the ticket and tells the studio, and the card
acknowledges them at once.
"""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from ticketdesk.files.v1 import files_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .. import labels
from ..clients.base import new_request_id
from ..clients.errors import ApiError
from ..i18n import N_, _
from .alerts import show_error
from .attachments import attachment_list
from .uploads import FilePicker
from .widgets import user_text

SHOWN = 20  # the latest comments a card shows before «Показать все»
NOTE_LABEL = N_('Внутренняя заметка — клиент не видит')
# How an internal note stands out in the thread.
NOTE_STYLE = 'border-left: 4px solid #ff8f00; border: 1px dashed #ffb300; border-left-width: 4px'


def thread(comments: list[pb.Comment], files_of: Callable[[str], list[files_pb2.File]],
           zone: str, *, show_all: bool = True,
           on_show_all: Callable[[], None] | None = None) -> None:
    """The comments, oldest first, each with its files; moments in the studio's `zone`.
    Unless `show_all`, only the latest `SHOWN`, under «Показать все» (`on_show_all`): a
    long thread's elements are built and drawn only when asked for."""
    if not comments:
        ui.label(_('Комментариев пока нет.')).classes('text-grey-7')
        return
    shown = comments if show_all or len(comments) <= SHOWN else comments[-SHOWN:]
    if len(shown) < len(comments):
        ui.button(_('Показать все ({count})').format(count=len(comments)),
                  on_click=on_show_all).props('flat dense no-caps color=primary') \
            .mark('all-comments')
    with ui.column().classes('w-full gap-2').mark('comments'):
        for comment in shown:
            _comment(comment, files_of(comment.name), zone)


def _comment(comment: pb.Comment, attached: list[files_pb2.File], zone: str) -> None:
    internal = comment.visibility == pb.VISIBILITY_INTERNAL
    staff = comment.author_role in ('developer', 'manager')
    background = 'bg-amber-1' if internal else 'bg-blue-1' if staff else 'bg-grey-2'
    with ui.column().classes(f'w-full gap-1 p-3 rounded {background}') \
            .style(NOTE_STYLE if internal else ''):
        with ui.row().classes('w-full items-baseline gap-2'):
            ui.label(comment.author_display_name or _('Система')).classes('font-medium')
            if comment.author_role in labels.ROLE_TITLE:
                ui.label(labels.role_title(comment.author_role)).classes('text-xs text-grey-7')
            ui.label(labels.moment(comment.create_time, zone)) \
                .classes('text-xs text-grey-7 ml-auto')
        if internal:
            with ui.row().classes('items-center gap-1 text-amber-10').mark('internal-note'):
                ui.icon('lock', size='xs')
                ui.label(_(NOTE_LABEL)).classes('text-xs font-medium')
        if comment.action in labels.ACTION:
            ui.label(labels.action(comment.action)).classes('text-xs text-primary font-medium')
        user_text(comment.body)
        if attached:
            attachment_list(attached, dense=True)


class CommentBox:
    """The card's «Комментарий»: one request id per comment, so that a retried «Отправить»
    adds it once. `card`: the page's open card (its `ticket`, `session`, `remarks_sent` and
    `refresh_all()`)."""

    def __init__(self, card):
        self.card = card
        self.session = card.session
        self.request_id = new_request_id()
        self.note: ui.switch | None = None

    def build(self) -> None:
        self.comment = ui.textarea(_('Комментарий')).props('outlined autogrow') \
            .classes('w-full').mark('comment')
        self.attach = FilePicker(self.session)
        with ui.column().classes('w-full gap-2').mark('comment-files'):
            self.attach.build(button_text=_('Прикрепить файлы'))
        with ui.row().classes('w-full items-center justify-end'):
            self.send_button = ui.button(_('Отправить'), icon='send', on_click=self.send) \
                .props('unelevated no-caps').mark('send')
            if not self.session.account.is_client:
                self.note = self._note_switch()

    def _note_switch(self) -> ui.switch:
        """«Внутренняя заметка» for the studio: the comment box turns amber and says so."""
        switch = ui.switch(_('Внутренняя заметка'), on_change=lambda e: self._show(e.value)) \
            .props('dense color=amber-9').classes('text-sm order-first mr-auto') \
            .mark('internal-switch')
        switch.tooltip(_('Заметку видят только сотрудники студии'))
        return switch

    def _show(self, internal: bool) -> None:
        self.comment.props['label'] = _(NOTE_LABEL) if internal else _('Комментарий')
        if internal:
            self.comment.props('bg-color=amber-1')
        else:
            self.comment.props(remove='bg-color')
        self.comment.update()
        self.send_button.set_text(_('Добавить заметку') if internal else _('Отправить'))
        self.send_button.props['color'] = 'amber-9' if internal else 'primary'
        self.send_button.update()

    def _files_note(self) -> str:
        """The text of a comment that only carries files."""
        names = [p.name for p in self.attach.waiting]
        return _('Файлы: {names}').format(names=', '.join(names)) if names else ''

    async def send(self) -> None:
        ticket: pb.Ticket = self.card.ticket
        remarks = self.session.account.is_client \
            and ticket.status == pb.STATUS_AWAITING_ACCEPTANCE
        body = (self.comment.value or '').strip() or self._files_note()
        if not body:
            self.comment.error = _('Напишите комментарий')
            return
        if not self.attach.ready:
            ui.notify(_('Дождитесь, пока файлы загрузятся'), type='warning')
            return
        self.send_button.disable()
        try:
            comment = await self.session.tickets.add_comment(
                ticket.name, body, self.request_id, internal=bool(self.note and self.note.value))
            await self.attach.send(ticket.name, comment.name)  # its files, under it
        except ApiError as error:
            show_error(error, labels.field_labels())  # the text stays for another try
            return
        finally:
            self.send_button.enable()
        self._sent(remarks)
        await self.card.refresh_all()

    def _sent(self, remarks: bool) -> None:
        self.comment.error = None
        self.comment.value = ''
        self.attach.clear_sent()
        self.request_id = new_request_id()
        if remarks:
            self.card.remarks_sent = True
            ui.notify(_('Замечания отправлены. Студия получила уведомление и заберёт тикет в '
                        'доработку.'), type='positive', multi_line=True)
