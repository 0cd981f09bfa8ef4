"""Configuration from `TICKETDESK_*` environment variables."""

from __future__ import annotations

import sys
from email.utils import parseaddr
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TICKETDESK_", extra="ignore")

    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    auth_port: int = Field(50051, ge=1, le=65535)
    tickets_port: int = Field(50052, ge=1, le=65535)
    files_port: int = Field(50053, ge=1, le=65535)
    ui_port: int = Field(8080, ge=1, le=65535)
    temporal_port: int = Field(7233, ge=1, le=65535)
    temporal_ui_port: int = Field(8233, ge=1, le=65535)
    # host:port of each service as other processes reach it; default: host + port.
    auth_address: str = ""
    tickets_address: str = ""
    files_address: str = ""
    temporal_address: str = ""
    temporal_namespace: str = "default"
    task_queue: str = "tickets"
    # Temporal Cloud or a secured cluster: an API key, or mutual TLS with a client
    # certificate (PEM files); `temporal_tls` alone trusts the system's CAs.
    temporal_api_key: SecretStr = SecretStr("")
    temporal_tls: bool = False
    temporal_tls_cert: Path | None = None
    temporal_tls_key: Path | None = None
    temporal_tls_ca: Path | None = None
    # Each service upgrades its own database on start-up (development); production
    # runs `ticketdesk migrate` once per release and sets this to false.
    migrate_on_start: bool = True
    # The tickets service starts the workflow of every open ticket that has none on
    # start-up (services/tickets/usecases/reconcile.py). Off where rows were loaded without
    # workflows on purpose (the reports benchmark's million tickets).
    repair_on_start: bool = True

    auth_database_url: str = ""
    tickets_database_url: str = ""
    files_database_url: str = ""
    files_dir: Path | None = None
    max_upload_bytes: int = Field(25 * 1024 * 1024, gt=0)

    # Shared secret of TicketDesk's own processes (workers, supervisor).
    service_token: SecretStr = SecretStr("")
    reflection: bool = True
    # Seconds a resolved token is trusted before asking the auth service again.
    auth_cache_seconds: float = Field(3.0, ge=0, le=30)
    # On SIGTERM a server stops taking calls and lets running ones finish this long; a
    # transition waits for its workflow update, which is slow when the machine is busy.
    # Below Kubernetes' default 30 s termination grace.
    shutdown_grace_seconds: float = Field(20.0, ge=0, le=300)
    log_level: str = "INFO"
    log_format: str = Field("console", pattern="^(console|json)$")
    # Observability: each process serves /metrics, /healthz and /readyz over HTTP on its
    # own port (0: off); traces go by OTLP/gRPC to this endpoint when it is set.
    auth_metrics_port: int = Field(9151, ge=0, le=65535)
    tickets_metrics_port: int = Field(9152, ge=0, le=65535)
    files_metrics_port: int = Field(9153, ge=0, le=65535)
    worker_metrics_port: int = Field(9154, ge=0, le=65535)
    ui_metrics_port: int = Field(9155, ge=0, le=65535)
    metrics_host: str = ""  # default: host
    otlp_endpoint: str = ""
    ui_storage_secret: SecretStr = SecretStr("")
    timezone: str = "Europe/Moscow"

    # E-mail. No SMTP host: messages are written to the outbox folder (development).
    smtp_host: str = ""
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_starttls: bool = True
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    mail_from: str = "TicketDesk <support@ticketdesk.local>"
    # E-mail in. Notices carry the reply address `<local>+<token>@<domain>` of this
    # mailbox (default: mail_from's address) when a reply secret is set; the receiver
    # (SMTP, or LMTP with mail_in_lmtp) listens on mail_in_port (0: off).
    mail_reply_secret: SecretStr = SecretStr("")
    mail_support_address: str = ""
    mail_in_port: int = Field(2525, ge=0, le=65535)
    mail_in_lmtp: bool = False
    # The largest message the receiver takes (attachments included).
    mail_in_max_bytes: int = Field(25 * 1024 * 1024, ge=1024)
    # Or an IMAP mailbox the receiver empties (IDLE where offered, else polled).
    imap_host: str = ""
    imap_port: int = Field(993, ge=1, le=65535)
    imap_tls: bool = True
    imap_username: str = ""
    imap_password: SecretStr = SecretStr("")
    imap_mailbox: str = "INBOX"
    imap_poll_seconds: float = Field(30.0, ge=1, le=3600)
    # Base URL of the web UI for links in e-mails; default: http://host:ui_port.
    public_url: str = ""
    # The notices dispatcher lets notices that arrive close together gather this long
    # into one batch (one SMTP connection, the people read once).
    notice_gather_seconds: float = Field(0.2, ge=0, le=5)
    # A webhook delivery is tried this many times, the pause doubling from 1 s up to the
    # backoff's limit (12 and 300 s: about 40 minutes), before the webhook is turned off.
    webhook_max_attempts: int = Field(12, ge=1, le=100)
    webhook_max_backoff_seconds: float = Field(300.0, ge=1, le=86400)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value

    def _address(self, explicit: str, port: int) -> str:
        return explicit or f"{self.host}:{port}"

    @property
    def auth_target(self) -> str:
        return self._address(self.auth_address, self.auth_port)

    @property
    def tickets_target(self) -> str:
        return self._address(self.tickets_address, self.tickets_port)

    @property
    def files_target(self) -> str:
        return self._address(self.files_address, self.files_port)

    @property
    def temporal_target(self) -> str:
        return self._address(self.temporal_address, self.temporal_port)

    def database_url(self, service: str) -> str:
        explicit = getattr(self, f"{service}_database_url")
        return explicit or f"sqlite+aiosqlite:///{self.data_dir / (service + '.db')}"

    @property
    def file_store_dir(self) -> Path:
        return self.files_dir or self.data_dir / "files"

    @property
    def support_address(self) -> str:
        """The support mailbox replies and new requests go to."""
        return self.mail_support_address or parseaddr(self.mail_from)[1]

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def web_url(self) -> str:
        """`public_url`, or the UI's own address, without a trailing slash."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "localhost" if self.host in ("", "0.0.0.0", "::") else self.host
        return f"http://{host}:{self.ui_port}"


def load_settings(**overrides) -> Settings:
    """Settings from the environment; bad values end the process with one line each."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        for problem in error.errors():
            name = "TICKETDESK_" + "_".join(str(p) for p in problem["loc"]).upper()
            print(f"configuration error: {name}: {problem['msg']}", file=sys.stderr)
        raise SystemExit(2) from None
