"""The manager's administration: the studio's settings — the business calendar with its
holidays, the reminder period and the SLA targets. Saving sends only what changed."""

from __future__ import annotations

from nicegui import ui

from ... import routes
from ...clients.errors import ApiError
from ...components.admin.common import admin_frame, refused
from ...components.admin.settings_form import SettingsForm
from ...components.admin.studio_settings import changes, problems
from ...components.alerts import show_error
from ...i18n import _
from ...session import Session


async def settings_page() -> None:
    session = await Session.of_page()
    if refused(session):
        return
    view = SettingsView(session)
    with admin_frame(session, _('Настройки'), routes.SETTINGS) as content:
        view.root = content
        view.form.body()
    await view.load()


class SettingsView:
    def __init__(self, session: Session):
        self.session = session
        self.form = SettingsForm(on_save=self.save)
        # Callbacks run in the slot of a button that a refresh deletes: notifications and
        # refreshes go through the page's content column, which stays.
        self.root: ui.element | None = None

    async def load(self) -> None:
        try:
            answer = await self.session.tickets.studio_settings()
        except ApiError as error:
            show_error(error)
            return
        self.form.take(answer, self.session.zone)

    async def save(self) -> None:
        if self.form.saved is None or self.form.saving:
            return
        assert self.root is not None
        with self.root:
            await self._save()

    async def _save(self) -> None:
        form = self.form
        assert form.saved is not None
        form.errors = problems(form.values)
        if form.errors:
            ui.notify(_('Проверьте выделенные поля'), type='warning')
            form.body.refresh()
            return
        settings, paths = changes(form.saved, form.values)
        if not paths:
            return
        form.saving = True
        form.save_bar.refresh()
        try:
            answer = await self.session.tickets.update_studio_settings(settings, paths)
        except ApiError as error:
            self._refused(error)
            return
        finally:
            form.saving = False
        ui.notify(_('Настройки сохранены'), type='positive')
        self.session.zone = answer.timezone or self.session.zone  # the page's moments follow
        form.take(answer, self.session.zone)

    def _refused(self, error: ApiError) -> None:
        """Each problem under its card; what was typed stays (the form shows its values)."""
        if error.session_expired:
            show_error(error)
            return
        self.form.errors = dict(error.violations)
        # Before the refresh, which deletes the button this callback runs in.
        ui.notify(error.message, type='negative')
        self.form.body.refresh()
