"""What the browser tests share: signing in as a demo person, small real files, and the
back end's gRPC APIs for setting the scene (a ticket in a given status, a user's language)
faster than clicking through it."""

from __future__ import annotations

import io
import re
import struct
import uuid
import zipfile
import zlib
from contextlib import asynccontextmanager
from dataclasses import dataclass

from google.protobuf.field_mask_pb2 import FieldMask
from playwright.async_api import Page, expect

from cli.demo import login as demo_login
from services.common.client.channels import bearer, channel
from ticketdesk.auth.v1 import auth_pb2, auth_pb2_grpc
from ticketdesk.tickets.v1 import tickets_pb2 as pb, tickets_pb2_grpc

TIMEOUT = 30_000  # ms; a transition goes through the ticket's workflow on a busy machine
CALL_TIMEOUT = 60.0  # s, for the gRPC calls that set the scene


@dataclass(frozen=True)
class System:
    """A running TicketDesk with its demo data: the web UI and the gRPC addresses."""

    url: str
    auth: str = ''
    tickets: str = ''
    mail_in: int = 2525  # the e-mail receiver's SMTP port (loopback)


async def sign_in(page: Page, base_url: str, key: str) -> None:
    person = demo_login(key)
    await page.goto(f'{base_url}/login')
    await page.get_by_label('E-mail').fill(person.email)
    await page.get_by_label('Пароль').fill(person.password)
    await page.get_by_role('button', name='Войти').click()
    await expect(page).to_have_url(f'{base_url}/', timeout=TIMEOUT)


def status_of(page: Page):
    """The status badge in the card's header."""
    header = page.get_by_text(re.compile(r'^(Тикет|Ticket) #\d+$'))
    return page.locator('.q-card').filter(has=header).locator('.q-badge').first


def thread(page: Page):
    """The card's comments («Переписка»)."""
    return page.locator('.q-card').filter(has_text='Переписка')


async def act(page: Page, action: str, status: str, text: str = '') -> None:
    """An action on the open card; `text` goes into the dialog that asks for it."""
    await page.get_by_role('button', name=action, exact=True).click()
    if text:
        dialog = page.get_by_role('dialog')
        await dialog.get_by_role('textbox').fill(text)
        await dialog.get_by_role('button', name=action, exact=True).click()
        await expect(dialog).to_have_count(0)
    await expect(status_of(page)).to_have_text(status, timeout=TIMEOUT)


async def comment(page: Page, text: str, internal: bool = False) -> None:
    """A comment (or the studio's internal note) on the open card, seen in its thread."""
    if internal:
        await page.get_by_role('switch', name='Внутренняя заметка').click()
    box = page.get_by_label('Внутренняя заметка — клиент не видит' if internal else 'Комментарий')
    await box.fill(text)
    await page.get_by_role('button', name='Добавить заметку' if internal else 'Отправить').click()
    await expect(thread(page).get_by_text(text)).to_be_visible(timeout=TIMEOUT)
    await expect(box).to_have_value('')
    if internal:  # the box says «Комментарий» again
        await page.get_by_role('switch', name='Внутренняя заметка').click()


def png(width: int = 160, height: int = 90) -> bytes:
    """A small valid PNG: a blue-to-green gradient."""
    rows = b''.join(b'\x00' + b''.join(bytes((30, 95 + x * 120 // width, 166 - y))
                                      for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack('>I', len(data)) + body + struct.pack('>I', zlib.crc32(body))

    header = struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', zlib.compress(rows))
            + chunk(b'IEND', b''))


XLSX_PARTS = {
    '[Content_Types].xml':
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
        '/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
        'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
        'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
    '_rels/.rels':
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxml'
        'formats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
        '"xl/workbook.xml"/></Relationships>',
    'xl/workbook.xml':
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument'
        '/2006/relationships"><sheets><sheet name="Цены" sheetId="1" r:id="rId1"/></sheets>'
        '</workbook>',
    'xl/_rels/workbook.xml.rels':
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxml'
        'formats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/'
        'sheet1.xml"/></Relationships>',
    'xl/worksheets/sheet1.xml':
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        'Букет</t></is></c><c r="B1"><v>1200</v></c></row></sheetData></worksheet>',
}


def xlsx() -> bytes:
    """A one-sheet spreadsheet (an OOXML ZIP, as Excel writes it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
        for name, text in XLSX_PARTS.items():
            archive.writestr(name, text)
    return buffer.getvalue()


# --- the back end, to set the scene ---------------------------------------------------------

# How a fresh ticket reaches each status: (who, action, text).
PATHS = {
    pb.STATUS_QUEUED: [],
    pb.STATUS_IN_PROGRESS: [('developer', pb.ACTION_START_WORK, '')],
    pb.STATUS_NEEDS_INFO: [('developer', pb.ACTION_ASK_CLARIFICATION,
                            'Пришлите, пожалуйста, тексты для новой страницы.')],
    pb.STATUS_AWAITING_ACCEPTANCE: [
        ('developer', pb.ACTION_START_WORK, ''),
        ('developer', pb.ACTION_SUBMIT_FOR_ACCEPTANCE,
         'Страница добавлена в меню, тексты выложены. Проверьте, пожалуйста.')],
    pb.STATUS_DONE: [
        ('developer', pb.ACTION_START_WORK, ''),
        ('developer', pb.ACTION_SUBMIT_FOR_ACCEPTANCE, 'Страница добавлена.'),
        ('romashka', pb.ACTION_ACCEPT, '')],
    pb.STATUS_CANCELLED: [('romashka', pb.ACTION_WITHDRAW, 'Задача больше не актуальна.')],
}


class Backend:
    """The demo people calling the gRPC APIs, as an integration would."""

    def __init__(self, system: System):
        if not (system.auth and system.tickets):
            raise AssertionError('these tests set the scene through gRPC: with '
                                 'TICKETDESK_BROWSER_BASE_URL also set TICKETDESK_BROWSER_AUTH_'
                                 'ADDRESS and TICKETDESK_BROWSER_TICKETS_ADDRESS')
        self._channels = [channel(system.auth), channel(system.tickets)]
        self.auth = auth_pb2_grpc.AuthServiceStub(self._channels[0])
        self.tickets = tickets_pb2_grpc.TicketServiceStub(self._channels[1])
        self._sessions: dict[str, tuple[tuple[str, str], ...]] = {}

    async def as_(self, key: str) -> tuple[tuple[str, str], ...]:
        """Call metadata of a demo person (one session each)."""
        if key not in self._sessions:
            person = demo_login(key)
            answer = await self.auth.Login(auth_pb2.LoginRequest(
                email=person.email, password=person.password), timeout=CALL_TIMEOUT)
            self._sessions[key] = bearer(answer.session_token)
        return self._sessions[key]

    async def set_language(self, key: str, language: str) -> str:
        """Sets a demo person's UI language on their own record; answers the previous one."""
        metadata = await self.as_(key)
        me = await self.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=metadata,
                                    timeout=CALL_TIMEOUT)
        await self.auth.UpdateUser(auth_pb2.UpdateUserRequest(
            user=auth_pb2.User(name=me.user.name, language=language),
            update_mask=FieldMask(paths=['language'])), metadata=metadata, timeout=CALL_TIMEOUT)
        return me.user.language or 'ru'

    @asynccontextmanager
    async def language(self, keys: list[str], language: str):
        """The demo people speak `language` inside; their own language again after
        (the demo accounts are shared by every test of the session)."""
        before = {}
        try:
            for key in keys:
                before[key] = await self.set_language(key, language)
            yield
        finally:
            for key, previous in before.items():
                await self.set_language(key, previous)

    async def ticket(self, title: str, status: int = pb.STATUS_QUEUED,
                     client: str = 'romashka') -> pb.Ticket:
        """A new ticket of the client's organization (its first site), moved to `status`."""
        metadata = await self.as_(client)
        sites = await self.tickets.ListSites(pb.ListSitesRequest(
            parent=(await self._me(client)).organization), metadata=metadata, timeout=CALL_TIMEOUT)
        ticket = await self.tickets.CreateTicket(pb.CreateTicketRequest(ticket=pb.Ticket(
            title=title, site=sites.sites[0].name, priority=pb.PRIORITY_HIGH,
            description='Подробности на странице https://romashka.example.com/about'),
            request_id=uuid.uuid4().hex), metadata=metadata, timeout=CALL_TIMEOUT)
        for who, action, text in PATHS[status]:
            ticket = await self.tickets.TransitionTicket(pb.TransitionTicketRequest(
                name=ticket.name, action=action, text=text, request_id=uuid.uuid4().hex,
                rating=5 if action == pb.ACTION_ACCEPT else 0),
                metadata=await self.as_(who), timeout=CALL_TIMEOUT)
        assert ticket.status == status, (pb.Status.Name(ticket.status), pb.Status.Name(status))
        return ticket

    async def withdraw(self, ticket: pb.Ticket, client: str = 'romashka') -> None:
        """The demo system is every browser test's: a ticket a test made leaves the
        developers' queue (its first page is the workspace test's), as its client withdraws
        it."""
        await self.tickets.TransitionTicket(pb.TransitionTicketRequest(
            name=ticket.name, action=pb.ACTION_WITHDRAW, text='Проверка закончена',
            request_id=uuid.uuid4().hex), metadata=await self.as_(client), timeout=CALL_TIMEOUT)

    async def comment(self, ticket: str, who: str, body: str) -> pb.Comment:
        return await self.tickets.AddComment(pb.AddCommentRequest(
            parent=ticket, comment=pb.Comment(body=body), request_id=uuid.uuid4().hex),
            metadata=await self.as_(who), timeout=CALL_TIMEOUT)

    async def _me(self, key: str) -> auth_pb2.User:
        answer = await self.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=await self.as_(key),
                                        timeout=CALL_TIMEOUT)
        return answer.user

    async def close(self) -> None:
        for metadata in self._sessions.values():
            await self.auth.Logout(auth_pb2.LogoutRequest(), metadata=metadata,
                                   timeout=CALL_TIMEOUT)
        for open_channel in self._channels:
            await open_channel.close()
