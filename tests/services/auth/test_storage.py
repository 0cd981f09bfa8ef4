"""What the auth database holds: argon2id hashes, no secrets, the schema of the migration."""

from __future__ import annotations

import re

from sqlalchemy import select

from services.auth.models import Base, User
from ticketdesk.auth.v1 import auth_pb2 as pb

ARGON2 = re.compile(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$")


async def test_passwords_are_argon2id_with_at_least_owasp_parameters(auth, db):
    user, password = await auth.user(pb.ROLE_DEVELOPER)
    await auth.login(user.email, password)
    async with db.connect() as connection:
        stored = await connection.scalar(
            select(User.password_hash).where(User.email == user.email))
    memory_kib, passes, lanes = map(int, ARGON2.match(stored).groups())
    assert memory_kib >= 19 * 1024 and passes >= 2 and lanes >= 1


async def test_no_password_or_token_is_stored_anywhere(auth, db):
    user, password, session_token = await auth.client()
    api = await auth.stub.CreateApiToken(pb.CreateApiTokenRequest(api_token=pb.ApiToken(
        display_name="integration", role=pb.ROLE_DEVELOPER)), metadata=auth.service)
    await auth.stub.WhoAmI(pb.WhoAmIRequest(), metadata=auth.as_(api.token))
    changed = await auth.stub.ChangePassword(pb.ChangePasswordRequest(
        current_password=password, new_password="another secret phrase"),
        metadata=auth.as_(session_token))
    secrets = {password, "another secret phrase", session_token, api.token,
               changed.session_token}
    async with db.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in (await connection.execute(select(table))).all():
                stored = " ".join(str(value) for value in row)
                leaked = [s for s in secrets if s in stored]
                assert not leaked, (table.name, leaked)
