"""The `notify` activity against fake services (fast) and a real SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from tests.workflows.notify.people import (
    CLIENT1,
    CLIENT2,
    DEV1,
    DEV2,
    EVERYONE,
    MANAGER,
    actor,
    notice,
    ticket,
)
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.notify.activities import NotifyActivities
from workflows.notify.mailer import MessageRejected, SmtpMailer, message_id
from workflows.notify.studio import StudioZone

TOKEN = "service-token"
BEARER = (("authorization", f"Bearer {TOKEN}"),)


def rpc_error(code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), "nope")


class FakeAuth:
    """ListUsers with the server's filters, one user per page (to exercise paging)."""

    def __init__(self, users):
        self.users, self.calls = users, []

    async def ListUsers(self, request, metadata=None, timeout=None):
        assert metadata == BEARER
        self.calls.append(request)
        found = [u for u in self.users if u.active
                 and (not request.role or u.role == request.role)
                 and (not request.organization or u.organization == request.organization)]
        start = int(request.page_token or 0)
        more = start + 1 < len(found)
        return auth_pb2.ListUsersResponse(users=found[start:start + 1],
                                          next_page_token=str(start + 1) if more else "")


class FakeTickets:
    def __init__(self, the_ticket=None, comments=(), error=None, zone="Europe/Moscow"):
        self.ticket, self.comments, self.error = the_ticket, list(comments), error
        self.zone, self.settings_read = zone, 0
        self.comment_reads = 0

    async def GetStudioSettings(self, request, metadata=None, timeout=None):
        assert metadata == BEARER
        self.settings_read += 1
        return pb.StudioSettings(name="studioSettings", timezone=self.zone)

    async def GetTicket(self, request, metadata=None, timeout=None):
        assert metadata == BEARER
        if self.error:
            raise rpc_error(self.error)
        return self.ticket

    async def GetComment(self, request, metadata=None, timeout=None):
        assert metadata == BEARER and request.name.startswith("tickets/1024/comments/")
        self.comment_reads += 1
        for comment in self.comments:
            if comment.name == request.name:
                return comment
        raise rpc_error(grpc.StatusCode.NOT_FOUND)


class Recorder:
    """`fail_after`: a transient error once that many messages went out."""

    def __init__(self, refuse=(), fail_after=None):
        self.sent, self.refuse, self.fail_after = [], set(refuse), fail_after
        self.batches = 0

    async def send_all(self, messages):
        self.batches += 1
        results = []
        for message in messages:
            if self.fail_after is not None and len(self.sent) == self.fail_after:
                self.fail_after = None
                raise ConnectionError("connection lost")
            if message["To"].addresses[0].addr_spec in self.refuse:
                results.append(MessageRejected("550"))
                continue
            self.sent.append(message)
            results.append(None)
        return results

    def to(self):
        return sorted(m["To"].addresses[0].addr_spec for m in self.sent)


class FakeInbox:
    def __init__(self, already_emailed=()):
        self.delivered, self.emailed = [], set(already_emailed)
        self.marks = []

    async def deliver(self, notice, titles):
        self.delivered.append((notice.event_id, dict(titles)))
        return [r for r in titles if (notice.event_id, r) not in self.emailed]

    async def mark_emailed(self, notice, recipients):
        self.marks.append(list(recipients))
        self.emailed.update((notice.event_id, r) for r in recipients)


def activities(tickets, mailer, inbox=None, users=EVERYONE):
    return NotifyActivities(FakeAuth(users), tickets, TOKEN, mailer,
                            "https://desk.example.test/", inbox,
                            mail_from="TicketDesk <support@desk.example.test>")


async def run(acts, n):
    return await ActivityEnvironment().run(acts.notify, n)


async def test_a_status_change_mails_each_client_in_their_language():
    mailer = Recorder()
    acts = activities(FakeTickets(ticket()), mailer)
    change = notice("status_changed", actor(DEV1), from_status="queued",
                    to_status="in_progress")
    assert await run(acts, change) == 2
    assert mailer.to() == sorted([CLIENT1.email, CLIENT2.email])
    by_address = {m["To"].addresses[0].addr_spec: m for m in mailer.sent}
    assert by_address[CLIENT1.email]["Subject"].startswith("[#1024] Статус изменён: В работе")
    assert by_address[CLIENT2.email]["Subject"].startswith("[#1024] Status changed: In progress")
    assert by_address[CLIENT1.email]["Message-ID"] == message_id(
        change.event_id, CLIENT1.name, "desk.example.test")


async def test_a_retry_sends_the_same_message_ids():
    first, second = Recorder(), Recorder()
    change = notice("reminder", to_status="needs_info")
    await run(activities(FakeTickets(ticket()), first), change)
    await run(activities(FakeTickets(ticket()), second), change)
    assert sorted(m["Message-ID"] for m in first.sent) == sorted(
        m["Message-ID"] for m in second.sent)


async def test_the_comment_text_is_looked_up_and_included():
    comments = [pb.Comment(name=f"tickets/1024/comments/{i}", body=f"комментарий {i}",
                           visibility=pb.VISIBILITY_PUBLIC) for i in range(1, 4)]
    mailer = Recorder()
    acts = activities(FakeTickets(ticket(assignee=DEV2.name), comments), mailer)
    count = await run(acts, notice("comment", actor(CLIENT1), comment="tickets/1024/comments/3"))
    assert count == 1 and mailer.to() == [DEV2.email]
    body = mailer.sent[0].get_content()
    assert "комментарий 3" in body and "комментарий 2" not in body
    assert "Comment:\nкомментарий 3" in body  # DEV2 reads English


async def test_the_inbox_gets_everyone_and_only_the_unmailed_are_mailed():
    inbox = FakeInbox(already_emailed={("event-ticket_created", DEV1.name)})
    mailer = Recorder()
    acts = activities(FakeTickets(ticket()), mailer, inbox)
    assert await run(acts, notice("ticket_created")) == 3
    (event, titles), = inbox.delivered
    assert sorted(titles) == sorted([DEV1.name, DEV2.name, MANAGER.name])
    assert all(title.startswith("[#") and "Поменять баннер" in title
               for title in titles.values())
    assert mailer.to() == sorted([DEV2.email, MANAGER.email])
    assert inbox.emailed >= {(event, DEV2.name), (event, MANAGER.name)}
    await run(acts, notice("ticket_created"))  # retried: nobody is mailed twice
    assert len(mailer.sent) == 2


async def test_one_batch_of_mail_and_one_emailed_record_per_notice():
    inbox, mailer = FakeInbox(), Recorder()
    acts = activities(FakeTickets(ticket()), mailer, inbox)
    assert await run(acts, notice("ticket_created")) == 3
    assert mailer.batches == 1
    assert inbox.marks == [sorted([DEV1.name, DEV2.name, MANAGER.name])]


async def test_a_retry_after_a_partial_send_mails_only_the_same_message_ids_again():
    """A transient failure mid-batch: nothing is marked e-mailed, so the retry sends
    the whole batch again with the same Message-IDs (the receiver sees a duplicate,
    nobody misses the mail); the bell gets one delivery per attempt, the inbox keeps
    it once per recipient."""
    inbox, mailer = FakeInbox(), Recorder(fail_after=1)
    acts = activities(FakeTickets(ticket()), mailer, inbox)
    created = notice("ticket_created")
    with pytest.raises(ConnectionError):
        await run(acts, created)
    assert len(mailer.sent) == 1 and inbox.marks == []
    assert await run(acts, created) == 3
    ids = [m["Message-ID"] for m in mailer.sent]
    assert len(set(ids)) == 3 and ids.count(ids[0]) == 2
    assert inbox.marks == [sorted([DEV1.name, DEV2.name, MANAGER.name])]
    await run(acts, created)  # retried once more: nobody is mailed again
    assert len(mailer.sent) == 4


async def test_the_comment_is_read_in_one_call_on_a_long_ticket():
    comments = [pb.Comment(name=f"tickets/1024/comments/{i}", body=f"комментарий {i}",
                           visibility=pb.VISIBILITY_PUBLIC) for i in range(150)]
    tickets = FakeTickets(ticket(assignee=DEV2.name), comments)
    mailer = Recorder()
    acts = activities(tickets, mailer)
    await run(acts, notice("comment", actor(CLIENT1), comment="tickets/1024/comments/149"))
    assert tickets.comment_reads == 1
    assert "комментарий 149" in mailer.sent[0].get_content()


async def test_a_refused_address_does_not_stop_the_others():
    mailer = Recorder(refuse={CLIENT1.email})
    acts = activities(FakeTickets(ticket()), mailer)
    assert await run(acts, notice("reminder", to_status="needs_info")) == 2
    assert mailer.to() == [CLIENT2.email]


async def test_nobody_to_tell_sends_nothing():
    mailer = Recorder()
    acts = activities(FakeTickets(ticket()), mailer, users=[DEV1])
    assert await run(acts, notice("comment", actor(DEV1), comment="x")) == 0
    assert mailer.sent == []


@pytest.mark.parametrize("code", [grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT])
async def test_a_missing_ticket_is_a_permanent_failure(code):
    acts = activities(FakeTickets(error=code), Recorder())
    with pytest.raises(ApplicationError) as failed:
        await run(acts, notice("reminder"))
    assert failed.value.non_retryable


async def test_an_unavailable_service_is_left_to_temporals_retries():
    acts = activities(FakeTickets(error=grpc.StatusCode.UNAVAILABLE), Recorder())
    with pytest.raises(grpc.aio.AioRpcError):
        await run(acts, notice("reminder"))


async def test_an_unknown_kind_is_a_permanent_failure():
    acts = activities(FakeTickets(ticket()), Recorder())
    with pytest.raises(ApplicationError) as failed:
        await run(acts, notice("birthday"))
    assert failed.value.non_retryable


async def test_the_activity_mails_through_a_real_smtp_server(smtp_server):
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, starttls=False, timeout=10)
    acts = activities(FakeTickets(ticket(assignee=DEV2.name)), mailer)
    breach = notice("sla_breach", text="first_response")
    assert await run(acts, breach) == 2
    received = {r.recipients[0]: r.message for r in smtp_server.received}
    assert set(received) == {DEV2.email, MANAGER.email}
    assert received[DEV2.email]["Subject"] == (
        "[#1024] SLA breached: first response overdue — Поменять баннер")
    assert received[MANAGER.email]["Subject"] == (
        "[#1024] SLA нарушен: истёк срок первого ответа — Поменять баннер")
    assert "Исполнитель: User 2" in received[MANAGER.email].get_content()


def sla_due(moment: datetime) -> pb.Sla:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return pb.Sla(state=pb.Sla.STATE_RUNNING, due_time=stamp)


async def test_moments_are_in_the_studios_time_zone_read_once_a_minute():
    """The zone is the studio settings' (not the worker's configuration): a burst of
    notices asks for them once."""
    tickets = FakeTickets(ticket(sla=sla_due(datetime(2026, 12, 5, 11, 30, tzinfo=UTC))),
                          zone="Asia/Vladivostok")
    mailer = Recorder()
    acts = activities(tickets, mailer)
    await run(acts, notice("sla_breach", text="resolution"))
    await run(acts, notice("sla_warning", text="resolution"))
    bodies = {m["To"].addresses[0].addr_spec: m.get_content() for m in mailer.sent}
    assert "SLA due: Dec 5, 2026, 21:30 (Asia/Vladivostok)" in bodies[DEV2.email]
    assert "Срок SLA: 05.12.2026 21:30 (Asia/Vladivostok)" in bodies[MANAGER.email]
    assert tickets.settings_read == 1


async def test_the_studios_time_zone_is_read_again_after_a_minute():
    tickets, now = FakeTickets(), [0.0]
    zone = StudioZone(tickets, BEARER, clock=lambda: now[0])
    assert await zone.get() == "Europe/Moscow"
    tickets.zone, now[0] = "Europe/Berlin", 59.0
    assert await zone.get() == "Europe/Moscow"  # kept
    now[0] = 60.0
    assert await zone.get() == "Europe/Berlin"  # a manager's change arrived
    assert tickets.settings_read == 2
