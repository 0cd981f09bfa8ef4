"""The administration's dialogs: a form whose fields show the services' problems next to
them (nothing typed is lost on a refusal), and a secret shown once."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from ...clients.errors import ApiError
from ...i18n import N_, _
from ..alerts import show_error, show_field_errors
from ..dialogs import answer

SHOWN_ONCE = N_('Сохраните — больше он показан не будет')


async def show_secret(title: str, what: str, secret: str, details: list[tuple[str, str]]) -> None:
    """A password or a token, shown once, with a copy button."""
    with ui.dialog().props('persistent') as dialog, \
            ui.card().classes('w-[34rem] max-w-full gap-3').mark('secret-dialog'):
        with ui.row().classes('items-center gap-2 no-wrap'):
            ui.icon('check_circle', color='positive', size='sm')
            ui.label(title).classes('text-h6')
        for caption, value in details:
            with ui.row().classes('gap-2 no-wrap'):
                ui.label(caption).classes('text-grey-7 w-28 shrink-0')
                ui.label(value).classes('font-medium').style('overflow-wrap: anywhere')
        ui.label(what).classes('text-xs text-grey-7 uppercase tracking-wide mt-2')
        with ui.row().classes('w-full items-center no-wrap gap-2 bg-grey-2 rounded px-3 py-2'):
            ui.label(secret).classes('font-mono text-body1 grow select-all') \
                .style('overflow-wrap: anywhere').props('data-testid=secret').mark('secret')

            def copy() -> None:
                ui.clipboard.write(secret)
                ui.notify(_('Скопировано'), type='positive', position='top')

            copy_button = ui.button(icon='content_copy', on_click=copy) \
                .props('flat round dense').tooltip(_('Скопировать'))
            copy_button.props['aria-label'] = _('Скопировать')
        with ui.row().classes('items-center gap-2 no-wrap text-orange-9'):
            ui.icon('warning', size='xs')
            ui.label(_(SHOWN_ONCE)).classes('font-medium')
        with ui.row().classes('w-full justify-end'):
            ui.button(_('Готово'), on_click=lambda: dialog.submit(None)) \
                .props('unelevated no-caps').mark('secret-done')
    await answer(dialog)


class Form:
    """A dialog's fields by name; shows the server's problems next to them."""

    def __init__(self) -> None:
        self.fields: dict[str, ui.element] = {}
        self.general = None

    def add(self, name: str, element):
        self.fields[name] = element
        element.props('outlined')
        return element

    def message_line(self) -> None:
        self.general = ui.label().classes('text-negative text-sm').mark('form-error')
        self.general.visible = False

    def clear(self) -> None:
        for element in self.fields.values():
            element.error = None
        if self.general is not None:
            self.general.visible = False

    def problem(self, name: str, text: str) -> None:
        self.fields[name].error = text

    @property
    def has_problems(self) -> bool:
        return any(element.error for element in self.fields.values())

    def text(self, name: str) -> str:
        """What was typed into the field `name`, without surrounding blanks."""
        return (self.fields[name].value or '').strip()

    def fail(self, error: ApiError) -> None:
        """Problems of known fields go next to them, everything else above the buttons."""
        show_field_errors(error, self.fields)
        rest = [text for name, text in error.violations.items() if name not in self.fields]
        if error.session_expired or self.general is None:
            show_error(error)
        elif rest or not error.violations:
            self.general.set_text('; '.join(rest) if rest else error.message)
            self.general.visible = True


def buttons(dialog: ui.dialog, confirm_label: str, on_confirm: Callable) -> ui.button:
    with ui.row().classes('w-full justify-end gap-2 mt-2'):
        ui.button(_('Отмена'), on_click=lambda: dialog.submit(None)).props('flat no-caps')
        return ui.button(confirm_label, on_click=on_confirm).props('unelevated no-caps') \
            .mark('dialog-confirm')


async def save_form(dialog: ui.dialog, form: Form, button: ui.button, call: Callable) -> None:
    """Run `call()` with `button` busy: a refusal goes next to the form's fields (nothing
    typed is lost), success closes `dialog` with the result."""
    busy(button, True)
    try:
        done = await call()
    except ApiError as error:
        form.fail(error)
        return
    finally:
        busy(button, False)
    dialog.submit(done)


def busy(button: ui.button, on: bool) -> None:
    if on:
        button.props('loading')
    else:
        button.props(remove='loading')
