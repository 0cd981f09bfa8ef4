"""Demo data for `ticketdesk dev`, created through the public gRPC APIs.

Two client organizations with sites, a manager, a developer and one client per
organization, a few tickets in several statuses. Every creating call carries a
request_id derived from a fixed namespace and a label, so a run that crashed
half-way can simply run again without duplicating anything. A marker file in the
data dir records that the demo data is complete.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import grpc

from services.common.client.channels import Clients, bearer
from services.common.client.errors import problem_of
from services.common.platform.config import Settings
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2

MARKER_FILE = "demo-created"
# Fixed forever: request ids derived from it must not change between versions.
REQUEST_NAMESPACE = uuid.UUID("6f1d3c52-8a0b-4f5e-9c1a-2d7e4b8a9f10")
CALL_TIMEOUT = 60.0  # a transition waits for the ticket's workflow


def request_id(label: str) -> str:
    return str(uuid.uuid5(REQUEST_NAMESPACE, label))


@dataclass(frozen=True)
class DemoOrganization:
    key: str
    display_name: str
    sites: tuple[tuple[str, str], ...]  # (url, display name)


@dataclass(frozen=True)
class DemoLogin:
    key: str
    role: str  # client, developer, manager
    email: str
    password: str
    full_name: str
    phone: str = ""
    organization: str = ""  # DemoOrganization.key for clients

    @property
    def organization_display_name(self) -> str:
        return next((o.display_name for o in DEMO_ORGANIZATIONS if o.key == self.organization), "")


@dataclass(frozen=True)
class DemoTicket:
    key: str
    client: str  # DemoLogin.key of the author
    site: int  # index into the organization's sites
    title: str
    description: str
    priority: int
    desired_in_days: int
    # (action, text) performed by the developer, in order.
    transitions: tuple[tuple[int, str], ...] = ()


DEMO_ORGANIZATIONS = (
    DemoOrganization("romashka", "ООО Ромашка", (
        ("https://romashka.example.com", "Корпоративный сайт"),
        ("https://shop.romashka.example.com", "Интернет-магазин"),
    )),
    DemoOrganization("vasiliev", "ИП Васильев", (
        ("https://vasiliev-remont.example.com", "Сайт «Ремонт квартир»"),
    )),
)

DEMO_LOGINS = (
    DemoLogin("manager", "manager", "manager@studio.example.com", "manager-demo",
              "Ольга Смирнова", "+7 495 100-00-01"),
    DemoLogin("developer", "developer", "developer@studio.example.com", "developer-demo",
              "Дмитрий Козлов", "+7 495 100-00-02"),
    DemoLogin("romashka", "client", "client@romashka.example.com", "romashka-demo",
              "Анна Петрова", "+7 916 555-12-34", organization="romashka"),
    DemoLogin("vasiliev", "client", "client@vasiliev.example.com", "vasiliev-demo",
              "Сергей Васильев", "+7 926 555-43-21", organization="vasiliev"),
)

ROLES = {
    "client": auth_pb2.ROLE_CLIENT,
    "developer": auth_pb2.ROLE_DEVELOPER,
    "manager": auth_pb2.ROLE_MANAGER,
}

P = tickets_pb2
DEMO_TICKETS = (
    DemoTicket(
        "feedback-form", "romashka", 0,
        "Не отправляется форма обратной связи",
        "На странице https://romashka.example.com/contacts после нажатия «Отправить» "
        "кнопка крутится и ничего не происходит, письмо не приходит. Проверяли в Chrome "
        "и Яндекс Браузере. Заявки с сайта сейчас теряются, просим посмотреть срочно.",
        P.PRIORITY_HIGH, 1, ((P.ACTION_START_WORK, ""),)),
    DemoTicket(
        "delivery-page", "romashka", 0,
        "Добавить страницу «Доставка и оплата»",
        "Нужна новая страница «Доставка и оплата» в главном меню после «Каталога». "
        "Текст и условия доставки по Москве и области приложим отдельным комментарием. "
        "Оформить так же, как https://romashka.example.com/about.",
        P.PRIORITY_NORMAL, 10),
    DemoTicket(
        "price-update", "romashka", 1,
        "Обновить цены в каталоге букетов",
        "С 1 числа меняются цены на букеты из раздела "
        "https://shop.romashka.example.com/catalog/bouquets. Новый прайс отправили "
        "менеджеру на почту. Старые цены нужно показать зачёркнутыми.",
        P.PRIORITY_NORMAL, 5,
        ((P.ACTION_ASK_CLARIFICATION,
          "В прайсе, который пришёл на почту, только 12 позиций из 30. Пришлите, "
          "пожалуйста, полный прайс-лист в Excel — или подтвердите, что остальные цены "
          "не меняются."),)),
    DemoTicket(
        "iphone-menu", "romashka", 1,
        "На iPhone не открывается меню магазина",
        "На телефоне (iPhone 13, Safari) в интернет-магазине не раскрывается меню по "
        "кнопке с тремя полосками, покупатели не могут перейти в каталог. На Android "
        "всё работает.",
        P.PRIORITY_CRITICAL, 0),
    DemoTicket(
        "header-phone", "vasiliev", 0,
        "Заменить телефон в шапке сайта",
        "У нас новый номер: +7 (495) 123-45-67. Нужно заменить старый номер в шапке, "
        "в подвале и на странице https://vasiliev-remont.example.com/contacts.",
        P.PRIORITY_NORMAL, 3,
        ((P.ACTION_START_WORK, ""),
         (P.ACTION_SUBMIT_FOR_ACCEPTANCE,
          "Номер заменён в шапке, в подвале и на странице контактов, кэш сброшен. "
          "Проверьте, пожалуйста, и примите работу."))),
    DemoTicket(
        "portfolio-photos", "vasiliev", 0,
        "Добавить фотографии работ в портфолио",
        "Хотим добавить в раздел «Наши работы» 8 новых объектов с фотографиями "
        "«до» и «после». Фото и подписи пришлём архивом в комментарии.",
        P.PRIORITY_LOW, 14),
    DemoTicket(
        "calc-error", "vasiliev", 0,
        "Ошибка при отправке заявки на расчёт стоимости",
        "Калькулятор на странице https://vasiliev-remont.example.com/calc после нажатия "
        "«Получить расчёт» показывает «Что-то пошло не так». Со вчерашнего вечера не "
        "пришло ни одной заявки.",
        P.PRIORITY_HIGH, 2, ((P.ACTION_START_WORK, ""),)),
)


def login(key: str) -> DemoLogin:
    return next(item for item in DEMO_LOGINS if item.key == key)


class DemoCallError(RuntimeError):
    """A failed call of the demo builder: what it was doing, and the answer's code and
    reason (an ErrorReason name), by which the builder decides, never by the message."""

    def __init__(self, what: str, error: grpc.aio.AioRpcError):
        problem = problem_of(error)
        self.code, self.reason = problem.code, problem.reason
        super().__init__(f"{what}: {self.code.name} {self.reason}: {problem.message}")


async def _call(method, request, metadata, what: str):
    """One RPC with a bounded retry while a service is still warming up."""
    for attempt in range(5):
        try:
            return await method(request, metadata=metadata, timeout=CALL_TIMEOUT)
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.UNAVAILABLE or attempt == 4:
                raise DemoCallError(what, error) from error
            await asyncio.sleep(1 + attempt)
    raise AssertionError("unreachable")


def _already_exists(error: DemoCallError) -> bool:
    return error.code == grpc.StatusCode.ALREADY_EXISTS


class DemoBuilder:
    def __init__(self, clients: Clients, settings: Settings, log=print):
        self.clients = clients
        self.service = bearer(settings.service_token.get_secret_value())
        # Until build() reads the studio's settings: TICKETDESK_TIMEZONE is only their
        # default before a manager saves them.
        self.today = datetime.now(ZoneInfo(settings.timezone)).date()
        self.log = log
        self.organizations: dict[str, str] = {}  # key -> organizations/{id}
        self.sites: dict[str, list[str]] = {}  # key -> site names in DEMO order
        self.sessions: dict[str, tuple[tuple[str, str], ...]] = {}

    async def studio_today(self) -> date:
        """Today in the studio's time zone, from the studio's settings (their one source):
        the desired dates are days from it, as the tickets service checks them."""
        studio = await _call(self.clients.tickets.GetStudioSettings,
                             tickets_pb2.GetStudioSettingsRequest(name="studioSettings"),
                             self.service, "reading the studio's settings")
        return datetime.now(ZoneInfo(studio.timezone)).date() if studio.timezone \
            else self.today

    async def organization(self, demo: DemoOrganization) -> str:
        auth = self.clients.auth
        try:
            created = await _call(auth.CreateOrganization, auth_pb2.CreateOrganizationRequest(
                organization=auth_pb2.Organization(display_name=demo.display_name),
                request_id=request_id(f"organization:{demo.key}")),
                self.service, f"creating organization {demo.display_name}")
            return created.name
        except DemoCallError as error:
            if not _already_exists(error):
                raise
        listed = await _call(auth.ListOrganizations,
                             auth_pb2.ListOrganizationsRequest(page_size=1000, show_inactive=True),
                             self.service, "listing organizations")
        return next(o.name for o in listed.organizations if o.display_name == demo.display_name)

    async def site_names(self, demo: DemoOrganization, organization: str) -> list[str]:
        names = []
        for index, (url, display_name) in enumerate(demo.sites):
            try:
                site = await _call(self.clients.tickets.CreateSite, tickets_pb2.CreateSiteRequest(
                    parent=organization,
                    site=tickets_pb2.Site(url=url, display_name=display_name),
                    request_id=request_id(f"site:{demo.key}:{index}")),
                    self.service, f"creating site {url}")
                names.append(site.name)
            except DemoCallError as error:
                if not _already_exists(error):
                    raise
                listed = await _call(self.clients.tickets.ListSites, tickets_pb2.ListSitesRequest(
                    parent=organization, page_size=1000, show_inactive=True),
                    self.service, "listing sites")
                names.append(next(s.name for s in listed.sites if s.url.rstrip("/") == url))
        return names

    async def user(self, demo: DemoLogin) -> None:
        user = auth_pb2.User(email=demo.email, full_name=demo.full_name, phone=demo.phone,
                             role=ROLES[demo.role], language="ru",
                             organization=self.organizations.get(demo.organization, ""))
        try:
            await _call(self.clients.auth.CreateUser, auth_pb2.CreateUserRequest(
                user=user, initial_password=demo.password,
                request_id=request_id(f"user:{demo.key}")),
                self.service, f"creating user {demo.email}")
        except DemoCallError as error:
            if not _already_exists(error):
                raise

    async def session(self, key: str) -> tuple[tuple[str, str], ...]:
        if key not in self.sessions:
            demo = login(key)
            answer = await _call(self.clients.auth.Login, auth_pb2.LoginRequest(
                email=demo.email, password=demo.password), None, f"logging in as {demo.email}")
            self.sessions[key] = bearer(answer.session_token)
        return self.sessions[key]

    async def ticket(self, demo: DemoTicket) -> str:
        client = login(demo.client)
        desired: date = self.today + timedelta(days=demo.desired_in_days)
        created = await _call(self.clients.tickets.CreateTicket, tickets_pb2.CreateTicketRequest(
            ticket=tickets_pb2.Ticket(
                title=demo.title, description=demo.description,
                site=self.sites[client.organization][demo.site],
                desired_date=desired.isoformat(), priority=demo.priority),
            request_id=request_id(f"ticket:{demo.key}")),
            await self.session(demo.client), f"creating ticket «{demo.title}»")
        return created.name

    async def transitions(self, demo: DemoTicket, name: str) -> None:
        developer = await self.session("developer")
        for index, (action, text) in enumerate(demo.transitions):
            try:
                await _call(self.clients.tickets.TransitionTicket,
                            tickets_pb2.TransitionTicketRequest(
                                name=name, action=action, text=text,
                                request_id=request_id(f"transition:{demo.key}:{index}")),
                            developer, f"moving ticket «{demo.title}»")
            except DemoCallError as error:
                # A re-run after a crash: the ticket has moved on already.
                if error.code != grpc.StatusCode.FAILED_PRECONDITION:
                    raise

    async def build(self) -> None:
        self.today = await self.studio_today()
        for organization in DEMO_ORGANIZATIONS:
            self.organizations[organization.key] = await self.organization(organization)
            self.sites[organization.key] = await self.site_names(
                organization, self.organizations[organization.key])
        for demo_login in DEMO_LOGINS:
            await self.user(demo_login)
        self.log(f"demo: {len(DEMO_ORGANIZATIONS)} organizations, {len(DEMO_LOGINS)} users")
        for demo_ticket in DEMO_TICKETS:
            name = await self.ticket(demo_ticket)
            await self.transitions(demo_ticket, name)
        self.log(f"demo: {len(DEMO_TICKETS)} tickets")

    async def logout(self) -> None:
        """End the sessions the builder opened."""
        for metadata in self.sessions.values():
            try:
                await self.clients.auth.Logout(auth_pb2.LogoutRequest(), metadata=metadata,
                                               timeout=10)
            except grpc.aio.AioRpcError:
                pass
        self.sessions.clear()


async def create_demo_data(settings: Settings, log=print) -> None:
    """Create (or complete) the demo data, whatever already exists."""
    clients = Clients.from_settings(settings)
    builder = DemoBuilder(clients, settings, log)
    try:
        await builder.build()
    finally:
        await builder.logout()
        await clients.close()


async def ensure_demo_data(settings: Settings, console=None) -> bool:
    """Create the demo data unless the marker says it exists; True when created now."""
    marker = settings.data_dir / MARKER_FILE
    if marker.exists():
        return False

    def log(message: str) -> None:
        if console is not None:
            console.print(f"[bold]{'demo data':<16}[/bold] {message.removeprefix('demo: ')}")

    log("demo: creating organizations, users and tickets (first start)")
    await create_demo_data(settings, log)
    marker.write_text(datetime.now().astimezone().isoformat(timespec="seconds") + "\n")
    return True
