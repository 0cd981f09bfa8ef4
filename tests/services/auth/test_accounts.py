"""Organizations and users: who may create, see and list them."""

from __future__ import annotations

import uuid

import grpc

from google.protobuf.field_mask_pb2 import FieldMask
from tests.support.rpc import field_params, field_reasons, reason, rpc_error
from ticketdesk.auth.v1 import auth_pb2 as pb

PERMISSION_DENIED = grpc.StatusCode.PERMISSION_DENIED
NOT_FOUND = grpc.StatusCode.NOT_FOUND


def new_user(role=pb.ROLE_CLIENT, organization="", email="") -> pb.User:
    email = email or f"n{uuid.uuid4().hex[:10]}@example.com"
    return pb.User(email=email, full_name="New Person", role=role, organization=organization)


async def test_only_managers_and_services_create_accounts(auth):
    _, developer_token = await auth.staff(pb.ROLE_DEVELOPER)
    _, _, client_token = await auth.client()
    for token in (developer_token, client_token):
        await rpc_error(auth.stub.CreateUser(pb.CreateUserRequest(user=new_user(pb.ROLE_DEVELOPER)),
                                             metadata=auth.as_(token)), PERMISSION_DENIED)
        await rpc_error(auth.stub.CreateOrganization(pb.CreateOrganizationRequest(
            organization=pb.Organization(display_name="X")), metadata=auth.as_(token)),
            PERMISSION_DENIED)


async def test_an_explicit_password_from_a_manager_must_still_be_changed(auth):
    _, manager_token = await auth.staff()
    created = await auth.stub.CreateUser(pb.CreateUserRequest(
        user=new_user(pb.ROLE_DEVELOPER), initial_password="given by the manager"),
        metadata=auth.as_(manager_token))
    assert created.user.password_change_required
    assert created.initial_password == "given by the manager"


async def test_create_user_validates_its_fields(auth):
    org = await auth.organization()
    inactive = await auth.organization()
    await auth.stub.UpdateOrganization(pb.UpdateOrganizationRequest(
        organization=pb.Organization(name=inactive.name, active=False),
        update_mask=FieldMask(paths=["active"])), metadata=auth.service)
    email = f"n{uuid.uuid4().hex[:10]}@example.com"
    cases = [
        (new_user(pb.ROLE_CLIENT), "", "user.organization", "ORGANIZATION_REQUIRED"),
        (new_user(pb.ROLE_DEVELOPER, org.name), "", "user.organization",
         "ORGANIZATION_NOT_ALLOWED"),
        (new_user(pb.ROLE_SERVICE), "", "user.role", "MALFORMED"),
        (new_user(pb.ROLE_UNSPECIFIED), "", "user.role", "REQUIRED"),
        (new_user(email="not an email"), "", "user.email", "NOT_AN_EMAIL"),
        (new_user(email="  "), "", "user.email", "REQUIRED"),
        (new_user(pb.ROLE_CLIENT, "organizations/" + "0" * 32), "", "user.organization",
         "UNKNOWN_ORGANIZATION"),
        (new_user(pb.ROLE_CLIENT, inactive.name), "", "user.organization",
         "UNKNOWN_ORGANIZATION"),
        (new_user(pb.ROLE_CLIENT, "orgs/x"), "", "user.organization", "MALFORMED"),
        (new_user(pb.ROLE_DEVELOPER), "12345678", "initial_password", "PASSWORD_TOO_COMMON"),
        (new_user(pb.ROLE_DEVELOPER), "short", "initial_password", "TOO_SHORT"),
        (new_user(pb.ROLE_DEVELOPER, email=email), email.upper(), "initial_password",
         "PASSWORD_IS_EMAIL"),
        (pb.User(email=email, full_name="", role=pb.ROLE_DEVELOPER), "", "user.full_name",
         "REQUIRED"),
        (pb.User(email=email, full_name="x" * 201, role=pb.ROLE_DEVELOPER), "",
         "user.full_name", "TOO_LONG"),
        (pb.User(email=email, full_name="X", phone="1\x002", role=pb.ROLE_DEVELOPER), "",
         "user.phone", "INVALID_CHARACTERS"),
        (pb.User(email=email, full_name="X", language="de", role=pb.ROLE_DEVELOPER), "",
         "user.language", "MALFORMED"),
    ]
    for user, password, field, why in cases:
        error = await rpc_error(auth.stub.CreateUser(pb.CreateUserRequest(
            user=user, initial_password=password), metadata=auth.service),
            grpc.StatusCode.INVALID_ARGUMENT)
        assert (field, why) in field_reasons(error), (user, error.details())


async def test_violations_carry_their_limits(auth):
    error = await rpc_error(auth.stub.CreateUser(pb.CreateUserRequest(
        user=pb.User(email="x@example.com", full_name="x" * 201, phone="7" * 51,
                     role=pb.ROLE_DEVELOPER),
        initial_password="short"), metadata=auth.service), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_params(error, "user.full_name") == {"maxLength": "200"}
    assert field_params(error, "user.phone") == {"maxLength": "50"}
    assert field_params(error, "initial_password") == {"minLength": "8"}
    for days in (-1, 366):
        error = await rpc_error(auth.stub.CreateOrganization(pb.CreateOrganizationRequest(
            organization=pb.Organization(display_name="Days", auto_accept_business_days=days)),
            metadata=auth.service), grpc.StatusCode.INVALID_ARGUMENT)
        assert field_reasons(error) == [("organization.auto_accept_business_days",
                                         "OUT_OF_RANGE")]
        assert field_params(error, "organization.auto_accept_business_days") == {
            "min": "0", "max": "365"}


async def test_emails_are_unique_whatever_their_case(auth):
    user, _ = await auth.user(pb.ROLE_DEVELOPER)
    error = await rpc_error(auth.stub.CreateUser(pb.CreateUserRequest(
        user=new_user(pb.ROLE_DEVELOPER, email=" " + user.email.upper())), metadata=auth.service),
        grpc.StatusCode.ALREADY_EXISTS)
    assert reason(error) == "ALREADY_EXISTS"
    assert field_reasons(error) == [("user.email", "TAKEN")]
    other, _ = await auth.user(pb.ROLE_DEVELOPER)
    error = await rpc_error(auth.stub.UpdateUser(pb.UpdateUserRequest(
        user=pb.User(name=other.name, email=user.email), update_mask=FieldMask(paths=["email"])),
        metadata=auth.service), grpc.StatusCode.ALREADY_EXISTS)
    assert (reason(error), field_reasons(error)) == ("ALREADY_EXISTS", [("user.email", "TAKEN")])


async def test_update_masks_and_names_are_checked(auth):
    user, _ = await auth.user(pb.ROLE_DEVELOPER)
    org = await auth.organization()
    cases = [
        (auth.stub.UpdateUser, pb.UpdateUserRequest(user=pb.User(name=user.name)),
         ("update_mask", "REQUIRED")),
        (auth.stub.UpdateUser, pb.UpdateUserRequest(
            user=pb.User(name=user.name), update_mask=FieldMask(paths=["password_hash"])),
         ("update_mask", "NOT_UPDATABLE")),
        (auth.stub.UpdateOrganization, pb.UpdateOrganizationRequest(
            organization=pb.Organization(name=org.name), update_mask=FieldMask(paths=["name"])),
         ("update_mask", "NOT_UPDATABLE")),
        (auth.stub.UpdateUser, pb.UpdateUserRequest(
            user=pb.User(name="people/1"), update_mask=FieldMask(paths=["phone"])),
         ("user.name", "MALFORMED")),
        (auth.stub.GetUser, pb.GetUserRequest(name="users/../x"), ("name", "MALFORMED")),
        (auth.stub.GetOrganization, pb.GetOrganizationRequest(name=user.name),
         ("name", "MALFORMED")),
        (auth.stub.ListUsers, pb.ListUsersRequest(role=pb.ROLE_SERVICE), ("role", "MALFORMED")),
        (auth.stub.UpdateOrganization, pb.UpdateOrganizationRequest(
            organization=pb.Organization(name=org.name, display_name=" "),
            update_mask=FieldMask(paths=["display_name"])),
         ("organization.display_name", "REQUIRED")),
        (auth.stub.UpdateUser, pb.UpdateUserRequest(
            user=pb.User(name=user.name, role=pb.ROLE_CLIENT),
            update_mask=FieldMask(paths=["role"])),
         ("user.organization", "ORGANIZATION_REQUIRED")),
    ]
    for method, request, expected in cases:
        error = await rpc_error(method(request, metadata=auth.service),
                                grpc.StatusCode.INVALID_ARGUMENT)
        assert field_reasons(error) == [expected], (request, error.details())


async def test_a_manager_cannot_deactivate_themselves_by_an_update_either(auth):
    manager, token = await auth.staff()
    error = await rpc_error(auth.stub.UpdateUser(pb.UpdateUserRequest(
        user=pb.User(name=manager.name, active=False), update_mask=FieldMask(paths=["active"])),
        metadata=auth.as_(token)), grpc.StatusCode.FAILED_PRECONDITION)
    assert reason(error) == "SELF_DEACTIVATION"


async def test_request_id_makes_creation_idempotent(auth):
    request_id = uuid.uuid4().hex
    make = pb.CreateOrganizationRequest(organization=pb.Organization(display_name="Once"),
                                        request_id=request_id)
    first = await auth.stub.CreateOrganization(make, metadata=auth.service)
    again = await auth.stub.CreateOrganization(make, metadata=auth.service)
    assert first.name == again.name and first.auto_accept_business_days == 10
    user_request = pb.CreateUserRequest(user=new_user(pb.ROLE_CLIENT, first.name),
                                        request_id=request_id)
    created = await auth.stub.CreateUser(user_request, metadata=auth.service)
    replay = await auth.stub.CreateUser(user_request, metadata=auth.service)
    assert created.user.name == replay.user.name and not replay.initial_password


async def test_a_client_sees_only_its_own_organization(auth):
    mine, theirs = await auth.organization("Mine"), await auth.organization("Theirs")
    client, _, token = await auth.client(mine.name)
    await auth.user(pb.ROLE_CLIENT, mine.name)
    got = await auth.stub.GetOrganization(pb.GetOrganizationRequest(name=mine.name),
                                          metadata=auth.as_(token))
    assert got.display_name == "Mine"
    await rpc_error(auth.stub.GetOrganization(pb.GetOrganizationRequest(name=theirs.name),
                                              metadata=auth.as_(token)), NOT_FOUND)
    listed = await auth.stub.ListOrganizations(pb.ListOrganizationsRequest(show_inactive=True),
                                               metadata=auth.as_(token))
    assert [o.name for o in listed.organizations] == [mine.name]


async def test_a_client_lists_only_the_contacts_of_its_organization(auth):
    mine, theirs = await auth.organization(), await auth.organization()
    client, _, token = await auth.client(mine.name)
    colleague, _ = await auth.user(pb.ROLE_CLIENT, mine.name)
    stranger, _ = await auth.user(pb.ROLE_CLIENT, theirs.name)
    gone, _ = await auth.user(pb.ROLE_CLIENT, mine.name)
    await auth.stub.DeactivateUser(pb.DeactivateUserRequest(name=gone.name), metadata=auth.service)
    listed = await auth.stub.ListUsers(pb.ListUsersRequest(show_inactive=True),
                                       metadata=auth.as_(token))
    assert {u.name for u in listed.users} == {client.name, colleague.name}
    contact = next(u for u in listed.users if u.name == colleague.name)
    assert (contact.email, contact.full_name, contact.phone) == (
        colleague.email, colleague.full_name, colleague.phone)
    assert contact.role == pb.ROLE_UNSPECIFIED and not contact.organization
    assert not contact.HasField("create_time")
    await rpc_error(auth.stub.ListUsers(pb.ListUsersRequest(organization=theirs.name),
                                        metadata=auth.as_(token)), NOT_FOUND)
    for hidden in (stranger, gone):
        await rpc_error(auth.stub.GetUser(pb.GetUserRequest(name=hidden.name),
                                          metadata=auth.as_(token)), NOT_FOUND)
    staff, _ = await auth.staff(pb.ROLE_DEVELOPER)
    await rpc_error(auth.stub.GetUser(pb.GetUserRequest(name=staff.name),
                                      metadata=auth.as_(token)), NOT_FOUND)


async def test_staff_list_users_by_organization_and_role(auth):
    org = await auth.organization()
    clients = [(await auth.user(pb.ROLE_CLIENT, org.name, full_name=f"Client {n}"))[0]
               for n in range(3)]
    _, developer_token = await auth.staff(pb.ROLE_DEVELOPER)
    names, page_token = [], ""
    while True:
        page = await auth.stub.ListUsers(pb.ListUsersRequest(
            organization=org.name, page_size=2, page_token=page_token),
            metadata=auth.as_(developer_token))
        names += [u.name for u in page.users]
        assert all(u.role == pb.ROLE_CLIENT and u.create_time.seconds for u in page.users)
        page_token = page.next_page_token
        if not page_token:
            break
    assert names == [c.name for c in clients]  # sorted by full name, no gaps or repeats
    managers = await auth.stub.ListUsers(pb.ListUsersRequest(role=pb.ROLE_MANAGER, page_size=200),
                                         metadata=auth.as_(developer_token))
    assert all(u.role == pb.ROLE_MANAGER for u in managers.users)


async def test_users_by_email_address(auth):
    """The e-mail channel's question: who sent this? Case does not matter; a client
    still sees only its own organization's people."""
    mine, theirs = await auth.organization(), await auth.organization()
    sender, _, token = await auth.client(mine.name)
    stranger, _ = await auth.user(pb.ROLE_CLIENT, theirs.name)
    for address in (sender.email, f"  {sender.email.upper()} "):
        found = await auth.stub.ListUsers(pb.ListUsersRequest(email=address),
                                          metadata=auth.service)
        assert [u.name for u in found.users] == [sender.name]
    nobody = await auth.stub.ListUsers(pb.ListUsersRequest(email="nobody@example.test"),
                                       metadata=auth.service)
    assert not nobody.users
    hidden = await auth.stub.ListUsers(pb.ListUsersRequest(email=stranger.email),
                                       metadata=auth.as_(token))
    assert not hidden.users


async def test_a_page_token_cannot_be_reused_with_other_filters(auth):
    org = await auth.organization()
    for _ in range(2):
        await auth.user(pb.ROLE_CLIENT, org.name)
    first = await auth.stub.ListUsers(pb.ListUsersRequest(organization=org.name, page_size=1),
                                      metadata=auth.service)
    for token in (first.next_page_token, "garbage"):
        error = await rpc_error(auth.stub.ListUsers(pb.ListUsersRequest(
            page_size=1, page_token=token), metadata=auth.service),
            grpc.StatusCode.INVALID_ARGUMENT)
        assert field_reasons(error) == [("page_token", "INVALID_PAGE_TOKEN")]


async def test_organizations_page_and_hide_inactive(auth):
    names = set()
    page_token = ""
    while True:
        page = await auth.stub.ListOrganizations(pb.ListOrganizationsRequest(
            page_size=1, page_token=page_token), metadata=auth.service)
        names |= {o.name for o in page.organizations}
        if not (page_token := page.next_page_token):
            break
    org = await auth.organization()
    await auth.stub.UpdateOrganization(pb.UpdateOrganizationRequest(
        organization=pb.Organization(name=org.name, active=False),
        update_mask=FieldMask(paths=["active"])), metadata=auth.service)
    active = await auth.stub.ListOrganizations(pb.ListOrganizationsRequest(page_size=200),
                                               metadata=auth.service)
    everything = await auth.stub.ListOrganizations(pb.ListOrganizationsRequest(
        page_size=200, show_inactive=True), metadata=auth.service)
    assert org.name not in {o.name for o in active.organizations}
    assert org.name in {o.name for o in everything.organizations}
    assert names <= {o.name for o in everything.organizations}


async def test_clients_of_an_inactive_organization_are_locked_out(auth):
    org = await auth.organization()
    user, password, token = await auth.client(org.name)
    await auth.stub.UpdateOrganization(pb.UpdateOrganizationRequest(
        organization=pb.Organization(name=org.name, active=False),
        update_mask=FieldMask(paths=["active"])), metadata=auth.service)
    await rpc_error(auth.stub.WhoAmI(pb.WhoAmIRequest(), metadata=auth.as_(token)),
                    grpc.StatusCode.UNAUTHENTICATED)
    await rpc_error(auth.stub.Login(pb.LoginRequest(email=user.email, password=password)),
                    grpc.StatusCode.UNAUTHENTICATED)


async def test_users_edit_their_own_contact_details_only(auth):
    user, _, token = await auth.client()
    updated = await auth.stub.UpdateUser(pb.UpdateUserRequest(
        user=pb.User(name=user.name, phone="+7 111", language="en", role=pb.ROLE_MANAGER),
        update_mask=FieldMask(paths=["phone", "language"])), metadata=auth.as_(token))
    assert (updated.phone, updated.language, updated.role) == ("+7 111", "en", pb.ROLE_CLIENT)
    await rpc_error(auth.stub.UpdateUser(pb.UpdateUserRequest(
        user=pb.User(name=user.name, role=pb.ROLE_MANAGER),
        update_mask=FieldMask(paths=["role", "organization"])), metadata=auth.as_(token)),
        PERMISSION_DENIED)
    _, manager_token = await auth.staff()
    promoted = await auth.stub.UpdateUser(pb.UpdateUserRequest(
        user=pb.User(name=user.name, role=pb.ROLE_DEVELOPER),
        update_mask=FieldMask(paths=["role", "organization"])), metadata=auth.as_(manager_token))
    assert promoted.role == pb.ROLE_DEVELOPER and not promoted.organization


async def test_a_page_token_is_bound_to_its_caller_and_query(auth):
    org = await auth.organization()
    for _ in range(3):
        await auth.user(pb.ROLE_CLIENT, org.name)
    _, developer_token = await auth.staff(pb.ROLE_DEVELOPER)
    first = await auth.stub.ListUsers(pb.ListUsersRequest(organization=org.name, page_size=1),
                                      metadata=auth.service)
    token = first.next_page_token
    refused = [
        (auth.stub.ListUsers(pb.ListUsersRequest(organization=org.name, page_size=1,
                                                 page_token=token),
                             metadata=auth.as_(developer_token))),
        (auth.stub.ListUsers(pb.ListUsersRequest(organization=org.name, page_size=1,
                                                 show_inactive=True, page_token=token),
                             metadata=auth.service)),
        (auth.stub.ListOrganizations(pb.ListOrganizationsRequest(page_token=token),
                                     metadata=auth.service)),
        (auth.stub.ListApiTokens(pb.ListApiTokensRequest(page_token=token),
                                 metadata=auth.service)),
    ]
    for call in refused:
        error = await rpc_error(call, grpc.StatusCode.INVALID_ARGUMENT)
        assert field_reasons(error) == [("page_token", "INVALID_PAGE_TOKEN")]
    second = await auth.stub.ListUsers(pb.ListUsersRequest(
        organization=org.name, page_size=1, page_token=token), metadata=auth.service)
    assert [u.name for u in second.users] != [u.name for u in first.users]
    error = await rpc_error(auth.stub.ListUsers(pb.ListUsersRequest(page_size=-1),
                                                metadata=auth.service),
                            grpc.StatusCode.INVALID_ARGUMENT)
    assert field_reasons(error) == [("page_size", "OUT_OF_RANGE")]
