"""The pure pieces of files in the web UI: the download's headers, sizes, messages, the
upload limit."""

from __future__ import annotations

from urllib.parse import unquote

import grpc
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from ticketdesk.files.v1 import files_pb2
from ui import downloads, security
from ui.clients.errors import failure
from ui.components import attachments, uploads

MIB = 1024 * 1024


@pytest.mark.parametrize(('size', 'shown'), [
    (0, '0 Б'), (1023, '1023 Б'), (1024, '1 КБ'), (1536, '1,5 КБ'), (20_990, '20,4 КБ'),
    (2 * MIB, '2 МБ'), (int(2.5 * MIB), '2,5 МБ'), (25 * MIB, '25 МБ'), (3 * 1024 * MIB, '3072 МБ'),
    (25 * MIB - 1, '24,9 МБ'),  # rounded down: under the limit never reads as the limit
])
def test_format_size(size, shown):
    assert attachments.format_size(size) == shown


@pytest.mark.parametrize(('size', 'shown'), [
    (25 * MIB + 1, '25,1 МБ'), (25 * MIB + 100 * 1024, '25,1 МБ'), (int(25.1 * MIB), '25,1 МБ'),
    (26 * MIB, '26 МБ'), (25 * MIB, '25 МБ'), (25 * MIB - 1, '24,9 МБ'),
])
def test_a_size_over_the_limit_never_reads_as_the_limit(size, shown):
    assert attachments.format_size(size, limit=25 * MIB) == shown
    assert attachments.too_large(25 * MIB) == 'Файл больше 25 МБ'


@pytest.mark.parametrize(('name', 'fallback'), [
    ('Прайс-лист май.csv', 'file.csv'),
    ('Café menu.pdf', 'Cafe menu.pdf'),
    ('Report "Q1"\\2.xlsx', 'Report _Q1_2.xlsx'),
    ('README', 'README'),
    ('Скриншот', 'file'),
    ('a\r\nb.txt', 'a_b.txt'),
])
def test_ascii_fallback(name, fallback):
    assert downloads.ascii_fallback(name) == fallback


def test_content_disposition_keeps_the_real_name_in_utf8():
    header = downloads.content_disposition('Прайс-лист май.csv')
    assert header == ('attachment; filename="file.csv"; filename*=UTF-8\'\''
                      '%D0%9F%D1%80%D0%B0%D0%B9%D1%81-%D0%BB%D0%B8%D1%81%D1%82%20'
                      '%D0%BC%D0%B0%D0%B9.csv')
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == 'Прайс-лист май.csv'


def test_content_disposition_cannot_be_broken_by_the_name():
    header = downloads.content_disposition('x"; filename="evil.html\r\n.txt', inline=True)
    assert header.startswith('inline; filename="')
    assert header.count('"') == 2 and '\r' not in header and '\n' not in header
    assert ';' not in header.split("filename*=UTF-8''", 1)[1]


def test_file_headers_protect_the_browser():
    file = files_pb2.File(name='files/' + 'a' * 32, display_name='Отчёт.pdf',
                          content_type='application/pdf', size_bytes=1234)
    headers = downloads.file_headers(file)
    assert headers['Content-Type'] == 'application/pdf'
    assert headers['Content-Length'] == '1234'
    assert headers['Content-Disposition'].startswith('attachment; filename="file.pdf"')
    assert headers['X-Content-Type-Options'] == 'nosniff'
    assert headers['Content-Security-Policy'] == "default-src 'none'; sandbox"
    assert headers['Cache-Control'] == 'private, no-store'


@pytest.mark.parametrize(('content_type', 'previewable'), [
    ('image/png', True), ('image/jpeg', True), ('image/gif', True), ('image/webp', True),
    ('image/bmp', False), ('image/svg+xml', False), ('text/csv; charset=utf-8', False),
])
def test_only_safe_images_have_previews(content_type, previewable):
    assert attachments.is_previewable(files_pb2.File(content_type=content_type)) is previewable


@pytest.mark.parametrize(('code', 'reason', 'message'), [
    (grpc.StatusCode.INVALID_ARGUMENT, 'FILE_TYPE_NOT_ALLOWED',
     'Такой тип файла не поддерживается: разрешены изображения, PDF, документы Office, '
     'таблицы, текст, CSV, ZIP'),
    (grpc.StatusCode.NOT_FOUND, 'NOT_FOUND', attachments.PARENT_GONE),
    (grpc.StatusCode.UNAVAILABLE, 'UNAVAILABLE',
     'Сервис временно недоступен. Попробуйте ещё раз через минуту.'),
])
def test_upload_problem_in_words(code, reason, message):
    """A refused file is told by the reason of the refusal."""
    assert attachments.upload_problem(failure(code, reason, 'ru')) == message


def test_a_received_file_over_the_limit_or_too_many_is_refused():
    assert uploads.received_problem(25 * MIB + 1, 25 * MIB, held=0) == 'Файл больше 25 МБ'
    assert uploads.received_problem(25 * MIB, 25 * MIB, held=0) == ''
    too_many = 'Можно прикрепить не больше 10 файлов'
    assert uploads.received_problem(10, 25 * MIB, held=uploads.MAX_FILES) == too_many
    assert uploads.rejected_problem('max-file-size', 2 * MIB) == 'Файл больше 2 МБ'
    assert uploads.rejected_problem('max-files', 2 * MIB) == too_many


def test_failures_are_told_in_one_line():
    assert uploads.failures_text([['a.exe', 'Нельзя'], ['b.zip', 'Файл больше 2 МБ']]) == \
        'Не удалось прикрепить: «a.exe» — Нельзя; «b.zip» — Файл больше 2 МБ'


def test_picked_file_progress():
    picked = uploads.PickedFile(name='a.png', size=400)
    picked.sent = 100
    assert picked.progress == 0.25
    picked.fail('Файл больше 2 МБ')
    assert (picked.state, picked.content) == (uploads.FAILED, None)


# --- the server's own upload limit -------------------------------------------------------

async def _echo_size(request: Request) -> PlainTextResponse:
    return PlainTextResponse(str(len(await request.body())))


def _limited_client(limit: int) -> httpx.AsyncClient:
    inner = Starlette(routes=[Route('/_nicegui/client/{c}/upload/{e}', _echo_size,
                                    methods=['POST']),
                              Route('/other', _echo_size, methods=['POST'])])
    app = security.UploadSizeLimit(inner, limit_bytes=limit)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url='http://ui')


async def test_upload_limit_by_declared_length():
    cap = 1000 + security.MULTIPART_SLACK_BYTES
    async with _limited_client(1000) as client:
        small = await client.post('/_nicegui/client/a/upload/b', content=b'x' * cap)
        large = await client.post('/_nicegui/client/a/upload/b', content=b'x' * (cap + 1))
        other = await client.post('/other', content=b'x' * (cap + 1))
    assert (small.status_code, small.text) == (200, str(cap))
    assert large.status_code == 413
    assert other.status_code == 200  # only NiceGUI's upload routes are limited here


async def test_upload_limit_by_received_bytes():
    async def stream():
        for _ in range(100):
            yield b'x' * 1024  # no Content-Length: counted as it arrives

    async with _limited_client(1000) as client:
        answer = await client.post('/_nicegui/client/a/upload/b', content=stream())
    assert answer.status_code == 413
