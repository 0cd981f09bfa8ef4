"""The upload widget: several files at once, each with its size, its state and its error.

Picked files go from the browser to this server (NiceGUI's upload route, checked against
the size limit here too) and wait in memory or a temporary file of this page until the
form decides where they belong: `send(ticket, comment)` streams each to the files
service. A refused file keeps its row with a readable reason; nothing else is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nicegui import app, events, ui
from nicegui.elements.upload_files import FileUpload

from ..clients import channels
from ..clients.base import new_request_id
from ..clients.errors import ApiError
from ..clients.files import UPLOAD_CHUNK_BYTES
from ..i18n import N_, _
from ..session import Session
from .attachments import format_size, too_large, upload_problem

# A picked file's state is its badge's msgid.
WAITING, SENDING, DONE, FAILED = N_('ожидает'), N_('загружается'), N_('загружен'), N_('ошибка')
STATE_COLOR = {WAITING: 'grey-7', SENDING: 'primary', DONE: 'positive', FAILED: 'negative'}
MAX_FILES = 10
TOO_MANY = N_('Можно прикрепить не больше {count} файлов')
FAILURES_KEY = 'upload_failures'
# Quasar's `rejected` event carries File objects; send the server what it can read.
REJECTED_JS = ('(entries) => emit(entries.map(e => ({name: e.file.name, size: e.file.size, '
               'reason: e.failedPropValidation})))')


@dataclass(eq=False)
class PickedFile:
    name: str
    size: int
    content: FileUpload | None = None
    state: str = WAITING
    error: str = ''
    sent: int = 0
    request_id: str = field(default_factory=new_request_id)

    @property
    def progress(self) -> float:
        return self.sent / self.size if self.size else 1.0

    def fail(self, message: str) -> None:
        self.state, self.error, self.content = FAILED, message, None


def received_problem(size: int, limit: int, held: int) -> str:
    """Why a file that reached this server cannot be kept; empty when it can."""
    if size > limit:
        return too_large(limit)
    if held >= MAX_FILES:
        return too_many()
    return ''


def rejected_problem(reason: str, limit: int) -> str:
    """The browser's refusal (Quasar's failed validation) in words."""
    if reason == 'max-files':
        return too_many()
    return too_large(limit)


def too_many() -> str:
    return _(TOO_MANY).format(count=MAX_FILES)


class FilePicker:
    """Files picked on one page for one ticket or comment; build it inside the form."""

    def __init__(self, session: Session, *, hint: str = ''):
        self.session = session
        self.limit = channels.settings().max_upload_bytes
        each = _('до {size} каждый').format(size=format_size(self.limit))
        self.hint = ' · '.join(filter(None, [hint, each]))
        self.files: list[PickedFile] = []
        self.receiving = 0
        self.busy = False
        self._bars: dict[PickedFile, ui.linear_progress] = {}

    # --- the layout ---------------------------------------------------------------------

    def build(self, *, button_text: str = '') -> None:
        """The hidden uploader, its button and the list of picked files."""
        self.upload = ui.upload(multiple=True, auto_upload=True, max_file_size=self.limit,
                                max_files=MAX_FILES, on_upload=self._received,
                                on_begin_upload=self._begin).classes('hidden').mark('uploader')
        self.upload.on('rejected', self._rejected, js_handler=REJECTED_JS)
        self.upload.on('failed', self._transfer_failed, args=[])
        pick = f'() => getElement({self.upload.id}).$refs.qRef.pickFiles()'
        with ui.row().classes('items-center gap-3'):
            self.button = ui.button(button_text or _('Добавить файлы'), icon='attach_file') \
                .props('outline no-caps').mark('add-files')
            self.button.on('click', js_handler=pick)
            if self.hint:
                ui.label(self.hint).classes('text-caption text-grey-7')
        self.rows()

    @ui.refreshable_method
    def rows(self) -> None:
        self._bars.clear()
        if self.receiving:
            with ui.row().classes('items-center gap-2 text-grey-8'):
                ui.spinner(size='sm')
                ui.label(_('Файлы передаются…'))
        if not self.files:
            return
        with ui.column().classes('w-full gap-1').mark('picked-files'):
            for picked in self.files:
                self._row(picked)

    def _row(self, picked: PickedFile) -> None:
        with ui.row().classes('td-picked-file w-full items-center gap-3 px-3 py-2 rounded '
                            'bg-grey-1 no-wrap') \
                .mark('picked-file'):
            ui.icon('error_outline' if picked.state == FAILED else 'insert_drive_file',
                    color=STATE_COLOR[picked.state])
            with ui.column().classes('grow min-w-0 gap-0'):
                with ui.row().classes('w-full items-baseline gap-2 no-wrap'):
                    ui.label(picked.name).classes('font-medium ellipsis min-w-0') \
                        .tooltip(picked.name)
                    # Over the limit never reads as the limit: «2,1 МБ» beside «Файл больше 2 МБ».
                    ui.label(format_size(picked.size, limit=self.limit)) \
                        .classes('text-caption text-grey-7 shrink-0')
                if picked.state == SENDING:
                    self._bars[picked] = ui.linear_progress(value=picked.progress,
                                                            show_value=False) \
                        .props('rounded').classes('mt-1')
                if picked.error:
                    ui.label(picked.error).classes('text-caption text-negative') \
                        .mark('file-error')
            ui.badge(_(picked.state), color=STATE_COLOR[picked.state]) \
                .props('outline').classes('shrink-0').mark('file-state')
            if picked.state in (WAITING, FAILED) and not self.busy:
                ui.button(icon='close', on_click=lambda p=picked: self.remove(p)) \
                    .props('flat round dense size=sm').tooltip(_('Убрать файл'))

    # --- receiving from the browser -----------------------------------------------------

    def _begin(self) -> None:
        self.receiving += 1
        self.rows.refresh()

    def _transfer_failed(self) -> None:
        self.receiving = max(0, self.receiving - 1)
        self.rows.refresh()

    def _received(self, event: events.UploadEventArguments) -> None:
        self.receiving = max(0, self.receiving - 1)
        content = event.file
        picked = PickedFile(name=content.name or 'file', size=content.size(), content=content)
        problem = received_problem(picked.size, self.limit, len(self.waiting))
        if problem:
            picked.fail(problem)
        self.files.append(picked)
        self.upload.run_method('removeUploadedFiles')  # Quasar's own count stays small
        self.rows.refresh()

    def _rejected(self, event: events.GenericEventArguments) -> None:
        entries = event.args if isinstance(event.args, list) else []
        for entry in entries:
            if isinstance(entry, dict):
                picked = PickedFile(name=str(entry.get('name') or 'file'),
                                    size=int(entry.get('size') or 0))
                picked.fail(rejected_problem(str(entry.get('reason', '')), self.limit))
                self.files.append(picked)
        self.rows.refresh()

    def remove(self, picked: PickedFile) -> None:
        if picked in self.files and not self.busy:
            self.files.remove(picked)
            self.rows.refresh()

    # --- sending to the files service ---------------------------------------------------

    @property
    def waiting(self) -> list[PickedFile]:
        return [p for p in self.files if p.state == WAITING]

    @property
    def ready(self) -> bool:
        """False while files are still on their way from the browser."""
        return self.receiving == 0

    async def send(self, ticket: str, comment: str = '') -> list[PickedFile]:
        """Uploads every waiting file to the ticket (or its comment); returns the failed."""
        self.busy = True
        try:
            for picked in self.waiting:
                await self._send_one(picked, ticket, comment)
        finally:
            self.busy = False
            self.rows.refresh()
        return [p for p in self.files if p.state == FAILED]

    async def _send_one(self, picked: PickedFile, ticket: str, comment: str) -> None:
        assert picked.content is not None
        picked.state, picked.sent = SENDING, 0
        self.rows.refresh()
        try:
            await self.session.files.upload(
                picked.content.iterate(chunk_size=UPLOAD_CHUNK_BYTES), ticket=ticket,
                comment=comment, display_name=picked.name, size=picked.size,
                content_type=picked.content.content_type, request_id=picked.request_id,
                progress=lambda sent: self._progress(picked, sent))
        except ApiError as error:
            picked.fail(upload_problem(error))
        else:
            picked.state, picked.content = DONE, None
        self.rows.refresh()

    def _progress(self, picked: PickedFile, sent: int) -> None:
        picked.sent = sent
        if picked in self._bars:
            self._bars[picked].value = picked.progress

    def clear_sent(self) -> None:
        """Forgets the uploaded rows (they now show where they belong)."""
        self.files = [p for p in self.files if p.state != DONE]
        self.rows.refresh()


# --- failures carried from the form to the card ---------------------------------------------

def remember_failures(ticket: str, failed: list[PickedFile]) -> None:
    """Keeps, for the next page of this user, the files that did not make it to `ticket`."""
    if failed:
        notes = dict(app.storage.user.get(FAILURES_KEY) or {})
        notes[ticket] = [[p.name, p.error] for p in failed]
        app.storage.user[FAILURES_KEY] = notes


def show_failures(ticket: str) -> None:
    """Tells, once, which files the form could not attach to this ticket."""
    notes = dict(app.storage.user.get(FAILURES_KEY) or {})
    failed = notes.pop(ticket, None)
    if failed is None:
        return
    app.storage.user[FAILURES_KEY] = notes
    ui.notify(failures_text(failed), type='negative', multi_line=True, timeout=0,
              close_button=_('Закрыть'))


def failures_text(failed: list[list[str]]) -> str:
    """[['a.exe', 'Такой тип…']] -> «Не удалось прикрепить: «a.exe» — Такой тип…»."""
    problems = '; '.join(f'«{name}» — {error}' for name, error in failed)
    return _('Не удалось прикрепить: {problems}').format(problems=problems)
