"""What a test needs from the machine (a browser, an IMAP server ...): missing, the test
fails when its TICKETDESK_REQUIRE_* variable (set by .ci/run) makes it mandatory, and
otherwise skips, printing why."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing(reason: str, variable: str, tests: str) -> NoReturn:
    if os.environ.get(variable) == "1":
        pytest.fail(f"{variable}=1 but {reason}")
    print(f"skipping {tests}: {reason}")
    pytest.skip(reason)
