"""Comments: public and internal, oldest first, attachments from the files service."""

from __future__ import annotations

import uuid

import grpc
from google.protobuf.field_mask_pb2 import FieldMask

from tests.services.tickets.helpers import bad_reasons
from tests.support.rpc import field_params, reason, rpc_error
from ticketdesk.files.v1 import files_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
       b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00"
       b"\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def add(stack, caller, ticket, body, internal=False, request_id=""):
    visibility = pb.VISIBILITY_INTERNAL if internal else pb.VISIBILITY_PUBLIC
    return stack.clients.tickets.AddComment(pb.AddCommentRequest(
        parent=ticket.name, comment=pb.Comment(body=body, visibility=visibility),
        request_id=request_id), metadata=caller)


async def comments(stack, caller, ticket) -> list[pb.Comment]:
    answer = await stack.clients.tickets.ListComments(
        pb.ListCommentsRequest(parent=ticket.name), metadata=caller)
    return list(answer.comments)


async def upload(stack, caller, ticket, comment: str = "") -> str:
    async def parts():
        yield files_pb2.UploadFileRequest(metadata=files_pb2.UploadMetadata(
            ticket=ticket.name, comment=comment, display_name="screen.png",
            declared_size=len(PNG)))
        yield files_pb2.UploadFileRequest(chunk=PNG)
    return (await stack.clients.files.UploadFile(parts(), metadata=caller)).name


async def test_internal_notes_are_staff_only(stack):
    org = await stack.new_organization()
    developer = await stack.staff("developer")
    ticket = await stack.new_ticket(org)
    question = await add(stack, org.client, ticket, "Когда будет готово?")
    note = await add(stack, developer, ticket, "Клиент торопит", internal=True)
    answer = await add(stack, developer, ticket, "Завтра")
    assert question.author == org.client_user.name and question.author_role == "client"
    assert note.visibility == pb.VISIBILITY_INTERNAL
    assert [c.body for c in await comments(stack, developer, ticket)] == [
        "Когда будет готово?", "Клиент торопит", "Завтра"]  # oldest first
    seen = await comments(stack, org.client, ticket)
    assert [c.name for c in seen] == [question.name, answer.name]
    assert all(c.create_time.seconds for c in seen)
    error = await rpc_error(add(stack, org.client, ticket, "секрет", internal=True),
                            grpc.StatusCode.PERMISSION_DENIED)
    assert reason(error) == "PERMISSION_DENIED"


async def test_comment_validation_and_idempotency(stack):
    org = await stack.new_organization()
    ticket = await stack.new_ticket(org)
    assert await bad_reasons(add(stack, org.client, ticket, " ")) == [
        ("comment.body", "REQUIRED")]
    assert await bad_reasons(add(stack, org.client, ticket, "x" * 10_001)) == [
        ("comment.body", "TOO_LONG")]
    error = await rpc_error(add(stack, org.client, ticket, "x" * 10_001))
    assert field_params(error, "comment.body") == {"maxLength": "10000"}
    assert await bad_reasons(add(stack, org.client, ticket, "a\x00b")) == [
        ("comment.body", "INVALID_CHARACTERS")]
    assert await bad_reasons(add(stack, org.client, ticket, "ok", request_id="r" * 65)) == [
        ("request_id", "TOO_LONG")]
    assert await bad_reasons(add(stack, org.client, ticket, "ok", request_id="a\nb")) == [
        ("request_id", "INVALID_CHARACTERS")]
    assert await bad_reasons(stack.clients.tickets.AddComment(pb.AddCommentRequest(
        parent="tickets/x", comment=pb.Comment(body="ok")), metadata=org.client)) == [
        ("parent", "MALFORMED")]
    assert await bad_reasons(stack.clients.tickets.ListComments(pb.ListCommentsRequest(
        parent=ticket.name, page_token="zzz"), metadata=org.client)) == [
        ("page_token", "INVALID_PAGE_TOKEN")]
    request_id = str(uuid.uuid4())
    first = await add(stack, org.client, ticket, "Один раз", request_id=request_id)
    again = await add(stack, org.client, ticket, "Один раз", request_id=request_id)
    assert again.name == first.name
    assert len(await comments(stack, org.client, ticket)) == 1


async def test_attachments_are_listed_with_their_comment(stack):
    org = await stack.new_organization()
    developer = await stack.staff("developer")
    ticket = await stack.new_ticket(org)
    request_id = str(uuid.uuid4())
    comment = await add(stack, org.client, ticket, "Скриншот ниже", request_id=request_id)
    assert list(comment.attachments) == []
    shots = [await upload(stack, org.client, ticket, comment.name) for _ in range(2)]
    note = await add(stack, developer, ticket, "Внутренний скриншот", internal=True)
    hidden = await upload(stack, developer, ticket, note.name)
    own = await upload(stack, org.client, ticket)  # the ticket's own file, no comment
    by_name = {c.name: list(c.attachments) for c in await comments(stack, developer, ticket)}
    assert by_name == {comment.name: shots, note.name: [hidden]}
    assert own not in sum(by_name.values(), [])
    assert {c.name: list(c.attachments) for c in await comments(stack, org.client, ticket)} == {
        comment.name: shots}
    retry = await add(stack, org.client, ticket, "Скриншот ниже", request_id=request_id)
    assert list(retry.attachments) == shots


def get(stack, caller, name: str, *paths: str):
    mask = FieldMask(paths=list(paths)) if paths else None
    return stack.clients.tickets.GetComment(pb.GetCommentRequest(name=name, read_mask=mask),
                                            metadata=caller)


async def test_get_comment_one_read_scoped_like_the_list(stack):
    org, other = await stack.new_organization(), await stack.new_organization()
    developer = await stack.staff("developer")
    ticket = await stack.new_ticket(org)
    comment = await add(stack, org.client, ticket, "Скриншот ниже")
    shot = await upload(stack, org.client, ticket, comment.name)
    note = await add(stack, developer, ticket, "Внутреннее", internal=True)

    got = await get(stack, org.client, comment.name)
    assert (got.body, list(got.attachments)) == ("Скриншот ниже", [shot])
    bare = await get(stack, org.client, comment.name, "name", "body")
    assert (bare.body, list(bare.attachments)) == ("Скриншот ниже", [])  # files not asked
    assert (await get(stack, developer, note.name)).visibility == pb.VISIBILITY_INTERNAL
    # An internal note, another organization's comment and one that never was: the same.
    missing = f"{ticket.name}/comments/{uuid.uuid4().hex}"
    for caller, name in ((org.client, note.name), (other.client, comment.name),
                         (developer, missing)):
        error = await rpc_error(get(stack, caller, name), grpc.StatusCode.NOT_FOUND)
        assert reason(error) == "NOT_FOUND"
    for name in ("tickets/x/comments/1", f"{ticket.name}/comments/", ticket.name,
                 f"{ticket.name}/comments/a/b", f"{ticket.name}/comments/a\x00b",
                 f"{ticket.name}/comments/{'a' * 65}"):
        error = await rpc_error(get(stack, developer, name), grpc.StatusCode.INVALID_ARGUMENT)
        assert reason(error) == "INVALID_ARGUMENT"
