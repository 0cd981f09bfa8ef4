"""Dialogs that ask for what an action needs: a text, a rating, a target status.

Each returns None when the person cancels. Build them inside a container that outlives
refreshes of the card (a refreshed parent would delete an open dialog).
"""

from __future__ import annotations

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .i18n import _


async def ask_text(title: str, label: str, confirm: str) -> str | None:
    with ui.dialog() as dialog, ui.card().classes('w-[36rem] max-w-full gap-3'):
        ui.label(title).classes('text-h6')
        text = ui.textarea(label).props('outlined autogrow autofocus') \
            .classes('w-full').mark('dialog-text')

        def submit() -> None:
            if not (text.value or '').strip():
                text.error = _('Заполните это поле')
                return
            dialog.submit(text.value.strip())

        _buttons(dialog, confirm, submit)
    return await answer(dialog)


async def ask_acceptance() -> int | None:
    """The rating (0 when none) of the accepted work."""
    with ui.dialog() as dialog, ui.card().classes('w-[32rem] max-w-full gap-3'):
        ui.label(_('Принять работы?')).classes('text-h6')
        ui.label(_('Тикет получит статус «Выполнен». Если есть замечания, не принимайте '
                   'работы, а напишите их в комментарии.')).classes('text-grey-8')
        ui.label(_('Оцените работу (необязательно)')).classes('text-caption text-grey-7')
        rating = ui.rating(max=5, value=0, size='lg', color='amber-8').mark('rating')
        _buttons(dialog, _('Принять работы'), lambda: dialog.submit(int(rating.value or 0)),
                 color='positive')
    return await answer(dialog)


async def ask_take_back() -> int | None:
    """Where the ticket goes back to: in progress (default) or the queue."""
    with ui.dialog() as dialog, ui.card().classes('w-[32rem] max-w-full gap-3'):
        ui.label(_('Вернуть в доработку')).classes('text-h6')
        target = ui.radio({pb.STATUS_IN_PROGRESS: _('В работу'), pb.STATUS_QUEUED: _('В очередь')},
                          value=pb.STATUS_IN_PROGRESS).props('inline')
        _buttons(dialog, _('Вернуть'), lambda: dialog.submit(target.value))
    return await answer(dialog)


def _buttons(dialog: ui.dialog, confirm: str, on_confirm, color: str = 'primary') -> None:
    with ui.row().classes('w-full justify-end gap-2'):
        ui.button(_('Отмена'), on_click=lambda: dialog.submit(None)).props('flat no-caps')
        ui.button(confirm, on_click=on_confirm, color=color).props('unelevated no-caps') \
            .mark('dialog-confirm')


async def answer(dialog: ui.dialog):
    """Open `dialog`, wait for what it submits (None when cancelled), then remove it."""
    dialog.open()
    try:
        return await dialog
    finally:
        dialog.delete()

