"""Step 3 of the instruction: «Описание тикета», the fields in the instruction's order."""

from __future__ import annotations

from nicegui import ui

from texts import dates
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

from ... import labels, routes
from ...clients.account import Account
from ...clients.base import new_request_id
from ...clients.errors import ApiError
from ...components.alerts import show_error, show_field_errors
from ...components.frame import frame
from ...components.uploads import FilePicker, remember_failures
from ...components.widgets import DateField
from ...i18n import N_, _
from ...session import Session

MAX_TITLE = 200
REMINDER = N_('Придерживайтесь принципа: одна задача = один тикет.')
DESCRIPTION_HINT = N_('Что конкретно необходимо сделать; добавьте ссылки на страницы сайта.')
FILES_HINT = N_('Изображения, скриншоты, таблицы, документы — несколько сразу')
DATE_NOTE = N_('Дата реализации задачи может быть изменена исходя из объема работы и нагрузки '
               'студии.')


async def new_ticket_page() -> None:
    session = await Session.of_page()
    with frame(session, _('Новый тикет')):
        form = TicketForm(session)
        form.build()
    await form.load()


class TicketForm:
    """One form, one request id: a double click or a retry never files two tickets."""

    def __init__(self, session: Session):
        self.session = session
        self.account = session.account
        self.request_id = new_request_id()
        self.organization = '' if not self.account.is_client else self.account.organization
        self.today = dates.today(session.zone)  # the studio's today, as the service checks

    def build(self) -> None:
        with ui.card().classes('w-full max-w-3xl self-center p-6 gap-4'):
            ui.label(_('Новый тикет')).classes('text-h5 font-medium')
            with ui.row().classes('items-center gap-2 text-primary bg-blue-1 rounded p-3 w-full'):
                ui.icon('lightbulb')
                ui.label(_(REMINDER)).classes('font-medium').mark('reminder')
            self.organizations = ui.select({}, label=_('Организация'),
                                           on_change=lambda e: self.choose_organization(e.value)) \
                .props('outlined').classes('w-full').mark('organization')
            self.organizations.visible = not self.account.is_client
            self.title = ui.input(_('Название'), validation=self._check_title) \
                .props(f'outlined counter maxlength={MAX_TITLE}') \
                .classes('w-full').mark('title')
            self.site = ui.select({}, label=_('URL сайта')).props('outlined').classes('w-full') \
                .mark('site')
            self.site.visible = False
            self.no_site = ui.label(_('Для организации не заведено ни одного сайта: '
                                      'обратитесь к менеджеру проекта.')).classes('text-warning')
            self.no_site.visible = False
            self.contact = ui.select({}, label=_('Контакт')).props('outlined').classes('w-full') \
                .mark('contact')
            self.description = ui.textarea(_('Описание'), validation=self._check_description) \
                .props('outlined autogrow input-style="min-height: 8rem"') \
                .classes('w-full').mark('description')
            self.description.props['hint'] = _(DESCRIPTION_HINT)
            self._date_field()
            self._files_field()
            self.priority = ui.select(labels.priorities(), value=pb.PRIORITY_NORMAL,
                                      label=_('Приоритет')).props('outlined') \
                .classes('w-full sm:w-1/2').mark('priority')
            with ui.row().classes('w-full justify-end'):
                self.save_button = ui.button(_('Сохранить'), icon='save', on_click=self.save) \
                    .props('unelevated size=lg').mark('save')

    def _files_field(self) -> None:
        """Step 6: files, held on the server until the ticket exists."""
        with ui.column().classes('w-full gap-2').mark('files-field'):
            ui.label(_('Файлы')).classes('text-subtitle1 font-medium')
            self.files = FilePicker(self.session, hint=_(FILES_HINT))
            self.files.build()

    def _date_field(self) -> None:
        """Step 5: typed as the language writes dates, or picked; today or later."""
        self.desired = DateField(_('Желаемая дата реализации'), earliest=self.today)
        self.desired.input.props('outlined bottom-slots').classes('w-full').mark('desired-date')
        self.desired.input.props['hint'] = f'(*) {_(DATE_NOTE)}'

    # --- loading the choices ------------------------------------------------------------

    async def load(self) -> None:
        if self.account.is_client:
            await self.choose_organization(self.organization)
            return
        try:
            organizations = await self.session.auth.organizations(show_inactive=False)
        except ApiError as error:
            show_error(error)
            return
        self.organizations.set_options({o.name: o.display_name or o.name
                                        for o in organizations if o.active})

    async def choose_organization(self, organization: str | None) -> None:
        self.organization = organization or ''
        if not self.organization:
            return
        try:
            sites = await self.session.tickets.sites(self.organization)
        except ApiError as error:
            show_error(error)
            sites = []
        self._offer_sites([s for s in sites if s.active])
        await self._offer_contacts()

    def _offer_sites(self, sites: list[pb.Site]) -> None:
        options = {s.name: s.url or s.display_name for s in sites}
        self.site.set_options(options, value=sites[0].name if len(sites) == 1 else None)
        self.site.visible = len(sites) > 1
        self.no_site.visible = not sites

    async def _offer_contacts(self) -> None:
        try:
            users = await self.session.auth.contacts(self.organization)
        except ApiError:
            users = []  # the signed-in client is always a valid contact
        options = {u.name: _contact_label(u) for u in users}
        if self.account.is_client and self.account.name not in options:
            options[self.account.name] = _contact_label(self.account)
        default = self.account.name if self.account.is_client else next(iter(options), None)
        self.contact.set_options(options, value=default)

    # --- saving -------------------------------------------------------------------------

    async def save(self) -> None:
        if not self._valid():
            ui.notify(_('Проверьте выделенные поля'), type='warning')
            return
        if not self.files.ready:
            ui.notify(_('Дождитесь, пока файлы загрузятся'), type='warning')
            return
        self.save_button.disable()
        self.save_button.props('loading')
        try:
            ticket = await self.session.tickets.create_ticket(self._ticket(), self.request_id)
        except ApiError as error:
            self._show_violations(error)
            show_error(error, labels.field_labels())
            self.save_button.enable()
            self.save_button.props(remove='loading')
            return
        remember_failures(ticket.name, await self.files.send(ticket.name))
        ui.navigate.to(routes.ticket(ticket.number))

    def _ticket(self) -> pb.Ticket:
        return pb.Ticket(
            organization=self.organization,
            site=self.site.value or '',
            title=self.title.value.strip(),
            description=self.description.value.strip(),
            contact=pb.Contact(user=self.contact.value or ''),
            desired_date=self.desired.iso(),
            priority=self.priority.value or pb.PRIORITY_NORMAL,
        )

    def _valid(self) -> bool:
        checks = [self.title.validate(), self.description.validate(), self._check_date()]
        if not self.organization:
            self.organizations.error = _('Выберите организацию')
            checks.append(False)
        if self.site.visible and not self.site.value:
            self.site.error = _('Выберите сайт')
            checks.append(False)
        return all(checks)

    def _check_date(self) -> bool:
        """A wrong date is told beside the field; the text typed stays for correcting."""
        problem = self.desired.problem()
        chosen = self.desired.parsed_or_none()
        if not problem and chosen is not None and chosen < self.today:
            problem = _('Дата не может быть раньше сегодняшней')
        self.desired.show_error(problem)
        return not problem

    def _show_violations(self, error: ApiError) -> None:
        """Each bad field's problem under it, by the service's name of the field."""
        show_field_errors(error, {
            'title': self.title, 'site': self.site, 'contact': self.contact,
            'user': self.contact, 'description': self.description, 'priority': self.priority,
            'organization': self.organizations, 'desired_date': self.desired.input})

    @staticmethod
    def _check_title(value: str) -> str | None:
        if not (value or '').strip():
            return _('Введите название')
        if len(value) > MAX_TITLE:
            return _('Не длиннее {count} символов').format(count=MAX_TITLE)
        return None

    @staticmethod
    def _check_description(value: str) -> str | None:
        return None if (value or '').strip() else _('Опишите, что нужно сделать')


def _contact_label(user: auth_pb2.User | Account) -> str:
    parts = [user.full_name or user.email, user.email if user.full_name else '', user.phone]
    return ' · '.join(p for p in parts if p)
