"""Password hashing (argon2id, off the event loop) and the new-password policy."""

from __future__ import annotations

import asyncio
import os
import secrets
import weakref

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from ticketdesk.errors.v1 import errors_pb2 as reasons

# OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1,
                        hash_len=32, salt_len=16, type=Type.ID)

MIN_LENGTH = 8
MAX_LENGTH = 256  # bounds the work one request can cause

# At most this many hashes at once: each takes ~19 MiB and a core for tens of ms.
CONCURRENT_HASHES = max(1, min(4, os.cpu_count() or 1))
_slots: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _slot() -> asyncio.Semaphore:
    """One semaphore per event loop (a semaphore must not cross loops)."""
    loop = asyncio.get_running_loop()
    if loop not in _slots:
        _slots[loop] = asyncio.Semaphore(CONCURRENT_HASHES)
    return _slots[loop]

# The most common passwords of at least MIN_LENGTH characters, lowercased
# (from the published breach-corpus top lists); shorter ones fail the length rule anyway.
COMMON_PASSWORDS = frozenset("""
12345678 123456789 1234567890 12345678910 123123123 123321123 1234512345 11111111
111111111 1111111111 00000000 000000000 0000000000 88888888 99999999 77777777 66666666
55555555 22222222 12341234 87654321 98765432 987654321 9876543210 0987654321 01234567
11223344 112233445566 123456123456 147258369 159753159753 741852963 963852741 qwertyui
qwertyuiop 1q2w3e4r 1q2w3e4r5t 1qaz2wsx 1qazxsw2 zaq12wsx zaq1zaq1 qazwsxedc qwerty123
qwerty1234 qwer1234 asdfghjk asdfghjkl zxcvbnm1 zxcvbnmm 1qaz2wsx3edc password password1
password12 password123 password1234 passw0rd p@ssw0rd p@ssword pa$$word passwort
iloveyou iloveyou1 princess sunshine football baseball superman batman123 starwars
whatever trustno1 welcome1 welcome123 letmein1 letmein123 abcd1234 abc12345 abcdefgh
abcdefg1 a1234567 aa123456 q1w2e3r4 q1w2e3r4t5 1234qwer qweasdzxc monkey123 dragon123
master123 michelle jennifer computer internet mustang1 shadow123 football1 baseball1
charlie1 jordan23 liverpool chelsea1 arsenal1 samsung1 google123 admin123 administrator
changeme changeme1 secret123 default1 testtest test1234 test12345 qwerty12 qwertyqwerty
parol123 parolparol privet123 ytrewq123 nataha123 marina123 natasha1 zxcvbnm123 123qweasd
123qweasdzxc qweqweqwe asdasdasd zxczxczxc 123456qwerty qwerty123456 ticketdesk
""".split())


class WeakPassword(ValueError):
    """Why a new password is refused: a FieldReason, its parameters, and words for logs."""

    def __init__(self, reason: int, message: str, **params: object):
        super().__init__(message)
        self.reason, self.params = reason, params


def check_new_password(password: str, email: str = "") -> None:
    """Raise WeakPassword; no composition rules (NIST 800-63B)."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(reasons.TOO_SHORT, f"must be at least {MIN_LENGTH} characters",
                           minLength=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise WeakPassword(reasons.TOO_LONG, f"must be at most {MAX_LENGTH} characters",
                           maxLength=MAX_LENGTH)
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) == 1:
        raise WeakPassword(reasons.PASSWORD_TOO_COMMON, "is too common; choose another")
    if email and lowered in (email.lower(), email.lower().split("@")[0]):
        raise WeakPassword(reasons.PASSWORD_IS_EMAIL, "must not be the e-mail address")


def generate_password() -> str:
    """A random password for a new account or a reset: ~96 bits."""
    return secrets.token_urlsafe(12)


async def hash_password(password: str) -> str:
    async with _slot():
        return await asyncio.to_thread(HASHER.hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str, password: str) -> bool:
    async with _slot():
        return await asyncio.to_thread(_verify, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)


# Verified against when the e-mail is unknown, so that both cases take the same time.
DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))
