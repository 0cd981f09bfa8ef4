"""Who may call what on which resource: every RPC × every role × own / foreign / missing.

The rule (AIP-193): PERMISSION_DENIED for what a role may never do, whatever the
resource; NOT_FOUND for a resource the caller may not see, exactly as for a missing
one. The internal services (AuthInternalService, TicketInternalService) answer only the
service token: every other caller gets PERMISSION_DENIED with the reason SERVICE_ONLY.
"own" is organization A's resource (the client's own organization), "foreign" is
organization B's. Besides the status code, every answer to a client (response,
list page, error message and details) is searched for B's data and A's internal
notes: none may appear unless the caller sent it itself.

Codes per row: one per resource (own foreign missing), `-` for a case not made
here, or a single code for all. `client` covers the client of A and its client-role
API token, `staff` the developer, the manager and a developer-role API token;
`roles` overrides single roles.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration
from google.protobuf.field_mask_pb2 import FieldMask

from services.common.client.channels import bearer
from tests.security.conftest import CLIENTS, ROLES, World, api_token, invoke, leaked
from tests.support.stack import PASSWORD
from ticketdesk.auth.v1 import auth_internal_pb2 as auth_internal
from ticketdesk.auth.v1 import auth_internal_pb2_grpc
from ticketdesk.auth.v1 import auth_pb2 as auth
from ticketdesk.files.v1 import files_pb2 as files
from ticketdesk.tickets.v1 import tickets_internal_pb2 as tickets_internal
from ticketdesk.tickets.v1 import tickets_internal_pb2_grpc
from ticketdesk.tickets.v1 import tickets_pb2 as tickets

OWN, FOREIGN, MISSING, NONE = "own", "foreign", "missing", "-"
CODES = {"OK": grpc.StatusCode.OK, "NF": grpc.StatusCode.NOT_FOUND,
         "PD": grpc.StatusCode.PERMISSION_DENIED, "IA": grpc.StatusCode.INVALID_ARGUMENT,
         "FP": grpc.StatusCode.FAILED_PRECONDITION, "UA": grpc.StatusCode.UNAUTHENTICATED}
Build = Callable[[World, str, str], Awaitable[object]]


def pick(resource: str, own, foreign, missing):
    return {OWN: own, FOREIGN: foreign, MISSING: missing}[resource]


def tomorrow() -> str:
    from datetime import date, timedelta
    return (date.today() + timedelta(days=2)).isoformat()


# ------------------------------------------------------------------ requests, per RPC


async def create_ticket(w: World, role: str, r: str):
    """Clients name a site (B's, or a missing one of A); staff name the organization."""
    if role in CLIENTS:
        site = pick(r, w.a.site, w.b.site, w.missing["site"])
        return tickets.CreateTicketRequest(ticket=tickets.Ticket(
            title="Новая страница", description="Нужна страница", site=site))
    return tickets.CreateTicketRequest(ticket=tickets.Ticket(
        title="Новая страница", description="Нужна страница",
        organization=pick(r, w.a.org, w.b.org, w.missing["org"])))


def ticket_of(w: World, r: str) -> str:
    return pick(r, w.a.ticket.name, w.b.ticket.name, w.missing["ticket"])


def comment_of(w: World, r: str) -> str:
    return pick(r, w.a.comment.name, w.b.comment.name, w.missing["comment"])


def note_of(w: World, r: str) -> str:
    """A's internal note (own), B's public comment (foreign), a missing one."""
    return pick(r, w.note.name, w.b.comment.name, comment_of(w, MISSING))


def file_of(w: World, r: str) -> str:
    return pick(r, w.a.file.name, w.b.file.name, w.missing["file"])


def org_of(w: World, r: str) -> str:
    return pick(r, w.a.org, w.b.org, w.missing["org"])


def contact_of(w: World, r: str) -> str:
    return pick(r, w.a.contact.name, w.b.contact.name, w.missing["user"])


async def update_ticket(w, role, r):
    field_, value = (("desired_date", {"desired_date": tomorrow()}) if role in CLIENTS
                     else ("estimate_hours", {"estimate_hours": 3.5}))
    return tickets.UpdateTicketRequest(ticket=tickets.Ticket(name=ticket_of(w, r), **value),
                                       update_mask=FieldMask(paths=[field_]))


async def update_ticket_staff_field(w, role, r):
    return tickets.UpdateTicketRequest(ticket=tickets.Ticket(name=ticket_of(w, r), title="x"),
                                       update_mask=FieldMask(paths=["title"]))


async def transition_wrong_state(w, role, r):
    """An action of the caller's role that the ticket's status (queued) does not allow."""
    action = tickets.ACTION_ACCEPT if role in CLIENTS else tickets.ACTION_SUBMIT_FOR_ACCEPTANCE
    return tickets.TransitionTicketRequest(name=ticket_of(w, r), action=action, text="готово")


async def transition_other_role(w, role, r):
    """An action the caller's role may never take."""
    action = tickets.ACTION_START_WORK if role in CLIENTS else tickets.ACTION_ACCEPT
    return tickets.TransitionTicketRequest(name=ticket_of(w, r), action=action)


async def update_studio_settings(w, role, r):
    """Writes back the reminder period it has: allowed or not, nothing changes."""
    current = await w.stack.clients.tickets.GetStudioSettings(
        tickets.GetStudioSettingsRequest(name="studioSettings"), metadata=w.stack.service)
    return tickets.UpdateStudioSettingsRequest(
        settings=tickets.StudioSettings(name=current.name,
                                        reminder_business_days=current.reminder_business_days),
        update_mask=FieldMask(paths=["reminder_business_days"]))


async def add_comment(w, role, r):
    return tickets.AddCommentRequest(parent=ticket_of(w, r),
                                     comment=tickets.Comment(body="Есть вопрос"))


async def add_internal_note(w, role, r):
    return tickets.AddCommentRequest(parent=ticket_of(w, r), comment=tickets.Comment(
        body="Внутренняя заметка", visibility=tickets.VISIBILITY_INTERNAL))


async def create_site(w, role, r):
    return tickets.CreateSiteRequest(parent=org_of(w, r), site=tickets.Site(
        url=f"https://{secrets.token_hex(4)}.example", display_name="Лендинг"))


async def update_site(w, role, r):
    return tickets.UpdateSiteRequest(
        site=tickets.Site(name=pick(r, w.a.site, w.b.site, w.missing["site"]), active=True),
        update_mask=FieldMask(paths=["active"]))


async def upload_file(w, role, r):
    return [files.UploadFileRequest(metadata=files.UploadMetadata(
                ticket=ticket_of(w, r), display_name="screen.txt")),
            files.UploadFileRequest(chunk=b"a screenshot, in words\n")]


async def fresh_time_entry(w, role, r) -> str:
    """An entry logged on A's or B's ticket by the service token: no caller's own."""
    if r == MISSING:
        return f"{w.missing['ticket']}/timeEntries/{'0' * 32}"
    entry = await w.stack.clients.tickets.CreateTimeEntry(tickets.CreateTimeEntryRequest(
        parent=ticket_of(w, r), time_entry=tickets.TimeEntry(minutes=15)),
        metadata=w.stack.service)
    return entry.name


async def update_time_entry(w, role, r):
    return tickets.UpdateTimeEntryRequest(
        time_entry=tickets.TimeEntry(name=await fresh_time_entry(w, role, r), minutes=20),
        update_mask=FieldMask(paths=["minutes"]))


async def fresh_user(w, role, r) -> str:
    """A new contact of A or B, for the RPCs that change or end an account."""
    if r == MISSING:
        return w.missing["user"]
    user = await w.stack.new_user(auth.ROLE_CLIENT, org_of(w, r), name="target")
    return user.name


async def fresh_api_token(w, role, r) -> str:
    if r == MISSING:
        return w.missing["api_token"]
    created = await w.stack.clients.auth.CreateApiToken(auth.CreateApiTokenRequest(
        api_token=auth.ApiToken(display_name="to revoke", role=auth.ROLE_CLIENT,
                                organization=org_of(w, r))), metadata=w.stack.service)
    return created.api_token.name


async def login(w, role, r):
    return auth.LoginRequest(email=w.a.contact.email, password=PASSWORD)


async def change_password(w, role, r):
    return auth.ChangePasswordRequest(current_password=PASSWORD,
                                      new_password=f"new passphrase {secrets.token_hex(4)}")


async def authenticate(w, role, r):
    return auth_internal.AuthenticateRequest(
        token=pick(r, w.a.api_token, w.b.api_token, "no-such-token"))


async def create_user(w, role, r):
    return auth.CreateUserRequest(user=auth.User(
        email=f"new-{secrets.token_hex(4)}@example.test", full_name="Новый Контакт",
        role=auth.ROLE_CLIENT, organization=org_of(w, r)))


async def update_user(w, role, r):
    """Sets the full name the contact already has: allowed or not, nothing changes."""
    contact = pick(r, w.a.contact, w.b.contact, auth.User(name=w.missing["user"], full_name="X"))
    return auth.UpdateUserRequest(user=auth.User(name=contact.name, full_name=contact.full_name),
                                  update_mask=FieldMask(paths=["full_name"]))


async def update_organization(w, role, r):
    return auth.UpdateOrganizationRequest(
        organization=auth.Organization(name=org_of(w, r), auto_accept_business_days=10),
        update_mask=FieldMask(paths=["auto_accept_business_days"]))


async def create_api_token(w, role, r):
    return auth.CreateApiTokenRequest(api_token=auth.ApiToken(
        display_name="integration", role=auth.ROLE_CLIENT, organization=org_of(w, r)))


async def notices_of(w, role, r):
    return tickets_internal.RecordNoticesRequest(notices=[tickets_internal.Notice(
        event_id="e1", ticket=ticket_of(w, r), kind="reminder")])


def simple(message_type, /, **fields) -> Build:
    async def build(w, role, r):
        return message_type(**{k: v(w, r) if callable(v) else v for k, v in fields.items()})
    return build


# ------------------------------------------------------------------ the matrix


@dataclass(frozen=True)
class Row:
    service: str
    rpc: str
    build: Build
    client: str
    staff: str
    roles: dict[str, str] = field(default_factory=dict)
    resources: tuple[str, ...] = (OWN, FOREIGN, MISSING)
    fresh_caller: bool = False  # the call ends the caller's session
    label: str = ""
    xfail: str = ""  # a known defect: the row fails until it is fixed
    reason: str = ""  # the ErrorReason every refusal (PERMISSION_DENIED) of the row carries

    def expected(self, role: str) -> dict[str, str]:
        codes = (self.roles.get(role) or (self.client if role in CLIENTS else self.staff)).split()
        codes = codes * len(self.resources) if len(codes) == 1 else codes
        return dict(zip(self.resources, codes, strict=True))


ANY = (NONE,)
MISSING_WEBHOOK = "webhooks/0123456789abcdef0123456789abcdef"
MANAGER_ONLY = {"developer": "PD", "developer_token": "PD"}
SERVICE_ONLY = "SERVICE_ONLY"

# The internal services: every caller but the service token is refused, with SERVICE_ONLY,
# whatever the resource (even the client's own ticket).
INTERNAL_ROWS = [
    Row("tickets_internal", "RecordTransition", simple(
        tickets_internal.RecordTransitionRequest, name=ticket_of,
        action=tickets.ACTION_START_WORK, from_status=tickets.STATUS_QUEUED,
        to_status=tickets.STATUS_IN_PROGRESS), client="PD", staff="PD", reason=SERVICE_ONLY),
    Row("tickets_internal", "RecordSlaEvent", simple(tickets_internal.RecordSlaEventRequest,
                                                     name=ticket_of),
        client="PD", staff="PD", reason=SERVICE_ONLY),
    Row("tickets_internal", "DeliverNotifications", simple(
        tickets_internal.DeliverNotificationsRequest, event_id="e1", ticket=ticket_of,
        kind="comment", deliveries=[tickets_internal.Delivery(recipient="users/x", title="t")]),
        client="PD", staff="PD", reason=SERVICE_ONLY),
    Row("tickets_internal", "MarkNotificationsEmailed", simple(
        tickets_internal.MarkNotificationsEmailedRequest, event_id="e1",
        recipients=["users/x"]), client="PD", staff="PD", resources=ANY, reason=SERVICE_ONLY),
    Row("tickets_internal", "RecordNotices", notices_of, client="PD", staff="PD",
        reason=SERVICE_ONLY),
    Row("tickets_internal", "ClaimNotices", simple(
        tickets_internal.ClaimNoticesRequest, max_notices=1, lease=Duration(seconds=1)),
        client="PD", staff="PD", resources=ANY, reason=SERVICE_ONLY),
    Row("tickets_internal", "CompleteNotices", simple(
        tickets_internal.CompleteNoticesRequest, names=["notices/1"]),
        client="PD", staff="PD", resources=ANY, reason=SERVICE_ONLY),
    Row("tickets_internal", "PollWebhookEvents", simple(
        tickets_internal.PollWebhookEventsRequest, webhook="0123456789abcdef", max_events=1),
        client="PD", staff="PD", resources=ANY, reason=SERVICE_ONLY),
    Row("tickets_internal", "PrepareWebhookDelivery", simple(
        tickets_internal.PrepareWebhookDeliveryRequest, webhook="0123456789abcdef", event=1),
        client="PD", staff="PD", resources=ANY, reason=SERVICE_ONLY),
    Row("tickets_internal", "RecordWebhookDelivery", simple(
        tickets_internal.RecordWebhookDeliveryRequest, webhook="0123456789abcdef", event=1),
        client="PD", staff="PD", resources=ANY, reason=SERVICE_ONLY),
    Row("tickets_internal", "DisableWebhook", simple(
        tickets_internal.DisableWebhookRequest, webhook="0123456789abcdef"),
        client="PD", staff="PD", resources=ANY, reason=SERVICE_ONLY),
    Row("tickets_internal", "ReceiveEmail", simple(
        tickets_internal.ReceiveEmailRequest, message=b"From: a@b.example\r\n\r\nhi\r\n"),
        client="PD", staff="PD", resources=ANY, reason=SERVICE_ONLY),
    Row("auth_internal", "Authenticate", authenticate, client="PD", staff="PD",
        reason=SERVICE_ONLY),
]

ROWS = [
    # --- tickets --------------------------------------------------------------------
    Row("tickets", "CreateTicket", create_ticket, client="OK IA IA", staff="OK OK IA"),
    Row("tickets", "GetTicket", simple(tickets.GetTicketRequest, name=ticket_of),
        client="OK NF NF", staff="OK OK NF"),
    Row("tickets", "ListTickets", simple(tickets.ListTicketsRequest, site=lambda w, r: pick(
        r, w.a.site, w.b.site, w.missing["site"])), client="OK", staff="OK"),
    Row("tickets", "ListTickets", simple(tickets.ListTicketsRequest, organization=org_of),
        client="OK", staff="OK", label="organization filter"),
    Row("tickets", "UpdateTicket", update_ticket, client="OK NF NF", staff="OK OK NF"),
    Row("tickets", "UpdateTicket", update_ticket_staff_field, client="PD NF NF", staff="-",
        label="a field only staff may change"),
    Row("tickets", "TransitionTicket", transition_wrong_state, client="FP NF NF",
        staff="FP FP NF"),
    Row("tickets", "TransitionTicket", transition_other_role, client="- NF NF",
        staff="- - NF", label="an action of another role"),
    Row("tickets", "TransitionTicket", transition_other_role, client="PD - -",
        staff="PD PD -", label="an action of another role"),
    Row("tickets", "AddComment", add_comment, client="OK NF NF", staff="OK OK NF"),
    Row("tickets", "AddComment", add_internal_note, client="PD", staff="OK OK NF",
        label="internal note"),
    Row("tickets", "GetComment", simple(tickets.GetCommentRequest, name=comment_of),
        client="OK NF NF", staff="OK OK NF"),
    Row("tickets", "GetComment", simple(tickets.GetCommentRequest, name=note_of),
        client="NF NF NF", staff="OK OK NF", label="an internal note"),
    Row("tickets", "ListComments", simple(tickets.ListCommentsRequest, parent=ticket_of),
        client="OK NF NF", staff="OK OK NF"),
    Row("tickets", "ListTicketHistory", simple(tickets.ListTicketHistoryRequest,
                                               parent=ticket_of),
        client="OK NF NF", staff="OK OK NF"),
    Row("tickets", "CreateSite", create_site, client="PD", staff="OK OK NF",
        roles=MANAGER_ONLY),
    Row("tickets", "ListSites", simple(tickets.ListSitesRequest, parent=org_of),
        client="OK NF NF", staff="OK OK OK"),
    Row("tickets", "UpdateSite", update_site, client="PD", staff="OK OK NF",
        roles=MANAGER_ONLY),
    Row("tickets", "GetStudioSettings", simple(tickets.GetStudioSettingsRequest,
                                               name="studioSettings"),
        client="OK", staff="OK", resources=ANY),
    Row("tickets", "UpdateStudioSettings", update_studio_settings, client="PD", staff="OK",
        roles=MANAGER_ONLY, resources=ANY),
    Row("tickets", "ListNotifications", simple(tickets.ListNotificationsRequest),
        client="OK", staff="OK", resources=ANY),
    # The ticket only filters the caller's own notifications: 0 marked, whoever's it is.
    Row("tickets", "MarkNotificationsRead", simple(tickets.MarkNotificationsReadRequest,
                                                   ticket=ticket_of),
        client="OK", staff="OK"),
    # Read up to its first event: the ticket's creation.
    Row("tickets", "WatchTicketEvents", simple(tickets.WatchTicketEventsRequest,
                                               ticket=ticket_of, from_beginning=True),
        client="OK NF NF", staff="OK OK NF"),
    # Webhooks are the studio's: managers only; a missing one NOT_FOUND. The one created
    # subscribes to SLA breaches of organization A on a closed port (they fail quietly).
    Row("tickets", "CreateWebhook", simple(
        tickets.CreateWebhookRequest, webhook=lambda w, r: tickets.Webhook(
            organization=w.a.org, url="http://127.0.0.1:9/hook", event_kinds=["sla_breach"])),
        client="PD", staff="OK", roles=MANAGER_ONLY, resources=ANY),
    Row("tickets", "ListWebhooks", simple(tickets.ListWebhooksRequest),
        client="PD", staff="OK", roles=MANAGER_ONLY, resources=ANY),
    Row("tickets", "UpdateWebhook", simple(
        tickets.UpdateWebhookRequest, webhook=tickets.Webhook(name=MISSING_WEBHOOK),
        update_mask=FieldMask(paths=["enabled"])),
        client="PD", staff="NF", roles=MANAGER_ONLY, resources=ANY),
    Row("tickets", "DeleteWebhook", simple(tickets.DeleteWebhookRequest, name=MISSING_WEBHOOK),
        client="PD", staff="NF", roles=MANAGER_ONLY, resources=ANY),
    Row("tickets", "ListWebhookDeliveries", simple(tickets.ListWebhookDeliveriesRequest,
                                                   parent=MISSING_WEBHOOK),
        client="PD", staff="NF", roles=MANAGER_ONLY, resources=ANY),
    Row("tickets", "RedeliverWebhookDelivery", simple(
        tickets.RedeliverWebhookDeliveryRequest, name=f"{MISSING_WEBHOOK}/deliveries/1"),
        client="PD", staff="NF", roles=MANAGER_ONLY, resources=ANY),
    # The e-mail channel's refused messages: managers only.
    Row("tickets", "ListInboundEmails", simple(tickets.ListInboundEmailsRequest),
        client="PD", staff="OK", roles=MANAGER_ONLY, resources=ANY),
    # Time entries are the studio's: a client is refused whatever the ticket; a
    # developer changes only their own entries (these are the service token's).
    Row("tickets", "CreateTimeEntry", simple(
        tickets.CreateTimeEntryRequest, parent=ticket_of,
        time_entry=tickets.TimeEntry(minutes=30, note="Вёрстка")),
        client="PD", staff="OK OK NF"),
    Row("tickets", "ListTimeEntries", simple(tickets.ListTimeEntriesRequest, parent=ticket_of),
        client="PD", staff="OK OK NF"),
    Row("tickets", "ListTimeEntries", simple(tickets.ListTimeEntriesRequest,
                                             parent="tickets/-", organization=org_of),
        client="PD", staff="OK", label="every ticket, by organization"),
    Row("tickets", "UpdateTimeEntry", update_time_entry, client="PD", staff="PD PD NF",
        roles={"manager": "OK OK NF"}),
    Row("tickets", "DeleteTimeEntry", simple(tickets.DeleteTimeEntryRequest), client="PD",
        staff="PD PD NF", roles={"manager": "OK OK NF"}),
    # A's organization does not show its clients the time spent (the default).
    Row("tickets", "SummarizeTime", simple(tickets.SummarizeTimeRequest,
                                           group_by=tickets.TIME_GROUPING_MONTH,
                                           organization=org_of),
        client="PD", staff="OK"),
    # A client's report is their organization's whatever they name.
    Row("tickets", "GetServiceReport", simple(
        tickets.GetServiceReportRequest, start_date="2026-01-01", end_date="2026-12-31",
        organization=org_of), client="OK", staff="OK"),
    # --- tickets, internal: the worker's (the service token's) only -----------------
    *INTERNAL_ROWS[:4],
    # --- files ----------------------------------------------------------------------
    Row("files", "UploadFile", upload_file, client="OK NF NF", staff="OK OK NF"),
    Row("files", "DownloadFile", simple(files.DownloadFileRequest, name=file_of),
        client="OK NF NF", staff="OK OK NF"),
    Row("files", "GetFile", simple(files.GetFileRequest, name=file_of),
        client="OK NF NF", staff="OK OK NF"),
    Row("files", "GetFile", simple(files.GetFileRequest,
                                   name=lambda w, r: w.note_file.name),
        client="NF", staff="OK", resources=ANY, label="a file of an internal note"),
    Row("files", "ListFiles", simple(files.ListFilesRequest, parent=ticket_of),
        client="OK NF NF", staff="OK OK NF"),
    # --- auth -----------------------------------------------------------------------
    Row("auth", "Login", login, client="OK", staff="OK", resources=ANY),
    Row("auth", "Logout", simple(auth.LogoutRequest), client="OK", staff="OK", resources=ANY,
        fresh_caller=True),
    Row("auth", "WhoAmI", simple(auth.WhoAmIRequest), client="OK", staff="OK", resources=ANY),
    # --- auth, internal: the tickets and files services' (the service token's) only --
    *INTERNAL_ROWS[4:],
    Row("auth", "ChangePassword", change_password, client="OK", staff="OK", resources=ANY,
        roles={"client_token": "FP", "developer_token": "FP"}, fresh_caller=True),
    Row("auth", "CreateOrganization", simple(auth.CreateOrganizationRequest,
                                             organization=auth.Organization(display_name="New")),
        client="PD", staff="OK", roles=MANAGER_ONLY, resources=ANY),
    Row("auth", "GetOrganization", simple(auth.GetOrganizationRequest, name=org_of),
        client="OK NF NF", staff="OK OK NF"),
    Row("auth", "ListOrganizations", simple(auth.ListOrganizationsRequest, page_size=1000),
        client="OK", staff="OK", resources=ANY),
    Row("auth", "UpdateOrganization", update_organization, client="PD", staff="OK OK NF",
        roles=MANAGER_ONLY),
    Row("auth", "CreateUser", create_user, client="PD", staff="OK OK IA", roles=MANAGER_ONLY),
    Row("auth", "GetUser", simple(auth.GetUserRequest, name=contact_of),
        client="OK NF NF", staff="OK OK NF"),
    Row("auth", "ListUsers", simple(auth.ListUsersRequest, organization=org_of,
                                    page_size=1000), client="OK NF NF", staff="OK"),
    Row("auth", "UpdateUser", update_user, client="PD NF NF", staff="PD PD NF",
        roles={"manager": "OK OK NF"}),
    Row("auth", "DeactivateUser", simple(auth.DeactivateUserRequest), client="PD",
        staff="OK OK NF", roles=MANAGER_ONLY),
    Row("auth", "ResetPassword", simple(auth.ResetPasswordRequest), client="PD",
        staff="OK OK NF", roles=MANAGER_ONLY),
    Row("auth", "ListSessions", simple(auth.ListSessionsRequest, parent=contact_of),
        client="PD NF NF", staff="PD PD NF", roles={"manager": "OK OK NF"}),
    Row("auth", "RevokeSession", simple(auth.RevokeSessionRequest, name=lambda w, r: pick(
        r, w.a.contact_session, w.b.contact_session, w.missing["session"])),
        client="PD NF NF", staff="PD PD NF", roles={"manager": "OK OK NF"}),
    Row("auth", "CreateApiToken", create_api_token, client="PD", staff="OK OK IA",
        roles=MANAGER_ONLY),
    Row("auth", "ListApiTokens", simple(auth.ListApiTokensRequest), client="PD", staff="OK",
        roles=MANAGER_ONLY, resources=ANY),
    Row("auth", "RevokeApiToken", simple(auth.RevokeApiTokenRequest), client="PD",
        staff="OK OK NF", roles=MANAGER_ONLY),
]
# Rows whose request names a fresh target: (row rpc) -> the builder of the target's name.
FRESH_TARGETS = {"DeactivateUser": fresh_user, "ResetPassword": fresh_user,
                 "RevokeApiToken": fresh_api_token, "DeleteTimeEntry": fresh_time_entry}

MODULES = {"auth": auth, "tickets": tickets, "files": files,
           "auth_internal": auth_internal, "tickets_internal": tickets_internal}
SERVICES = {"auth": "AuthService", "tickets": "TicketService", "files": "FileService",
            "auth_internal": "AuthInternalService",
            "tickets_internal": "TicketInternalService"}
INTERNAL = ("auth_internal", "tickets_internal")


def method_of(service: str, rpc: str):
    return MODULES[service].DESCRIPTOR.services_by_name[SERVICES[service]].methods_by_name[rpc]


def stub_of(world: World, service: str):
    """The stub of a row's service; the internal services share their public one's channel."""
    clients = world.stack.clients
    if service == "auth_internal":
        return auth_internal_pb2_grpc.AuthInternalServiceStub(clients.auth_channel)
    if service == "tickets_internal":
        return tickets_internal_pb2_grpc.TicketInternalServiceStub(clients.tickets_channel)
    return getattr(clients, service)


def cases():
    for row in ROWS:
        for role in ROLES:
            for resource, code in row.expected(role).items():
                if code == "-":
                    continue
                marks = [pytest.mark.xfail(strict=True, reason=row.xfail)] if row.xfail else []
                name = f"{row.service}.{row.rpc}{'(' + row.label + ')' if row.label else ''}"
                yield pytest.param(row, role, resource, CODES[code], marks=marks,
                                   id=f"{name}-{role}-{resource}")


def test_the_matrix_covers_every_rpc_of_every_service():
    declared = {(s, m.name) for s, module in MODULES.items()
                for m in module.DESCRIPTOR.services_by_name[SERVICES[s]].methods}
    assert {(row.service, row.rpc) for row in ROWS} == declared
    # ... and every service of every generated module is one of the matrix's.
    services = {f"{m.DESCRIPTOR.package}.{name}" for m in MODULES.values()
                for name in m.DESCRIPTOR.services_by_name}
    assert services == {f"{MODULES[s].DESCRIPTOR.package}.{name}" for s, name in SERVICES.items()}
    # No internal method answers anyone but the service.
    internal = [row for row in ROWS if row.service in INTERNAL]
    assert {(row.service, row.rpc) for row in internal} == {
        (s, m.name) for s in INTERNAL for m in MODULES[s].DESCRIPTOR.services_by_name[
            SERVICES[s]].methods}
    assert all(row.reason == SERVICE_ONLY and set(row.expected(role).values()) == {"PD"}
               for row in internal for role in ROLES)


@pytest.mark.parametrize(("row", "role", "resource", "expected"), list(cases()))
async def test_access(world: World, row: Row, role: str, resource: str, expected):
    caller = await world.fresh_caller(role) if row.fresh_caller else world.callers[role]
    request = await row.build(world, role, resource)
    if row.rpc in FRESH_TARGETS:
        request.name = await FRESH_TARGETS[row.rpc](world, role, resource)
    code, answer, error, reason = await invoke(stub_of(world, row.service),
                                               method_of(row.service, row.rpc), request, caller)
    assert code == expected, error
    if row.reason and code == grpc.StatusCode.PERMISSION_DENIED:
        assert reason == row.reason, error
    if role in CLIENTS:
        found = leaked(f"{answer} {error}", world.secrets_for_clients(), str(request))
        assert not found, f"{role} received {found}"


async def test_foreign_and_missing_look_the_same_to_a_client(world: World):
    """Same code and same message, once the name the client sent is taken out."""
    for row in ROWS:
        if row.xfail or row.expected("client").get(FOREIGN) in (None, "-", "OK"):
            continue
        answers = []
        for resource in (FOREIGN, MISSING):
            request = await row.build(world, "client", resource)
            if row.rpc in FRESH_TARGETS:
                request.name = await FRESH_TARGETS[row.rpc](world, "client", resource)
            code, _, error, _ = await invoke(stub_of(world, row.service),
                                             method_of(row.service, row.rpc), request,
                                             world.callers["client"])
            for name in sorted(world.b.markers() | set(world.missing.values()), key=len,
                               reverse=True):
                error = error.replace(name, "<name>")
            answers.append((code, error.split(" code:")[0]))
        assert answers[0] == answers[1], (row.rpc, row.label, answers)


async def test_a_foreign_contact_is_refused_like_a_missing_one(world: World):
    answers = []
    for user in (world.b.contact.name, world.missing["user"]):
        request = tickets.CreateTicketRequest(ticket=tickets.Ticket(
            title="Контакт", description="Чужой контакт", contact=tickets.Contact(user=user)))
        code, _, error, _ = await invoke(world.stack.clients.tickets, tickets.DESCRIPTOR
                                      .services_by_name["TicketService"]
                                      .methods_by_name["CreateTicket"], request,
                                      world.callers["client"])
        answers.append((code, error.replace(user, "<user>").split(" code:")[0]))
    assert answers[0] == answers[1]


async def test_internal_methods_answer_the_service_token_only(world: World):
    """Every method of the internal services, from every kind of caller that is not the
    service: PERMISSION_DENIED with SERVICE_ONLY, for an own, foreign or missing resource,
    even from a manager or a manager-role API token. The service token gets past the gate
    (asked about a missing resource, so that nothing changes)."""
    callers = dict(world.callers)
    callers["manager_token"] = bearer(await api_token(world.stack, auth.ROLE_MANAGER))
    callers["client_token_of_b"] = bearer(world.b.api_token)
    assert set(callers) >= {"client", "client_token", "developer", "developer_token",
                            "manager", "manager_token"}
    internal = [row for row in ROWS if row.service in INTERNAL]
    for row in internal:
        method = method_of(row.service, row.rpc)
        for role, caller in callers.items():
            for resource in row.resources:
                request = await row.build(world, role, resource)
                code, _, error, reason = await invoke(stub_of(world, row.service), method,
                                                      request, caller)
                assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, SERVICE_ONLY), \
                    (row.rpc, role, resource, error)
        request = await row.build(world, "service", MISSING if MISSING in row.resources
                                  else NONE)
        code, _, error, reason = await invoke(stub_of(world, row.service), method, request,
                                              world.stack.service)
        assert code != grpc.StatusCode.PERMISSION_DENIED and reason != SERVICE_ONLY, \
            (row.rpc, "service", error)
