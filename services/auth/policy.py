"""Limits of the auth service. Not environment settings: security rules, changed in review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class AuthPolicy:
    # Failed logins per account (e-mail, known or not) within the window before a lockout.
    account_failures: int = 5
    # Failed logins per client address within the window (an office shares one address).
    address_failures: int = 30
    failure_window: timedelta = timedelta(minutes=15)
    # How long logins are refused after the failure that reached a limit.
    lockout: timedelta = timedelta(minutes=5)
    session_idle: timedelta = timedelta(hours=12)
    session_lifetime: timedelta = timedelta(days=7)
    # last_use_time is written at most this often per session or token.
    touch_interval: timedelta = timedelta(seconds=60)
    # Login attempts older than this are deleted.
    attempts_kept: timedelta = timedelta(days=1)


DEFAULT_POLICY = AuthPolicy()
