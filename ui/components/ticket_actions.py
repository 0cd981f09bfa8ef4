"""The ticket card's actions, as the workflow allows them now (Ticket.allowed_actions):
«Принять работы» at the top right, the other steps under the title, and the actions that
end the ticket (withdraw, close: their only outcome is «Отменён») apart at the bottom of
the card, each confirmed in a dialog that says what will happen.

What an action takes comes with it (AllowedAction): a text and what it is called
(text_kind, text_required), a rating (takes_rating), a choice of statuses (target_statuses).
Remarks the client left on work awaiting acceptance are acknowledged here: a banner, and
«Принять работы» no longer the big green button beside them.
"""

from __future__ import annotations

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .. import labels
from ..i18n import N_, _
from . import dialogs

# What ending the ticket means, per action; the status is the one it gets («Отменён»).
CONSEQUENCE = {
    pb.ACTION_WITHDRAW: N_('Студия прекратит работу над тикетом, он получит статус «{status}». '
                           'Вернуть его будет нельзя: для новой задачи создайте новый тикет.'),
    pb.ACTION_CLOSE: N_('Тикет закроется без выполнения и получит статус «{status}». '
                        'Вернуть его будет нельзя.'),
}
GENERIC_CONSEQUENCE = N_('Тикет получит статус «{status}». Вернуть его будет нельзя.')


def is_ending(allowed: pb.AllowedAction) -> bool:
    """The action's only outcome is a cancelled ticket (withdraw, close)."""
    return list(allowed.target_statuses) == [pb.STATUS_CANCELLED]


def shown(ticket: pb.Ticket) -> list[pb.AllowedAction]:
    """The actions that are buttons (an answer to a question is a comment, not a button)."""
    return [a for a in ticket.allowed_actions if a.action in labels.ACTION]


def find(ticket: pb.Ticket, action: int) -> pb.AllowedAction | None:
    return next((a for a in shown(ticket) if a.action == action), None)


# --- the layout ----------------------------------------------------------------------------

def accept_button(card, ticket: pb.Ticket) -> None:
    """«Принять работы», green and large in the card's top right corner (as the instruction
    says); with remarks pending it stays, outlined, with a word on why."""
    allowed = find(ticket, pb.ACTION_ACCEPT)
    if allowed is None:
        return
    with ui.column().classes('items-end gap-1 max-sm:w-full max-sm:items-stretch'):
        button = ui.button(labels.action(pb.ACTION_ACCEPT), icon='check_circle',
                           color='positive', on_click=lambda: perform(card, allowed)) \
            .mark('accept')
        if card.remarks_pending:
            button.props('outline no-caps')
            ui.label(_('Есть замечания: студия вернёт тикет в доработку')) \
                .classes('text-xs text-grey-8').mark('accept-hint')
        else:
            button.props('unelevated size=lg no-caps')


def remarks_banner(card) -> None:
    """The client's remarks are in: what happens next, in the card, for everyone."""
    if not card.remarks_pending:
        return
    client = card.session.account.is_client
    # The client reads a confirmation (green); the studio, work to do (orange).
    tone, border = ('green', 'positive') if client else ('orange', 'warning')
    with ui.row().classes(f'w-full items-start gap-3 p-3 rounded bg-{tone}-1 no-wrap') \
            .style(f'border-left: 4px solid var(--q-{border})').mark('remarks-banner'):
        ui.icon('mark_chat_read' if client else 'feedback', color=border, size='sm')
        with ui.column().classes('gap-1 min-w-0'):
            if client:
                ui.label(_('Ваши замечания переданы студии')).classes('font-medium text-green-10')
                ui.label(_('Студия получила уведомление и заберёт тикет в доработку: его '
                           'статус сменится на «В работе» или «В очереди». Добавить к замечаниям '
                           'можно в комментарии.')).classes('text-body2')
            else:
                ui.label(_('Клиент оставил замечания')).classes('font-medium text-orange-10')
                ui.label(_('Они в переписке. Верните тикет в доработку, чтобы их учесть.')) \
                    .classes('text-body2')


def action_bar(card, ticket: pb.Ticket) -> None:
    """The next steps of the work (everything but accepting and ending the ticket)."""
    steps = [a for a in shown(ticket) if a.action != pb.ACTION_ACCEPT and not is_ending(a)]
    if not steps:
        return
    with ui.row().classes('w-full items-center gap-2 p-2 rounded bg-grey-1').mark('actions'):
        for allowed in steps:
            ui.button(labels.action(allowed.action),
                      on_click=lambda a=allowed: perform(card, a)).props('outline no-caps')


def ending_area(card, ticket: pb.Ticket) -> None:
    """Withdraw or close, apart at the bottom of the card: far from «Принять работы»."""
    ending = [a for a in shown(ticket) if is_ending(a)]
    if not ending:
        return
    ui.separator()
    with ui.row().classes('w-full items-center gap-2').mark('ending-actions'):
        ui.label(_('Задача больше не нужна?')).classes('text-sm text-grey-7')
        for allowed in ending:
            ui.button(labels.action(allowed.action), icon='block', color='negative',
                      on_click=lambda a=allowed: perform(card, a)) \
                .props('flat dense no-caps')


# --- performing one ------------------------------------------------------------------------

async def perform(card, allowed: pb.AllowedAction) -> None:
    """Asks for what the action takes, then takes it; a cancelled dialog changes nothing."""
    action, title = allowed.action, labels.action(allowed.action)
    label = labels.text_kind(allowed.text_kind) if allowed.text_kind else ''
    draft = card.drafts.setdefault(action, dialogs.Draft())
    with card.dialogs:
        if is_ending(allowed):
            text = await dialogs.confirm_ending(
                _('{action} #{number}?').format(action=title, number=card.number),
                consequence(action), title, label=label, required=allowed.text_required,
                draft=draft)
            details = None if text is None else {'text': text}
        elif len(allowed.target_statuses) > 1:
            target = await dialogs.ask_target(title, list(allowed.target_statuses),
                                              _('Вернуть'))
            details = None if target is None else {'target': target}
        elif label:
            text = await dialogs.ask_text(title, label, title, required=allowed.text_required,
                                          draft=draft)
            details = None if text is None else {'text': text}
        elif allowed.takes_rating:
            rating = await dialogs.ask_acceptance(remarks=card.remarks_pending)
            details = None if rating is None else {'rating': rating}
        else:
            details = {}
    if details is not None and await card.transition(action, **details):
        card.drafts.pop(action, None)  # taken: the next dialog starts empty


def consequence(action: int) -> str:
    text = CONSEQUENCE.get(action, GENERIC_CONSEQUENCE)
    return _(text).format(status=labels.status(pb.STATUS_CANCELLED))
