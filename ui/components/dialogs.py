"""Dialogs that ask for what an action needs: a text, a rating, a target status, the
confirmation of an action that ends a ticket or cannot be taken back.

Each returns None when the person cancels (a button or Escape): nothing happens then, and a
text typed into a `Draft` is still there when the dialog opens again. Build them inside a
container that outlives refreshes of the card (a refreshed parent would delete an open
dialog).
"""

from __future__ import annotations

from dataclasses import dataclass

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .. import labels
from ..i18n import N_, _

# Where «Вернуть в доработку» sends the ticket, as its choices read.
TARGETS = {pb.STATUS_IN_PROGRESS: N_('В работу'), pb.STATUS_QUEUED: N_('В очередь')}
REQUIRED = N_('Заполните это поле')


@dataclass
class Draft:
    """The text of a dialog as typed so far: kept across a cancel."""

    text: str = ''


async def ask_text(title: str, label: str, confirm: str, *, required: bool = True,
                   draft: Draft | None = None) -> str | None:
    draft = draft or Draft()
    with ui.dialog() as dialog, ui.card().classes('w-[36rem] max-w-full gap-3'):
        ui.label(title).classes('text-h6')
        text = _text_field(label, draft)

        def submit() -> None:
            if _missing(text, required):
                return
            dialog.submit((text.value or '').strip())

        _buttons(dialog, confirm, submit)
    return await answer(dialog)


async def ask_acceptance(*, remarks: bool = False) -> int | None:
    """The rating (0 when none) of the accepted work. With remarks pending, the dialog says
    that accepting leaves them undone."""
    with ui.dialog() as dialog, ui.card().classes('w-[32rem] max-w-full gap-3'):
        ui.label(_('Принять работы?')).classes('text-h6')
        if remarks:
            ui.label(_('Вы оставили замечания, и студия готовится вернуть тикет в доработку. '
                       'Если принять работы сейчас, тикет получит статус «Выполнен», а '
                       'замечания останутся без доработки.')).classes('text-orange-10') \
                .mark('accept-remarks-warning')
        else:
            ui.label(_('Тикет получит статус «Выполнен». Если есть замечания, не принимайте '
                       'работы, а напишите их в комментарии.')).classes('text-grey-8')
        ui.label(_('Оцените работу (необязательно)')).classes('text-caption text-grey-7')
        rating = ui.rating(max=5, value=0, size='lg', color='amber-8').mark('rating')
        _buttons(dialog, _('Принять работы'), lambda: dialog.submit(int(rating.value or 0)),
                 color='positive')
    return await answer(dialog)


async def ask_target(title: str, targets: list[int], confirm: str) -> int | None:
    """Where the ticket goes: one of `targets`, the first chosen to begin with."""
    with ui.dialog() as dialog, ui.card().classes('w-[32rem] max-w-full gap-3'):
        ui.label(title).classes('text-h6')
        choices = {t: _(TARGETS[t]) if t in TARGETS else labels.status(t) for t in targets}
        target = ui.radio(choices, value=targets[0]).props('inline').mark('dialog-targets')
        _buttons(dialog, confirm, lambda: dialog.submit(target.value))
    return await answer(dialog)


async def confirm_ending(title: str, consequence: str, confirm: str, *, label: str = '',
                         required: bool = False, draft: Draft | None = None) -> str | None:
    """Confirms an action that ends the ticket: says what will happen, asks for its text
    (the reason) when it takes one, and confirms with a red button named by the action.
    Answers the text ('' when it takes none); None when cancelled."""
    draft = draft or Draft()
    with ui.dialog() as dialog, ui.card().classes('w-[34rem] max-w-full gap-3') \
            .mark('ending-dialog'):
        with ui.row().classes('items-center gap-2 no-wrap'):
            ui.icon('warning', color='negative', size='sm')
            ui.label(title).classes('text-h6')
        ui.label(consequence).classes('text-body1 text-grey-9').mark('ending-consequence')
        text = _text_field(label, draft) if label else None

        def submit() -> None:
            if text is not None and _missing(text, required):
                return
            dialog.submit((text.value or '').strip() if text is not None else '')

        with ui.row().classes('w-full justify-end gap-2'):
            # Not «Отмена»: beside an action that cancels the ticket it would read as one.
            ui.button(_('Оставить открытым'), on_click=lambda: dialog.submit(None)) \
                .props('flat no-caps').mark('dialog-cancel')
            ui.button(confirm, icon='block', color='negative', on_click=submit) \
                .props('unelevated no-caps').mark('dialog-confirm')
    return await answer(dialog)


async def confirm(title: str, text: str, action: str, *, color: str = 'negative') -> bool:
    """Asks before an action that cannot be taken back."""
    with ui.dialog() as dialog, ui.card().classes('w-[32rem] max-w-full gap-3'):
        with ui.row().classes('items-center gap-2 no-wrap'):
            ui.icon('warning', color=color, size='sm')
            ui.label(title).classes('text-h6')
        ui.label(text).classes('text-grey-8')
        with ui.row().classes('w-full justify-end gap-2'):
            ui.button(_('Отмена'), on_click=lambda: dialog.submit(False)).props('flat no-caps')
            ui.button(action, on_click=lambda: dialog.submit(True), color=color) \
                .props('unelevated no-caps').mark('confirm')
    return bool(await answer(dialog))


def _text_field(label: str, draft: Draft) -> ui.textarea:
    def keep(event) -> None:
        draft.text = event.value or ''

    return ui.textarea(label, value=draft.text, on_change=keep) \
        .props('outlined autogrow autofocus').classes('w-full').mark('dialog-text')


def _missing(text: ui.textarea, required: bool) -> bool:
    """A required text left empty: the field says so and the dialog stays open."""
    if required and not (text.value or '').strip():
        text.error = _(REQUIRED)
        return True
    return False


def _buttons(dialog: ui.dialog, confirm: str, on_confirm, color: str = 'primary') -> None:
    with ui.row().classes('w-full justify-end gap-2'):
        ui.button(_('Отмена'), on_click=lambda: dialog.submit(None)).props('flat no-caps') \
            .mark('dialog-cancel')
        ui.button(confirm, on_click=on_confirm, color=color).props('unelevated no-caps') \
            .mark('dialog-confirm')


async def answer(dialog: ui.dialog):
    """Open `dialog`, wait for what it submits (None when cancelled), then remove it."""
    dialog.open()
    try:
        return await dialog
    finally:
        dialog.delete()
