"""Who hears what (docs/PRODUCT.md, "Notifications")."""

from __future__ import annotations

import pytest

from tests.workflows.notify.people import (
    CLIENT1,
    CLIENT2,
    DEV1,
    DEV2,
    EVERYONE,
    MANAGER,
    SYSTEM,
    actor,
    notice,
    ticket,
)
from workflows.notify.recipients import audience, recipients

ALL_STAFF = {DEV1.name, DEV2.name, MANAGER.name}
CLIENTS = {CLIENT1.name, CLIENT2.name}


def names(kind, by=None, users=EVERYONE, **fields):
    details = {k: fields.pop(k) for k in ("from_status", "to_status", "text", "comment")
               if k in fields}
    found = recipients(notice(kind, by, **details), ticket(**fields), users)
    assert len({u.name for u in found}) == len(found), "everyone hears once"
    return {u.name for u in found}


def test_a_new_ticket_goes_to_every_active_developer_and_manager():
    assert names("ticket_created") == ALL_STAFF


def test_a_new_ticket_created_by_staff_does_not_notify_its_creator():
    assert names("ticket_created", creator=DEV1.name) == ALL_STAFF - {DEV1.name}


def test_a_status_change_goes_to_the_active_clients_of_the_organization_only():
    assert names("status_changed", actor(DEV1), from_status="queued",
                 to_status="in_progress") == CLIENTS


def test_a_clients_answer_is_not_sent_back_to_them():
    assert names("status_changed", actor(CLIENT1), from_status="needs_info",
                 to_status="in_progress") == {CLIENT2.name}


@pytest.mark.parametrize("to_status", ["done", "cancelled"])
def test_acceptance_or_withdrawal_by_a_client_also_reaches_the_responsible_staff(to_status):
    assert names("status_changed", actor(CLIENT1), from_status="awaiting_acceptance",
                 to_status=to_status, assignee=DEV2.name) == {CLIENT2.name, DEV2.name}
    assert names("status_changed", actor(CLIENT1), from_status="queued",
                 to_status=to_status) == {CLIENT2.name} | ALL_STAFF


def test_automatic_acceptance_reaches_the_clients_and_the_staff():
    assert names("auto_accepted", SYSTEM, from_status="awaiting_acceptance",
                 to_status="done", assignee=DEV1.name) == CLIENTS | {DEV1.name}
    assert names("auto_accepted", SYSTEM, to_status="done") == CLIENTS | ALL_STAFF


def test_a_clients_comment_goes_to_the_staff():
    assert names("comment", actor(CLIENT1)) == ALL_STAFF
    assert names("comment", actor(CLIENT1), assignee=DEV2.name) == {DEV2.name}


def test_a_comment_of_a_deactivated_assignee_falls_back_to_all_staff():
    assert names("comment", actor(CLIENT1), assignee="users/4") == ALL_STAFF


def test_a_staff_members_public_comment_goes_to_the_clients():
    assert names("comment", actor(DEV1), assignee=DEV1.name) == CLIENTS


def test_an_internal_note_reaches_staff_only():
    assert names("internal_note", actor(DEV1), assignee=DEV1.name) == {DEV2.name, MANAGER.name}


def test_remarks_go_to_the_responsible_staff():
    assert names("remarks", actor(CLIENT2), assignee=DEV1.name) == {DEV1.name}
    assert names("remarks", actor(CLIENT2)) == ALL_STAFF


def test_a_reminder_goes_to_the_clients():
    assert names("reminder", to_status="needs_info") == CLIENTS


def test_sla_warnings_go_to_the_assignee_or_all_staff():
    assert names("sla_warning", text="first_response", assignee=DEV2.name) == {DEV2.name}
    assert names("sla_warning", text="resolution") == ALL_STAFF


def test_sla_breaches_always_include_the_managers():
    assert names("sla_breach", text="resolution", assignee=DEV2.name) == {DEV2.name,
                                                                         MANAGER.name}
    assert names("sla_breach", text="resolution") == ALL_STAFF


def test_clients_of_another_organization_never_hear_anything():
    for kind in ("status_changed", "comment", "reminder", "auto_accepted"):
        assert "users/21" not in names(kind, actor(DEV1), to_status="done")


def test_the_actor_never_hears_about_their_own_action():
    for kind in ("comment", "internal_note", "status_changed", "remarks"):
        for who in (DEV1, CLIENT1, MANAGER):
            assert who.name not in names(kind, actor(who), to_status="done")


def test_the_audience_says_what_to_fetch():
    assert audience(notice("reminder")).staff is False
    assert audience(notice("comment", actor(CLIENT1))).clients is False
    assert audience(notice("comment", actor(DEV1))).staff is False
    with pytest.raises(ValueError):
        audience(notice("birthday"))
