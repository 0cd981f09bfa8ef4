"""What a notice says: subject and plain-text body per kind, in Russian and English.

Plain text only: the user's words (titles, comments, questions) are inserted as
they are and never interpreted, so no markup can be smuggled into an e-mail.
Labels of statuses and priorities, dates and moments are the `texts` package's, in
the recipient's language and the studio's time zone: the same words as the web UI's.
"""

from __future__ import annotations

from dataclasses import dataclass

from texts import dates, labels, language_or_default
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.messages import Notice

KINDS = ("ticket_created", "status_changed", "comment", "internal_note", "remarks",
         "reminder", "sla_warning", "sla_breach", "auto_accepted")

# Every phrase of the e-mails. `{...}` fields are filled with str.format, which
# inserts values verbatim (a `{` in a ticket title is just a character).
PHRASES: dict[str, dict[str, str]] = {
    "ru": {
        "greeting": "Здравствуйте, {name}!",
        "greeting_anonymous": "Здравствуйте!",
        "subject.ticket_created": "[#{number}] Новый тикет: {title}",
        "subject.status_changed": "[#{number}] Статус изменён: {status} — {title}",
        "subject.comment": "[#{number}] Новый комментарий — {title}",
        "subject.internal_note": "[#{number}] Внутренняя заметка — {title}",
        "subject.remarks": "[#{number}] Есть замечания — {title}",
        "subject.reminder": "[#{number}] Напоминание: {status} — {title}",
        "subject.sla_warning": "[#{number}] SLA: скоро истекает срок {target} — {title}",
        "subject.sla_breach": "[#{number}] SLA нарушен: истёк срок {target} — {title}",
        "subject.auto_accepted": "[#{number}] Работы приняты автоматически — {title}",
        "lead.ticket_created": "Новый тикет #{number} «{title}» от {organization}.",
        "lead.status_changed": "Статус тикета #{number} «{title}» изменён: {old} → {new}.",
        "lead.comment": "Новый комментарий в тикете #{number} «{title}».",
        "lead.internal_note": ("Внутренняя заметка в тикете #{number} «{title}». "
                               "Клиент её не видит."),
        "lead.remarks": ("Клиент отправил замечания по выполненным работам в тикете "
                         "#{number} «{title}». Тикет остаётся в статусе «{status}» "
                         "с отметкой «есть замечания»."),
        "lead.reminder": "Тикет #{number} «{title}» ждёт вашего участия: статус «{status}».",
        "lead.sla_warning": "Тикет #{number} «{title}»: скоро истекает срок {target}.",
        "lead.sla_breach": "Тикет #{number} «{title}»: срок {target} истёк.",
        "lead.auto_accepted": ("Работы по тикету #{number} «{title}» приняты "
                               "автоматически: замечаний не поступило в установленный срок. "
                               "Статус: «{status}»."),
        "actor": "Автор: {name}",
        "organization": "Организация: {value}",
        "site": "Сайт: {value}",
        "contact": "Контакт: {value}",
        "priority": "Приоритет: {value}",
        "desired_date": "Желаемая дата: {value}",
        "status": "Статус: {value}",
        "assignee": "Исполнитель: {value}",
        "due": "Срок SLA: {value}",
        "nobody": "не назначен",
        "rating": "Оценка: {value} из 5",
        "attachments": "Вложений: {value}",
        "text.question": "Вопрос",
        "text.summary": "Что сделано",
        "text.reason": "Причина",
        "text.comment": "Комментарий",
        "text.description": "Описание",
        "target.first_response": "первого ответа",
        "target.resolution": "решения",
        "target.unknown": "SLA",
        "todo.needs_info": ("Требуется ваш ответ: ответьте на вопрос комментарием в тикете — "
                            "работа продолжится после ответа."),
        "todo.awaiting_acceptance": ("Проверьте выполненные работы и нажмите «Принять работы» "
                                     "в карточке тикета. Если есть замечания, напишите их "
                                     "в комментарии."),
        "link": "Открыть тикет: {url}",
        "footer": ("Это автоматическое письмо TicketDesk. Ответ на него не будет прочитан: "
                   "пишите, пожалуйста, в тикете."),
        "footer.reply": ("Это письмо TicketDesk. Чтобы ответить, просто ответьте на него: "
                         "текст станет вашим комментарием в тикете."),
        "system": "TicketDesk (автоматически)",
    },
    "en": {
        "greeting": "Hello {name},",
        "greeting_anonymous": "Hello,",
        "subject.ticket_created": "[#{number}] New ticket: {title}",
        "subject.status_changed": "[#{number}] Status changed: {status} — {title}",
        "subject.comment": "[#{number}] New comment — {title}",
        "subject.internal_note": "[#{number}] Internal note — {title}",
        "subject.remarks": "[#{number}] Client remarks — {title}",
        "subject.reminder": "[#{number}] Reminder: {status} — {title}",
        "subject.sla_warning": "[#{number}] SLA: {target} due soon — {title}",
        "subject.sla_breach": "[#{number}] SLA breached: {target} overdue — {title}",
        "subject.auto_accepted": "[#{number}] Work accepted automatically — {title}",
        "lead.ticket_created": "New ticket #{number} \"{title}\" from {organization}.",
        "lead.status_changed": "The status of ticket #{number} \"{title}\" changed: {old} → {new}.",
        "lead.comment": "New comment on ticket #{number} \"{title}\".",
        "lead.internal_note": ("Internal note on ticket #{number} \"{title}\". "
                               "The client does not see it."),
        "lead.remarks": ("The client sent remarks on the work done in ticket #{number} "
                         "\"{title}\". The ticket stays \"{status}\", marked as having remarks."),
        "lead.reminder": "Ticket #{number} \"{title}\" is waiting for you: status \"{status}\".",
        "lead.sla_warning": "Ticket #{number} \"{title}\": the {target} target is due soon.",
        "lead.sla_breach": "Ticket #{number} \"{title}\": the {target} target was missed.",
        "lead.auto_accepted": ("The work on ticket #{number} \"{title}\" was accepted "
                               "automatically: no remarks arrived within the acceptance period. "
                               "Status: \"{status}\"."),
        "actor": "By: {name}",
        "organization": "Organization: {value}",
        "site": "Site: {value}",
        "contact": "Contact: {value}",
        "priority": "Priority: {value}",
        "desired_date": "Desired date: {value}",
        "status": "Status: {value}",
        "assignee": "Assignee: {value}",
        "due": "SLA due: {value}",
        "nobody": "unassigned",
        "rating": "Rating: {value} of 5",
        "attachments": "Attachments: {value}",
        "text.question": "Question",
        "text.summary": "What was done",
        "text.reason": "Reason",
        "text.comment": "Comment",
        "text.description": "Description",
        "target.first_response": "first response",
        "target.resolution": "resolution",
        "target.unknown": "SLA",
        "todo.needs_info": ("Your answer is needed: reply to the question with a comment in the "
                            "ticket; the work continues once you answer."),
        "todo.awaiting_acceptance": ("Please check the work and press \"Принять работы\" "
                                     "(Accept work) on the ticket card. If something is wrong, "
                                     "write your remarks in a comment."),
        "link": "Open the ticket: {url}",
        "footer": ("This is an automatic message from TicketDesk. Replies are not read: "
                   "please write in the ticket."),
        "footer.reply": ("This is a message from TicketDesk. To answer, just reply to it: "
                         "your text becomes your comment in the ticket."),
        "system": "TicketDesk (automatically)",
    },
}

# The text an action carries, by the status it leads to.
TEXT_KIND = {"needs_info": "question", "awaiting_acceptance": "summary",
             "cancelled": "reason"}
COMMENT_KINDS = ("comment", "internal_note", "remarks")
MAX_SUBJECT_TITLE = 120


@dataclass(frozen=True)
class Email:
    subject: str
    body: str
    language: str


@dataclass(frozen=True)
class CommentText:
    """The comment a notice is about, as the tickets service returned it."""

    body: str
    author: str = ""
    internal: bool = False
    attachments: int = 0


def language_of(user: auth_pb2.User) -> str:
    return language_or_default(user.language)


def status_label(status: str | int, language: str) -> str:
    value = labels.status_code(status) if isinstance(status, str) else status
    return labels.status(value, language)


def one_line(text: str, limit: int = MAX_SUBJECT_TITLE) -> str:
    """A header-safe line: no line breaks, bounded length."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"


def ticket_link(public_url: str, number: int) -> str:
    return f"{public_url.rstrip('/')}/tickets/{number}"


def render(notice: Notice, ticket: pb.Ticket, recipient: auth_pb2.User, *, public_url: str,
           timezone: str, comment: CommentText | None = None,
           assignee_name: str = "", replies: bool = False) -> Email:
    """The e-mail `recipient` gets for `notice`, in the recipient's language; moments in
    `timezone`, the studio's (its settings). `replies`: a client's reply to it becomes a
    comment (the e-mail channel is on), and the footer says so."""
    language = language_of(recipient)
    words = PHRASES[language]
    client = recipient.role == auth_pb2.ROLE_CLIENT
    if notice.kind not in KINDS:
        raise ValueError(f"unknown notice kind {notice.kind!r}")

    status = notice.to_status or ""
    status_text = (status_label(status, language) if status
                   else status_label(ticket.status, language))
    target = words.get(f"target.{notice.text}", words["target.unknown"])
    fields = {
        "number": ticket.number or notice.number,
        "title": ticket.title,
        "organization": ticket.organization_display_name or ticket.organization,
        "status": status_text,
        "old": status_label(notice.from_status, language) if notice.from_status else "—",
        "new": status_text,
        "target": target,
    }
    subject = words[f"subject.{notice.kind}"].format(**{**fields, "title": one_line(ticket.title)})

    lines: list[str] = []
    lines.append(words["greeting"].format(name=recipient.full_name) if recipient.full_name
                 else words["greeting_anonymous"])
    lines += ["", words[f"lead.{notice.kind}"].format(**fields)]
    details = _details(notice, ticket, words, language, assignee_name, timezone)
    if details:
        lines += ["", *details]
    for label, text in _texts(notice, ticket, words, client, comment):
        lines += ["", f"{label}:", text]
    if (notice.kind in COMMENT_KINDS and comment is not None and comment.attachments
            and not (comment.internal and client)):
        lines += ["", words["attachments"].format(value=comment.attachments)]
    todo = _todo(notice, ticket, words, client)
    if todo:
        lines += ["", todo]
    lines += ["", words["link"].format(url=ticket_link(public_url, fields["number"])),
              "", "—", words["footer.reply" if replies and client else "footer"]]
    return Email(subject=subject, body="\n".join(lines) + "\n", language=language)


def _actor_name(notice: Notice, ticket: pb.Ticket, words: dict[str, str]) -> str:
    actor = notice.actor
    if actor is None:
        if notice.kind == "ticket_created":
            return ticket.contact.full_name
        return ""
    if actor.role == "system" or not (actor.subject or actor.display_name):
        return words["system"]
    return actor.display_name or actor.subject


def _details(notice: Notice, ticket: pb.Ticket, words: dict[str, str], language: str,
             assignee_name: str, timezone: str) -> list[str]:
    lines = []
    actor = _actor_name(notice, ticket, words)
    kind = notice.kind
    if kind == "ticket_created":
        lines.append(words["organization"].format(
            value=ticket.organization_display_name or ticket.organization))
        if ticket.site_url:
            lines.append(words["site"].format(value=ticket.site_url))
        contact = ", ".join(v for v in (ticket.contact.full_name, ticket.contact.email,
                                        ticket.contact.phone) if v)
        if contact:
            lines.append(words["contact"].format(value=contact))
        lines.append(words["priority"].format(value=labels.priority(ticket.priority, language)))
        if ticket.desired_date:
            lines.append(words["desired_date"].format(
                value=dates.format_iso_day(ticket.desired_date, language)))
        return lines
    if kind in ("sla_warning", "sla_breach"):
        lines.append(words["organization"].format(
            value=ticket.organization_display_name or ticket.organization))
        lines.append(words["priority"].format(value=labels.priority(ticket.priority, language)))
        lines.append(words["status"].format(value=status_label(ticket.status, language)))
        lines.append(words["assignee"].format(value=assignee_name or words["nobody"]))
        if ticket.sla.HasField("due_time"):
            due = ticket.sla.due_time
            moment = dates.format_timestamp(due.seconds, due.nanos, language, timezone)
            lines.append(words["due"].format(value=f"{moment} ({timezone})"))
        return lines
    if kind in ("status_changed", "comment", "internal_note", "remarks") and actor:
        lines.append(words["actor"].format(name=actor))
    if kind == "status_changed" and notice.to_status == "done" and ticket.rating:
        lines.append(words["rating"].format(value=ticket.rating))
    return lines


def _texts(notice: Notice, ticket: pb.Ticket, words: dict[str, str], client: bool,
           comment: CommentText | None) -> list[tuple[str, str]]:
    """(label, user text) pairs; the text is kept exactly as written."""
    kind = notice.kind
    if kind == "ticket_created" and ticket.description:
        return [(words["text.description"], ticket.description)]
    if kind == "status_changed" and notice.text:
        what = TEXT_KIND.get(notice.to_status, "comment")
        return [(words[f"text.{what}"], notice.text)]
    if kind == "reminder" and ticket.status_note:
        what = TEXT_KIND.get(notice.to_status or "", "comment")
        return [(words[f"text.{what}"], ticket.status_note)]
    if kind in COMMENT_KINDS and comment is not None:
        if comment.internal and client:  # never: internal notes reach staff only
            return []
        return [(words["text.comment"], comment.body)] if comment.body else []
    return []


def _todo(notice: Notice, ticket: pb.Ticket, words: dict[str, str], client: bool) -> str:
    if not client or notice.kind not in ("status_changed", "reminder"):
        return ""
    status = notice.to_status
    if notice.kind == "reminder" and not status:
        status = pb.Status.Name(ticket.status).removeprefix("STATUS_").lower()
    return words.get(f"todo.{status}", "")


# The managers' e-mail when TicketDesk turns a webhook off (workflows/webhooks).
WEBHOOK_OFF = {
    "ru": ("Вебхук «{name}» выключен",
           "TicketDesk выключил вебхук «{name}» ({url}): событие не удалось доставить ни с "
           "одной попытки.\n\nПоследняя ошибка: {reason}\n\nКогда получатель снова "
           "заработает, включите вебхук — недоставленные события уйдут по порядку: {link}"),
    "en": ("Webhook “{name}” turned off",
           "TicketDesk turned off the webhook “{name}” ({url}): an event could not be "
           "delivered in any attempt.\n\nThe last error: {reason}\n\nOnce the receiver "
           "works again, turn the webhook on, and the undelivered events go out in order: "
           "{link}"),
}


def webhook_off(recipient: auth_pb2.User, name: str, url: str, reason: str,
                link: str) -> Email:
    language = language_of(recipient)
    subject, body = WEBHOOK_OFF[language]
    words = PHRASES[language]
    greeting = (words["greeting"].format(name=recipient.full_name) if recipient.full_name
                else words["greeting_anonymous"])
    text = body.format(name=name, url=url, reason=reason, link=link)
    return Email(subject=one_line(subject.format(name=name)),
                 body=f"{greeting}\n\n{text}\n\n—\n{words['footer']}\n", language=language)
