"""The studio's controls on the ticket card: assignee, priority, estimate, planned date.

The fields are saved together with «Сохранить» by UpdateTicket with a field mask naming only
what the person changed: a field another person changed meanwhile is not overwritten. A
failed save keeps every value typed and shows the server's objection next to its field.
While nothing is being edited the fields follow the card's ticket (its poll reads changes
made elsewhere); a field being edited is never overwritten under the person's hands.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .. import labels
from ..clients.errors import ApiError
from ..i18n import _
from .alerts import show_error
from .widgets import DateField

FOLLOW_SECONDS = 1.0
MAX_ESTIMATE = 10_000
FIELDS = ('assignee', 'priority', 'estimate_hours', 'planned_date')
UNASSIGNED = ''


@dataclass(frozen=True)
class Values:
    """The staff fields as the form holds them."""

    assignee: str = UNASSIGNED
    priority: int = pb.PRIORITY_NORMAL
    estimate_hours: float = 0.0
    planned_date: str = ''

    @classmethod
    def of(cls, ticket: pb.Ticket) -> Values:
        return cls(ticket.assignee, ticket.priority or pb.PRIORITY_NORMAL,
                   float(ticket.estimate_hours), ticket.planned_date)

    def changed(self, other: Values) -> list[str]:
        return [f for f in FIELDS if getattr(self, f) != getattr(other, f)]


def attach(card) -> StaffPanel | None:
    """The panel under the card's details, for the studio only."""
    if card.session.account.is_client or card.ticket is None:
        return None
    panel = StaffPanel(card)
    panel.build()
    return panel


class StaffPanel:
    def __init__(self, card):
        self.card = card
        self.session = card.session  # the page's: its account, never another's
        self.account = card.session.account
        self.saved = Values.of(card.ticket)  # what the server holds, as last read
        self.etag = card.ticket.etag
        self.people: dict[str, str] = {}

    # --- layout --------------------------------------------------------------------------

    def build(self) -> None:
        with ui.card().classes('w-full gap-3 p-6').mark('staff-panel'):
            with ui.row().classes('w-full items-center gap-2'):
                ui.icon('engineering', size='sm', color='primary')
                ui.label(_('Работа студии')).classes('text-h6')
                ui.space()
                ui.label(_('Клиент видит приоритет и плановую дату; исполнителя и оценку — '
                           'только студия.')).classes('text-xs text-grey-7 max-md:hidden')
            with ui.grid().classes('w-full gap-x-6 gap-y-2 grid-cols-1 sm:grid-cols-2 '
                                   'lg:grid-cols-4 items-start'):
                self._fields()
            with ui.row().classes('w-full items-center gap-2'):
                self.state = ui.label('').classes('text-sm text-orange-9').mark('staff-state')
                ui.space()
                self.reset_button = ui.button(_('Отменить'), on_click=self._reset) \
                    .props('flat no-caps')
                self.save_button = ui.button(_('Сохранить'), icon='save', on_click=self.save) \
                    .props('unelevated no-caps').mark('staff-save')
        self._edited()
        ui.timer(0.05, self._load_people, once=True)
        ui.timer(FOLLOW_SECONDS, self.follow)

    def _fields(self) -> None:
        with ui.column().classes('gap-0 min-w-0'):
            self.assignee = ui.select(self._assignee_options(), label=_('Исполнитель'),
                                      value=self.saved.assignee, on_change=self._edited) \
                .props('outlined dense options-dense').classes('w-full').mark('assignee')
            self.assign_me = ui.button(_('Назначить меня'), icon='person_add',
                                       on_click=self._assign_me) \
                .props('flat dense no-caps size=sm color=primary').mark('assign-me')
        self.priority = ui.select(labels.priorities(), label=_('Приоритет'),
                                  value=self.saved.priority, on_change=self._edited) \
            .props('outlined dense').classes('w-full').mark('staff-priority')
        self.estimate = ui.number(_('Оценка, ч'), min=0, max=MAX_ESTIMATE, step=0.5,
                                  value=self.saved.estimate_hours or None,
                                  on_change=self._edited) \
            .props('outlined dense clearable').classes('w-full').mark('estimate')
        self.estimate.props['suffix'] = _('ч')
        self.planned = DateField(_('Плановая дата'), value=self.saved.planned_date,
                                 on_change=self._edited)
        self.planned.input.props('outlined dense clearable').classes('w-full') \
            .mark('planned-date')

    def _assignee_options(self) -> dict[str, str]:
        options = {UNASSIGNED: _('Не назначен'), **self.people}
        for name in (self.saved.assignee, getattr(getattr(self, 'assignee', None), 'value', '')):
            if name and name not in options:
                options[name] = _('Я') if name == self.account.name else _('Сотрудник студии')
        if self.account.name not in options:
            options[self.account.name] = self.account.full_name or self.account.email
        return options

    async def _load_people(self) -> None:
        try:
            self.people = await self.session.auth.staff_names()
        except ApiError as error:
            if error.session_expired:
                show_error(error)
            return  # the select still offers «Не назначен» and the person themself
        self.assignee.set_options(self._assignee_options(), value=self.assignee.value)

    # --- editing -------------------------------------------------------------------------

    def current(self) -> Values:
        """The form's values; a value that cannot be read stays as saved (its field says why)."""
        estimate = self.estimate.value
        return Values(assignee=self.assignee.value or UNASSIGNED,
                      priority=self.priority.value or self.saved.priority,
                      estimate_hours=float(estimate) if estimate not in (None, '') else 0.0,
                      planned_date=self.planned.iso())

    def _edited(self) -> None:
        changed = self.current().changed(self.saved) if hasattr(self, 'planned') else []
        self.save_button.set_enabled(bool(changed))
        self.reset_button.set_visibility(bool(changed))
        names = {'assignee': _('исполнитель'), 'priority': _('приоритет'),
                 'estimate_hours': _('оценка'), 'planned_date': _('плановая дата')}
        self.state.set_text(_('Не сохранено: ') + ', '.join(names[f] for f in changed)
                            if changed else '')

    def _assign_me(self) -> None:
        self.assignee.set_value(self.account.name)

    def _reset(self) -> None:
        self._show(self.saved)
        self._clear_errors()

    def _show(self, values: Values, only: Iterable[str] | None = None) -> None:
        fields = only if only is not None else FIELDS
        if 'assignee' in fields:
            self.assignee.set_options(self._assignee_options() | (
                {values.assignee: _('Сотрудник студии')} if values.assignee
                and values.assignee not in self._assignee_options() else {}),
                value=values.assignee)
        if 'priority' in fields:
            self.priority.set_value(values.priority)
        if 'estimate_hours' in fields:
            self.estimate.set_value(values.estimate_hours or None)
        if 'planned_date' in fields:
            self.planned.set_iso(values.planned_date)
        self._edited()

    def _check(self) -> dict[str, str]:
        """What the form can tell before asking the server."""
        problems: dict[str, str] = {}
        estimate = self.estimate.value
        if estimate not in (None, '') and not 0 <= float(estimate) <= MAX_ESTIMATE:
            problems['estimate_hours'] = _('от 0 до 10 000 часов')
        if problem := self.planned.problem():
            problems['planned_date'] = problem
        return problems

    def _widgets(self) -> dict[str, ui.element]:
        """The fields by the services' names of them."""
        return {'assignee': self.assignee, 'priority': self.priority,
                'estimate_hours': self.estimate, 'planned_date': self.planned.input}

    def _show_problems(self, problems: dict[str, str]) -> None:
        for name, element in self._widgets().items():
            element.error = problems.get(name) or None

    def _clear_errors(self) -> None:
        self._show_problems({})

    async def save(self) -> None:
        ticket = self.card.ticket
        if ticket is None:
            return
        problems = self._check()
        self._show_problems(problems)
        if problems:
            return
        values = self.current()
        paths = values.changed(self.saved)
        if not paths:
            return
        changes = pb.Ticket(assignee=values.assignee, priority=values.priority,
                            estimate_hours=values.estimate_hours,
                            planned_date=values.planned_date)
        self.save_button.disable()
        try:
            updated = await self.session.tickets.update_ticket(ticket.name, changes, paths)
        except ApiError as error:
            self._show_problems(error.violations)  # every value typed stays in its field
            show_error(error, labels.field_labels())
            self._edited()
            return
        self.saved, self.etag = Values.of(updated), updated.etag
        self._show(self.saved)
        self._clear_errors()
        self.card.ticket = updated
        self.card.details.refresh()
        ui.notify(_('Сохранено'), type='positive')

    async def follow(self) -> None:
        """Takes over changes made elsewhere into the fields nobody is editing."""
        ticket = self.card.ticket
        if ticket is None or ticket.etag == self.etag:
            return
        fresh, shown = Values.of(ticket), self.current()
        untouched = [f for f in FIELDS if getattr(shown, f) == getattr(self.saved, f)]
        self.saved, self.etag = fresh, ticket.etag
        self._show(fresh, only=untouched)
