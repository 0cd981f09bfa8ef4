"""Bootstrap straight on the auth database: the first manager and API tokens.

For the operator's `ticketdesk users create-manager` and `ticketdesk tokens create`,
which run before any manager exists to call the AuthService with. Same store, same
hashing and the same audit log as the service.
"""

from __future__ import annotations

from services.auth import convert, passwords, store, validation
from services.auth.models import ApiToken, User, utcnow
from services.auth.server import MIGRATIONS
from services.common.platform.config import Settings
from services.common.server.database import create_engine, migrate, sessionmaker

ACTOR = "cli/bootstrap"


class BootstrapError(ValueError):
    """A refusal worth one line to the operator."""


async def _database(settings: Settings):
    engine = create_engine(settings.database_url("auth"))
    await migrate(engine, MIGRATIONS)
    return engine


async def create_manager(settings: Settings, email: str, full_name: str,
                         password: str = "") -> tuple[User, str]:
    """A manager account; returns it and its password (generated when none is given)."""
    email = validation.normalize_email(email)
    if not email or "@" not in email:
        raise BootstrapError(f"not an e-mail address: {email!r}")
    if not full_name.strip():
        raise BootstrapError("the name must not be empty")
    try:
        if password:
            passwords.check_new_password(password, email)
    except passwords.WeakPassword as weak:
        raise BootstrapError(f"password {weak}") from None
    generated = not password
    password = password or passwords.generate_password()
    engine = await _database(settings)
    try:
        async with sessionmaker(engine).begin() as db:
            if await store.email_taken(db, email):
                raise BootstrapError(f"a user with e-mail {email} already exists")
            user = await store.add_user(db, store.NewUser(
                email=email, full_name=full_name.strip(), phone="", role="manager",
                organization_id=None, language="ru",
                password_hash=await passwords.hash_password(password),
                password_change_required=generated))
            await store.audit(db, ACTOR, "create_user", "success",
                              target=convert.user_name(user.id), detail="role=manager")
    finally:
        await engine.dispose()
    return user, password


async def create_api_token(settings: Settings, display_name: str, role: str,
                           organization: str = "") -> tuple[ApiToken, str]:
    """An API token; returns its row and the secret, which is never stored."""
    if role not in ("client", "developer", "manager"):
        raise BootstrapError("the role must be client, developer or manager")
    if not display_name.strip():
        raise BootstrapError("the name must not be empty")
    org_id = organization.removeprefix("organizations/") or None
    if (role == "client") != bool(org_id):
        raise BootstrapError("a client token needs --organization; staff tokens take none")
    engine = await _database(settings)
    try:
        async with sessionmaker(engine).begin() as db:
            if org_id and await store.organization(db, org_id) is None:
                raise BootstrapError(f"no such organization: organizations/{org_id}")
            secret, row = await store.add_api_token(db, display_name.strip(), role, org_id,
                                                    None, utcnow())
            await store.audit(db, ACTOR, "create_api_token", "success",
                              target=convert.api_token_name(row.id), detail=f"role={role}")
    finally:
        await engine.dispose()
    return row, secret
