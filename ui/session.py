"""The signed-in person of a browser, and the clients a page calls the services with.

The account lives in `app.storage.user` (on the server; the browser holds only its
cookie). A page builds its `Session` when it is built (`await Session.of_page()`) and
keeps it for its callbacks: a callback triggered by another user's action would read
*that* user's `app.storage.user` (ENGINEERING.md, the cross-user pitfall). The session also
carries the studio's time zone, read from the studio settings as the page is built: every
moment the page shows reads in it.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass, replace

import grpc
from nicegui import app

from ticketdesk.auth.v1 import auth_pb2

from . import i18n
from .clients import auth
from .clients.account import Account
from .clients.auth import AuthClient
from .clients.errors import ApiError, failure
from .clients.files import FilesClient
from .clients.tickets import TicketsClient

__all__ = ['Account', 'ApiError', 'Session', 'current_account', 'forget', 'hold_sign_in',
           'login', 'remember', 'take_sign_in']


# --- the signed-in account --------------------------------------------------------------

def current_account() -> Account | None:
    """The account of the request being served; None when nobody is signed in."""
    token = app.storage.user.get('token')
    user = app.storage.user.get('user')
    if not token or not isinstance(user, dict):
        return None
    try:
        return Account(token=token, **user)
    except TypeError:  # kept by another version of the UI: sign in again
        return None


def remember(account: Account) -> None:
    data = asdict(account)
    app.storage.user.update(token=data.pop('token'), user=data)


def forget() -> None:
    app.storage.user.clear()


async def login(email: str, password: str) -> Account:
    """Exchanges e-mail and password for an account, its failure in the page's language;
    never tells which of them was wrong."""
    return await auth.login(email, password, i18n.current_language())


# A good login is not yet a signed-in session: the browser's session id from before the
# login may be an attacker's (session fixation). The login keeps the account aside under a
# one-time ticket; the browser then brings the ticket to /login/session, which starts a
# session under a new id (ui/pages/auth/login.py).
PENDING_SIGN_IN = 'pending_sign_in'
SIGN_IN_TICKET_SECONDS = 120


def hold_sign_in(account: Account) -> str:
    """Keeps `account` aside for this browser's next request; answers its one-time ticket."""
    ticket = secrets.token_urlsafe(32)
    app.storage.user.clear()
    app.storage.user[PENDING_SIGN_IN] = {'ticket': ticket, 'account': asdict(account),
                                         'expires': time.time() + SIGN_IN_TICKET_SECONDS}
    return ticket


def take_sign_in(ticket: str) -> Account | None:
    """The account held for `ticket` in this browser's session, once; None otherwise."""
    pending = app.storage.user.pop(PENDING_SIGN_IN, None)
    if not isinstance(pending, dict) or not ticket \
            or not secrets.compare_digest(str(pending.get('ticket', '')), ticket) \
            or float(pending.get('expires', 0)) < time.time():
        return None
    return Account(**pending['account'])


# --- one page's session -----------------------------------------------------------------

# The zone of a page whose tickets service could not tell the studio's (the page's own
# calls then say what failed).
FALLBACK_ZONE = 'UTC'


@dataclass
class Session:
    """The account a page was opened by and its three clients, built with its token and
    told in its language; `zone`: the studio's time zone the page shows moments in."""

    account: Account
    auth: AuthClient
    tickets: TicketsClient
    files: FilesClient
    zone: str = FALLBACK_ZONE

    @classmethod
    def of(cls, account: Account) -> Session:
        return cls(account, AuthClient(account), TicketsClient(account), FilesClient(account))

    @classmethod
    def of_current_user(cls) -> Session:
        """The signed-in account of the page being built, which is built in its language."""
        account = current_account()
        if account is None:
            raise failure(grpc.StatusCode.UNAUTHENTICATED, 'UNAUTHENTICATED',
                          i18n.current_language())
        i18n.use_language(account.language)
        return cls.of(account)

    @classmethod
    async def of_page(cls) -> Session:
        """The session of the page being built: its account, its language and the studio's
        time zone."""
        session = cls.of_current_user()
        await session.read_zone()
        return session

    async def read_zone(self) -> str:
        """The studio's time zone from its settings (cached by the client for a minute)."""
        try:
            self.zone = await self.tickets.studio_timezone()
        except ApiError:
            pass  # the page shows its own failures; moments read in FALLBACK_ZONE meanwhile
        return self.zone

    def _adopt(self, account: Account) -> None:
        self.account = account
        self.auth, self.tickets, self.files = (AuthClient(account), TicketsClient(account),
                                               FilesClient(account))

    # The person's own account: each change is adopted here; the page then `remember`s
    # `session.account` for its browser (in the person's own callback).

    async def update_profile(self, full_name: str, phone: str) -> auth_pb2.User:
        saved = await self.auth.update_profile(full_name, phone)
        self._adopt(replace(self.account, full_name=saved.full_name, phone=saved.phone))
        return saved

    async def change_password(self, current: str, new: str) -> None:
        """The service ends every session of the person and opens a fresh one: adopted."""
        token = await self.auth.change_password(current, new)
        self._adopt(replace(self.account, token=token, password_change_required=False))

    async def change_language(self, code: str) -> Account:
        saved = await self.auth.change_language(code)
        self._adopt(replace(self.account, language=saved.language or code))
        return self.account
