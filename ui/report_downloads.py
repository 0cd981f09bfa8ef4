"""The reports' files: `/reports/export/{report}.{fmt}` (a summary by organization,
developer, month or ticket, the entries, or a table of the service report; CSV or XLSX;
the page's filters in the query)
and `/reports/statement.xlsx?org=…&month=YYYY-MM` (an organization's monthly statement).

Like the attachments' routes (ui/downloads.py), they call the services with the signed-in
person's token, kept on the server: no token ever appears in a URL, and the services decide
what the person may read. A client may have their own organization's months and tickets
(where it shows the time spent) and its weeks and durations of the service report; the
entries, the studio's summaries, the service report's other tables and the statement are
staff's. A refusal is a plain page in the person's language: 404 for a report, format,
organization or month that does not exist, 403 for one that is not theirs, 503 when the
services do not answer.
"""

from __future__ import annotations

import asyncio
import html
from email.utils import parseaddr

import grpc
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from nicegui import app

from services.common.platform.config import Settings
from texts import dates

from . import routes
from .clients.errors import ApiError
from .clients.reports import (CLIENT_GROUPINGS, CLIENT_SERVICE_REPORTS, ReportsClient,
                              TimeQuery)
from .components.reports.filters import ReportFilters
from .downloads import FILE_PAGE, PROTECTIVE_HEADERS, content_disposition
from .exports import statement as statements
from .exports.reports import FORMATS, REPORTS, entries_sheet, file_name, summary_sheet
from .exports.service import SERVICE_REPORTS, service_sheet
from .exports.sheets import CSV_TYPE, XLSX_TYPE, Sheet, to_csv, to_xlsx
from .i18n import DEFAULT, N_, QUASAR, translate
from .session import Account, Session, current_account

NOT_FOUND = (N_('Отчёт не найден'), N_('Такого отчёта нет. Откройте «Отчёты» и выберите '
                                        'его там.'))
FORBIDDEN = (N_('Нет доступа'), N_('Этот отчёт вам недоступен.'))
NOT_SHARED = (N_('Нет доступа'), N_('Студия не открывает отчёты о времени для вашей '
                                     'организации.'))
BAD_PERIOD = (N_('Отчёт не построен'), N_('Период отчёта об обслуживании — не длиннее 400 '
                                         'дней, и его начало не позже конца.'))
UNAVAILABLE = (N_('Отчёт сейчас недоступен'), N_('Попробуйте ещё раз через минуту.'))
# Who the statement is from, when the e-mail sender has no name.
STUDIO = 'TicketDesk'
studio = STUDIO  # this UI's, from its settings (register)


def register(settings: Settings) -> None:
    """The two routes; call before `ui.run()`. The studio's name on a statement is the
    display name of its e-mail sender (`TICKETDESK_MAIL_FROM`)."""
    global studio
    studio = studio_name(settings.mail_from)
    app.add_api_route(routes.REPORT_EXPORT, export_route, methods=['GET'],
                      include_in_schema=False)
    app.add_api_route(routes.STATEMENT, statement_route, methods=['GET'],
                      include_in_schema=False)


def studio_name(mail_from: str) -> str:
    """`Студия «Пример» <support@…>` -> «Студия «Пример»»; no name: TicketDesk."""
    return parseaddr(mail_from)[0].strip() or STUDIO


async def export_route(request: Request, report: str, fmt: str) -> Response:
    account = current_account()  # an HTTP request: the storage is the requester's own
    if account is None:
        return RedirectResponse(routes.LOGIN)
    language = account.language
    if report not in REPORTS or fmt not in FORMATS:
        return refusal(NOT_FOUND, 404, language)
    if account.is_client and report not in CLIENT_GROUPINGS | CLIENT_SERVICE_REPORTS:
        return refusal(FORBIDDEN, 403, language)
    session = Session.of(account)
    await session.read_zone()
    filters = ReportFilters.parse(request.query_params, client=account.is_client)
    today = dates.today(session.zone)
    query = filters.service_query(today) if report in SERVICE_REPORTS \
        else filters.time_query(today)
    try:
        if report in SERVICE_REPORTS:
            answer = await ReportsClient(account).service(query)
            sheet = service_sheet(report, answer, language)
        else:
            sheet = await _sheet(report, session, query)
    except ApiError as error:
        if report in SERVICE_REPORTS and error.code == grpc.StatusCode.INVALID_ARGUMENT:
            return refusal(BAD_PERIOD, 400, language)
        return failure(error, account)
    content = to_csv(sheet, language) if fmt == 'csv' else to_xlsx([sheet], language)
    return attachment(content, fmt, file_name(report, fmt, query.start, query.end, language))


async def _sheet(report: str, session: Session, query: TimeQuery) -> Sheet:
    account, language = session.account, session.account.language
    client = ReportsClient(account)
    if report == 'entries':
        entries, tickets = await asyncio.gather(client.entries(query),
                                                client.summary('tickets', query))
        return entries_sheet(entries.entries, language,
                             titles={row.key: row.display_name for row in tickets.rows},
                             organizations=await session.auth.organization_names())
    answer = await client.summary(report, query)
    return summary_sheet(report, answer.rows, language,
                         organizations=await session.auth.organization_names(),
                         staff=not account.is_client)


async def statement_route(request: Request) -> Response:
    account = current_account()
    if account is None:
        return RedirectResponse(routes.LOGIN)
    language = account.language
    if account.is_client:
        return refusal(FORBIDDEN, 403, language)
    organization, month = request.query_params.get('org', ''), \
        request.query_params.get('month', '')
    try:
        first, last = statements.month_range(month)
    except ValueError:
        return refusal(NOT_FOUND, 404, language)
    if not organization.startswith('organizations/'):
        return refusal(NOT_FOUND, 404, language)
    session = Session.of(account)
    client = ReportsClient(account)
    query = TimeQuery(organization=organization, start=first.isoformat(), end=last.isoformat())
    try:
        found = await client.organization(organization)
        tickets, entries = await asyncio.gather(client.summary('tickets', query),
                                                client.entries(query))
    except ApiError as error:
        return failure(error, account)
    await session.read_zone()
    statement = statements.Statement(
        studio=studio, organization=found.display_name, month=month,
        tickets=tickets.rows, entries=entries.entries, total_minutes=entries.total_minutes,
        made=dates.today(session.zone))
    return attachment(statements.statement_xlsx(statement, language), 'xlsx',
                      statements.file_name(found.display_name, month, language))


# --- the answers ------------------------------------------------------------------------------

def attachment(content: bytes, fmt: str, name: str) -> Response:
    return Response(content, media_type=CSV_TYPE if fmt == 'csv' else XLSX_TYPE,
                    headers={'Content-Disposition': content_disposition(name),
                             **PROTECTIVE_HEADERS})


def failure(error: ApiError, account: Account) -> Response:
    """A failed call as the person reads it: the login page for an ended session."""
    if error.session_expired:
        return RedirectResponse(routes.login(expired=True))
    if error.code == grpc.StatusCode.PERMISSION_DENIED:
        return refusal(NOT_SHARED if account.is_client else FORBIDDEN, 403, account.language)
    if error.code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
        return refusal(NOT_FOUND, 404, account.language)
    return refusal(UNAVAILABLE, 503, account.language)


def refusal(message: tuple[str, str], status: int, language: str) -> HTMLResponse:
    """A plain page telling `message` (title, text) in `language`, with a way back to the
    reports."""
    def text(msgid: str) -> str:
        return html.escape(translate(msgid, language))

    title, body = message
    page = FILE_PAGE.format(lang=QUASAR.get(language, DEFAULT), title=text(title),
                            text=text(body), home=routes.REPORTS, back=text(N_('Отчёты')))
    return HTMLResponse(page, status_code=status, headers=PROTECTIVE_HEADERS)
