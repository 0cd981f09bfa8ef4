"""A ticket's files as the card shows them (a thumbnail for images, an icon otherwise, the
name downloads it), and their sizes and problems in words."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from texts.errors import FILE_TOO_LARGE
from ticketdesk.files.v1 import files_pb2

from .. import routes
from ..clients.errors import ApiError
from ..i18n import N_, _, current_language

PREVIEW_TYPES = frozenset({'image/png', 'image/jpeg', 'image/gif', 'image/webp'})
PARENT_GONE = N_('Тикет или комментарий не найден: файл не прикреплён.')


def format_size(size: int, *, limit: int | None = None) -> str:
    """`2621440` -> «2,5 МБ» (2.5 MB in English): binary units, one decimal, rounded down
    so that a size under a limit never reads as the limit; a size over `limit` is rounded
    up instead, so that it never reads as the limit either (25 МБ + 1 Б: «25,1 МБ»)."""
    if size < 1024:
        return _('{size} Б').format(size=size)
    unit, name = 1024, N_('КБ')
    if size >= 1024 * 1024:
        unit, name = 1024 * 1024, N_('МБ')
    tenths = size * 10 // unit
    if limit is not None and size > limit and size * 10 % unit:
        tenths += 1  # a part of a tenth over the limit is a whole tenth
    shown = f'{tenths // 10}.{tenths % 10}'.removesuffix('.0')
    if current_language() == 'ru':
        shown = shown.replace('.', ',')  # the Russian decimal comma
    return f'{shown} {_(name)}'


def too_large(limit: int) -> str:
    return _(FILE_TOO_LARGE).format(limit=format_size(limit))


def upload_problem(error: ApiError) -> str:
    """What the person reads next to a file the files service refused: its words by their
    reason, or that the ticket (its comment) is gone."""
    return _(PARENT_GONE) if error.not_found else error.message


def file_id(file: files_pb2.File) -> str:
    return file.name.removeprefix('files/')


def is_previewable(file: files_pb2.File) -> bool:
    return file.content_type in PREVIEW_TYPES


def attachment_list(files: list[files_pb2.File], *, dense: bool = False) -> None:
    """Tiles of files: a thumbnail for images, an icon otherwise; the name downloads it."""
    with ui.row().classes('td-files w-full gap-3 items-stretch').mark('files'):
        for file in files:
            _tile(file, dense)


def _tile(file: files_pb2.File, dense: bool) -> None:
    width = 'w-40' if dense else 'w-48'
    with ui.column().classes(f'td-file {width} gap-1 p-2 rounded bg-white border') \
            .style('border-color: #e0e0e0').mark('file'):
        if is_previewable(file):
            preview = routes.file_preview(file_id(file))
            with ui.link(target=preview, new_tab=True).classes('block w-full'):
                ui.image(preview) \
                    .classes(f'w-full {"h-20" if dense else "h-28"} rounded bg-grey-2') \
                    .props('fit=contain no-spinner no-transition').mark('file-preview')
        else:
            with ui.row().classes(f'w-full {"h-12" if dense else "h-16"} items-center '
                                  'justify-center rounded bg-grey-2'):
                ui.icon(_icon(file.content_type), size='md', color='grey-7')
        ui.link(file.display_name, target=routes.file(file_id(file))) \
            .classes('text-body2 w-full').style('overflow-wrap: anywhere').mark('file-link')
        ui.label(format_size(file.size_bytes)).classes('text-xs text-grey-7')


def _icon(content_type: str) -> str:
    kinds: list[tuple[Callable[[str], bool], str]] = [
        (lambda t: t.startswith('image/'), 'image'),
        (lambda t: t == 'application/pdf', 'picture_as_pdf'),
        (lambda t: 'spreadsheet' in t or 'excel' in t or t.startswith('text/csv'), 'table_chart'),
        (lambda t: t == 'application/zip', 'folder_zip'),
    ]
    return next((icon for test, icon in kinds if test(content_type)), 'description')
