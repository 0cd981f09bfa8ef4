"""A real IMAP server for the tests: Debian's Dovecot, started on a free loopback port
with its own configuration in a temporary folder, one mailbox with a password.

Without /usr/sbin/dovecot the tests that need it skip, printing why, unless
TICKETDESK_REQUIRE_DOVECOT=1 (set by .ci/run, which installs dovecot-imapd) makes
that a failure.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.processes import free_port, port_is_open
from tests.support.required import missing

DOVECOT = Path("/usr/sbin/dovecot")
MAILBOX_USER = "support@studio.example"


@dataclass
class Imap:
    port: int
    username: str
    password: str
    log: Path


def dovecot_or_skip() -> None:
    if not DOVECOT.exists():
        missing(f"{DOVECOT} is missing: install Debian's dovecot-imapd",
                "TICKETDESK_REQUIRE_DOVECOT", "the IMAP tests")


def start_dovecot() -> tuple[Imap, subprocess.Popen, Path]:
    """Dovecot in the foreground (a child of the test), its configuration and mail in a
    new folder its own users can reach (pytest's are the owner's only)."""
    dovecot_or_skip()
    folder = Path(tempfile.mkdtemp(prefix="ticketdesk-dovecot-"))
    port, password = free_port(), "mailbox-" + os.urandom(6).hex()
    mail_user = _mail_user()
    for name in ("run", "state", "mail"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    shutil.chown(folder / "mail", mail_user, mail_user)
    folder.chmod(0o755)  # Dovecot's processes walk into it
    (folder / "users").write_text(f"{MAILBOX_USER}:{{PLAIN}}{password}\n")
    config = folder / "dovecot.conf"
    config.write_text(CONFIG.format(folder=folder, port=port, mail_user=mail_user,
                                    login_user=_login_user(mail_user)))
    process = subprocess.Popen([str(DOVECOT), "-F", "-c", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while not port_is_open(port):
        log = folder / "dovecot.log"
        assert process.poll() is None, f"dovecot exited: {log.read_text() if log.exists() else ''}"
        assert time.monotonic() < deadline, "dovecot does not listen after 30 s"
        time.sleep(0.1)
    return Imap(port, MAILBOX_USER, password, folder / "dovecot.log"), process, folder


def stop_dovecot(process: subprocess.Popen, folder: Path) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    shutil.rmtree(folder, ignore_errors=True)


def _mail_user() -> str:
    """Dovecot will not keep mail as root: its own user when we are root."""
    return "dovecot" if os.getuid() == 0 else pwd.getpwuid(os.getuid()).pw_name


def _login_user(mail_user: str) -> str:
    return "dovenull" if os.getuid() == 0 else mail_user


CONFIG = """\
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{folder}/mail/%n
default_login_user = {login_user}
default_internal_user = {mail_user}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/users
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_user} home={folder}/mail/%n
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
