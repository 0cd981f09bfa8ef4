"""The `notify` activity against the real auth and tickets services and a real
SMTP server. The activity runs in an ActivityEnvironment, not in the stack's
worker, so this test does not depend on the worker's registrations."""

from __future__ import annotations

import asyncio

from google.protobuf.field_mask_pb2 import FieldMask
from temporalio.testing import ActivityEnvironment

from tests.support.stack import Stack
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_internal_pb2_grpc
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.notify.activities import NotifyActivities
from workflows.notify.inbox import TicketInbox
from workflows.notify.mailer import OutboxMailer, SmtpMailer
from workflows.messages import Actor, Notice

URL = "https://desk.example.test"


def as_actor(user: auth_pb2.User, role: str) -> Actor:
    return Actor(subject=user.name, role=role, display_name=user.full_name)


async def test_notify_through_the_real_services(stack: Stack, smtp_server):
    org = await stack.new_organization()
    client_en = await stack.new_user(auth_pb2.ROLE_CLIENT, org.name, "client", language="en")
    developer = await stack.new_user(auth_pb2.ROLE_DEVELOPER, name="dev")
    developer_en = await stack.new_user(auth_pb2.ROLE_DEVELOPER, name="dev", language="en")
    manager = await stack.new_user(auth_pb2.ROLE_MANAGER, name="manager")
    outsider = await stack.new_organization()  # its client must never hear a thing
    ticket = await stack.new_ticket(org, title="Поменять баннер")
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, starttls=False, timeout=10)
    acts = NotifyActivities(stack.clients.auth, stack.clients.tickets,
                            stack.settings.service_token.get_secret_value(), mailer, URL,
                            mail_from="TicketDesk <support@desk.example.test>")

    async def notify(kind: str, **fields) -> dict:
        smtp_server.received.clear()
        notice = Notice(kind=kind, number=ticket.number, event_id=f"{kind}-{ticket.number}",
                        **fields)
        count = await ActivityEnvironment().run(acts.notify, notice)
        got = {r.recipients[0]: r.message for r in smtp_server.received}
        assert count == len(got)
        assert outsider.email not in got
        return got

    # A new ticket: every active developer and manager (the session's other tests
    # add more of them), never a client.
    got = await notify("ticket_created")
    assert {developer.email, developer_en.email, manager.email} <= set(got)
    assert org.email not in got and client_en.email not in got
    assert got[developer_en.email]["Subject"] == (
        f"[#{ticket.number}] New ticket: Поменять баннер")
    assert got[developer.email]["Subject"] == f"[#{ticket.number}] Новый тикет: Поменять баннер"

    # A status change: the organization's clients, each in their language.
    got = await notify("status_changed", actor=as_actor(developer, "developer"),
                       from_status="queued", to_status="needs_info",
                       text="Какого размера баннер?")
    assert set(got) == {org.email, client_en.email}
    ru, en = got[org.email], got[client_en.email]
    assert ru["Subject"] == (f"[#{ticket.number}] Статус изменён: Требует уточнений — "
                             "Поменять баннер")
    assert en["Subject"] == (f"[#{ticket.number}] Status changed: Needs clarification — "
                             "Поменять баннер")
    assert "Какого размера баннер?" in ru.get_content()
    assert "Требуется ваш ответ" in ru.get_content()
    assert f"{URL}/tickets/{ticket.number}" in en.get_content()

    # Assign the ticket; then a client's comment goes to the assignee only, with its text.
    staff = await stack.login(developer.email)
    await stack.clients.tickets.UpdateTicket(pb.UpdateTicketRequest(
        ticket=pb.Ticket(name=ticket.name, assignee=developer_en.name),
        update_mask=FieldMask(paths=["assignee"])), metadata=staff)
    comment = await stack.clients.tickets.AddComment(pb.AddCommentRequest(
        parent=ticket.name, comment=pb.Comment(body="Размер 1200×400, спасибо!")),
        metadata=org.client)
    got = await notify("comment", actor=as_actor(org.client_user, "client"),
                       comment=comment.name)
    assert set(got) == {developer_en.email}
    assert "Размер 1200×400, спасибо!" in got[developer_en.email].get_content()

    # An internal note: staff only, with its text; the author is left out.
    note = await stack.clients.tickets.AddComment(pb.AddCommentRequest(
        parent=ticket.name, comment=pb.Comment(body="Баннер лежит в макетах",
                                               visibility=pb.VISIBILITY_INTERNAL)),
        metadata=staff)
    got = await notify("internal_note", actor=as_actor(developer, "developer"),
                       comment=note.name)
    assert {developer_en.email, manager.email} <= set(got)
    assert developer.email not in got and org.email not in got
    assert "Баннер лежит в макетах" in got[manager.email].get_content()

    # An SLA breach: the assignee and the managers; the due time (the workflow records
    # it soon after the start) in the studio's time zone, from its settings.
    async with asyncio.timeout(10):
        while not (await stack.clients.tickets.GetTicket(pb.GetTicketRequest(
                name=ticket.name), metadata=staff)).sla.HasField("due_time"):
            await asyncio.sleep(0.1)
    studio = await stack.clients.tickets.GetStudioSettings(pb.GetStudioSettingsRequest(),
                                                           metadata=stack.service)
    got = await notify("sla_breach", text="first_response")
    assert developer_en.email in got and manager.email in got
    assert developer.email not in got and org.email not in got
    assert f"({studio.timezone})" in got[developer_en.email].get_content()


async def test_a_retried_notice_reaches_the_bell_once_and_mails_nobody_twice(stack: Stack,
                                                                              smtp_server):
    org = await stack.new_organization()
    colleague = await stack.new_user(auth_pb2.ROLE_CLIENT, org.name, "client", language="en")
    ticket = await stack.new_ticket(org)
    token = stack.settings.service_token.get_secret_value()
    internal = tickets_internal_pb2_grpc.TicketInternalServiceStub(stack.clients.tickets_channel)
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, starttls=False, timeout=10)
    acts = NotifyActivities(stack.clients.auth, stack.clients.tickets, token, mailer, URL,
                            TicketInbox(internal, token))
    notice = Notice(kind="reminder", number=ticket.number, event_id=f"retry-{ticket.number}",
                    to_status="needs_info")
    assert await ActivityEnvironment().run(acts.notify, notice) == 2
    assert sorted(r.recipients[0] for r in smtp_server.received) == sorted(
        [org.email, colleague.email])
    assert await ActivityEnvironment().run(acts.notify, notice) == 2  # a retry
    assert len(smtp_server.received) == 2, "nobody is e-mailed twice"
    bell = await stack.clients.tickets.ListNotifications(pb.ListNotificationsRequest(),
                                                         metadata=org.client)
    mine = [n for n in bell.notifications if n.ticket == ticket.name]
    assert [n.kind for n in mine] == ["reminder"]


class CountingInternal:
    """The internal stub, counting MarkNotificationsEmailed calls."""

    def __init__(self, stub):
        self.stub, self.marks = stub, 0
        self.DeliverNotifications = stub.DeliverNotifications

    async def MarkNotificationsEmailed(self, request, **kwargs):
        self.marks += 1
        return await self.stub.MarkNotificationsEmailed(request, **kwargs)


class CrashingOutbox(OutboxMailer):
    """Writes the first message of its first batch, then fails (the disk filled up)."""

    crashed = False

    def write_all(self, messages):
        if not self.crashed:
            self.crashed = True
            super().write_all(messages[:1])
            raise OSError("No space left on device")
        return super().write_all(messages)


async def test_a_retry_after_a_partial_send_repeats_neither_bell_nor_mail(stack: Stack,
                                                                        tmp_path):
    org = await stack.new_organization()
    for _ in range(2):
        await stack.new_user(auth_pb2.ROLE_CLIENT, org.name, "client")
    ticket = await stack.new_ticket(org)
    token = stack.settings.service_token.get_secret_value()
    internal = CountingInternal(
        tickets_internal_pb2_grpc.TicketInternalServiceStub(stack.clients.tickets_channel))
    outbox = CrashingOutbox(tmp_path / "mail")
    acts = NotifyActivities(stack.clients.auth, stack.clients.tickets, token, outbox, URL,
                            TicketInbox(internal, token))
    notice = Notice(kind="reminder", number=ticket.number, event_id=f"part-{ticket.number}",
                    to_status="needs_info")
    try:
        await ActivityEnvironment().run(acts.notify, notice)
    except OSError:
        pass
    else:
        raise AssertionError("the first attempt fails")
    assert internal.marks == 0 and len(list((tmp_path / "mail").glob("*.eml"))) == 1
    assert await ActivityEnvironment().run(acts.notify, notice) == 3  # the retry
    assert internal.marks == 1, "one MarkNotificationsEmailed for the whole notice"
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 3, "each person's mail once"
    bell = await stack.clients.tickets.ListNotifications(pb.ListNotificationsRequest(),
                                                         metadata=org.client)
    assert [n.kind for n in bell.notifications if n.ticket == ticket.name] == ["reminder"]
