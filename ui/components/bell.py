"""The header's bell: the unread count and the latest notifications, each opening its ticket.

Every page polls with the session it was built with (never `app.storage.user`: the
cross-user pitfall, ui/session.py). A failed poll shows nothing; the next tick tries again.
"""

from __future__ import annotations

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .. import labels, routes
from ..clients.errors import ApiError
from ..i18n import _
from ..session import Session

POLL_SECONDS = 5.0
LATEST = 10

KIND_ICON = {
    'ticket_created': 'add_circle_outline',
    'status_changed': 'swap_horiz',
    'comment': 'chat_bubble_outline',
    'internal_note': 'sticky_note_2',
    'remarks': 'report_problem',
    'reminder': 'schedule',
    'sla_warning': 'timer',
    'sla_breach': 'alarm',
    'auto_accepted': 'task_alt',
}


class Bell:
    """The bell button with its badge and menu; refreshes itself every few seconds."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.shown: tuple | None = None  # what the menu shows now, to skip idle redraws
        self.polling = False
        with ui.button(icon='notifications').props('flat round color=white') \
                .mark('bell') as self.button:
            self.badge = ui.badge(color='negative').props('floating rounded') \
                .classes('text-xs').mark('bell-count')
            with ui.menu().props('anchor="bottom right" self="top right" max-width="100vw"') \
                    .classes('w-[26rem]') as self.menu:
                self._menu_head()
                ui.separator()
                self.entries = ui.list().classes('w-full').mark('notifications')
        self._count(0)
        self.parent = ui.context.slot.parent
        self.timer: ui.timer | None = None

    def start(self) -> None:
        """Starts polling; called once the page is built. A timer waits for the browser's
        socket, and NiceGUI sends an async page's HTML as soon as something waits for it:
        created before the page's data were read, it would send an empty page, and the
        content would follow over the socket only after it connected."""
        with self.parent:
            self.timer = ui.timer(POLL_SECONDS, self.refresh).mark('bell-timer')

    def _menu_head(self) -> None:
        with ui.row().classes('w-full items-center justify-between no-wrap px-4 py-2 gap-2'):
            ui.label(_('Уведомления')).classes('text-subtitle1 font-medium')
            self.mark_all = ui.button(_('Отметить все прочитанными'), on_click=self.mark_all_read) \
                .props('flat dense no-caps color=primary').mark('mark-all-read')

    async def refresh(self) -> None:
        if self.polling:  # the previous poll is still waiting for the service
            return
        self.polling = True
        try:
            answer = await self.session.tickets.notifications(LATEST)
        except ApiError as error:
            # No later tick can succeed; the page's next action says so.
            if error.session_expired and self.timer is not None:
                self.timer.deactivate()
            return
        finally:
            self.polling = False
        self.show(answer)

    def show(self, answer: pb.ListNotificationsResponse) -> None:
        state = (answer.unread_count, tuple((n.name, n.read) for n in answer.notifications))
        if state == self.shown:
            return
        self.shown = state
        self._count(answer.unread_count)
        self.entries.clear()
        with self.entries:
            if not answer.unread_count:
                ui.item_label(_('Нет новых уведомлений')).props('header') \
                    .classes('text-grey-7').mark('no-notifications')
            for notification in answer.notifications:
                self._entry(notification)

    def _count(self, unread: int) -> None:
        self.badge.set_text('99+' if unread > 99 else str(unread))
        self.badge.visible = unread > 0
        self.mark_all.enabled = unread > 0
        self.button.props['aria-label'] = _('Уведомления: {count}').format(count=unread)

    def _entry(self, notification: pb.Notification) -> None:
        unread = not notification.read
        number = notification.ticket.removeprefix('tickets/')
        with ui.item(on_click=lambda: self.open(notification)) \
                .classes('bg-blue-1' if unread else '').mark('notification'):
            with ui.item_section().props('avatar'):
                ui.icon(KIND_ICON.get(notification.kind, 'notifications'),
                        color='primary' if unread else 'grey-6')
            with ui.item_section():
                ui.item_label(notification.title) \
                    .classes('font-medium' if unread else 'text-grey-8') \
                    .style('overflow-wrap: anywhere')
                when = labels.moment(notification.create_time, self.session.zone)
                # The title usually names the ticket already («[#12] …»).
                ui.item_label(when if f'#{number}' in notification.title
                              else f'#{number} · {when}').props('caption')

    async def open(self, notification: pb.Notification) -> None:
        self.menu.close()
        if not notification.read:
            try:
                await self.session.tickets.mark_notifications_read([notification.name])
            except ApiError:
                pass  # the card opens anyway; the bell catches up on its next poll
        ui.navigate.to(routes.ticket(notification.ticket))

    async def mark_all_read(self) -> None:
        try:
            await self.session.tickets.mark_notifications_read()
        except ApiError as error:
            ui.notify(error.message, type='negative')
            return
        await self.refresh()
