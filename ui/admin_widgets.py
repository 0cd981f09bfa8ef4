"""What the manager's administration pages share: the access check, the section tabs,
confirmation and shown-once dialogs, form fields with the server's problems next to them."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from . import i18n, labels
from .api import ApiError
from .frame import frame
from .i18n import N_, _

SECTIONS = (
    ('/admin', N_('Организации'), 'apartment'),
    ('/admin/staff', N_('Сотрудники'), 'badge'),
    ('/admin/tokens', N_('API-токены'), 'key'),
    ('/admin/settings', N_('Настройки'), 'tune'),
)
SHOWN_ONCE = N_('Сохраните — больше он показан не будет')


def is_manager(session) -> bool:
    return session.account.role == 'manager'


def no_access(session) -> None:
    """The page a non-manager gets instead of an administration page."""
    with frame(session, _('Нет доступа')):
        with ui.card().classes('w-full max-w-xl self-center items-center py-12 gap-3') \
                .props('flat bordered'):
            ui.icon('lock', size='xl', color='grey-5')
            ui.label(_('Нет доступа')).classes('text-h6').mark('no-access')
            ui.label(_('Этот раздел доступен только менеджеру проекта.')).classes('text-grey-7')
            ui.button(_('К тикетам'), icon='list', on_click=lambda: ui.navigate.to('/')) \
                .props('unelevated no-caps')


def sections(current: str) -> None:
    """The administration's sections as tabs under the page title."""
    with ui.row().classes('w-full items-end gap-1 border-b border-gray-300'):
        ui.label(_('Администрирование')).classes('text-h5 font-medium mr-6 pb-1')
        for path, title, icon in SECTIONS:
            active = path == current
            link = ui.link(target=path).classes(
                'row items-center gap-1 px-3 py-2 no-underline rounded-t '
                + ('text-primary font-medium border-b-2 border-primary bg-white'
                   if active else 'text-grey-8 hover:text-primary'))
            with link:
                ui.icon(icon, size='xs')
                ui.label(_(title))


def empty_state(icon: str, title: str, text: str = '') -> None:
    with ui.column().classes('w-full items-center py-10 gap-2'):
        ui.icon(icon, size='xl', color='grey-5')
        ui.label(title).classes('text-subtitle1 text-grey-8').mark('empty')
        if text:
            ui.label(text).classes('text-grey-7 text-center max-w-md')


def plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian form for `n` (1, 2–4, 5+); English has two: `one` and `many`."""
    if i18n.current_language() == 'en':
        return one if n == 1 else many
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def business_days(n: int) -> str:
    """The auto-accept period as people read it: 0 is «выключено»."""
    if n <= 0:
        return _('выключено')
    days = plural(n, _('рабочий день'), _('рабочих дня'), _('рабочих дней'))
    return f'{n} {days}'


def role_title(role: int) -> str:
    return labels.role_title(labels.ROLE[role]) if role in labels.ROLE else '—'


# --- dialogs ------------------------------------------------------------------------------

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
    dialog.open()
    try:
        return bool(await dialog)
    finally:
        dialog.delete()


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
    dialog.open()
    try:
        await dialog
    finally:
        dialog.delete()


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

    def fail(self, error: ApiError) -> None:
        """Problems of known fields go next to them, everything else above the buttons."""
        rest = []
        for name, text in error.violations.items():
            if name in self.fields:
                self.problem(name, text)
            else:
                rest.append(text)
        if error.session_expired:
            ui.navigate.to('/login?expired=1')
            return
        if self.general is not None and (rest or not error.violations):
            self.general.set_text('; '.join(rest) if rest else error.message)
            self.general.visible = True
        elif self.general is None:
            ui.notify(error.message, type='negative')


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
