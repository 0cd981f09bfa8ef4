"""Connecting to Temporal as configured: the dev server, a cluster, or Temporal Cloud."""

from __future__ import annotations

import socket
from collections.abc import Callable

from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import TLSConfig

from services.common.platform import tracing
from services.common.platform.config import Settings
from services.common.platform.metrics import scrape_url


def tls_config(settings: Settings) -> TLSConfig | bool:
    cert, key, ca = settings.temporal_tls_cert, settings.temporal_tls_key, settings.temporal_tls_ca
    if not (cert or key or ca):
        return settings.temporal_tls or bool(settings.temporal_api_key.get_secret_value())
    if bool(cert) != bool(key):
        raise ValueError("TICKETDESK_TEMPORAL_TLS_CERT and _KEY go together")
    return TLSConfig(server_root_ca_cert=ca.read_bytes() if ca else None,
                     client_cert=cert.read_bytes() if cert else None,
                     client_private_key=key.read_bytes() if key else None)


async def connect(settings: Settings, runtime: Runtime | None = None) -> Client:
    """`runtime`: one with SDK metrics (`sdk_metrics_runtime`); default: the process's.
    With tracing on, the client (and every worker built on it) is traced."""
    api_key = settings.temporal_api_key.get_secret_value() or None
    return await Client.connect(settings.temporal_target, namespace=settings.temporal_namespace,
                                tls=tls_config(settings), api_key=api_key, runtime=runtime,
                                plugins=tracing.temporal_plugins())


def traced(client: Client) -> Client:
    """The same connection with the tracing plugin, when tracing is on (tests)."""
    if not tracing.enabled():
        return client
    config = client.config()
    config["plugins"] = [*config.get("plugins", []), *tracing.temporal_plugins()]
    return Client(**config)


def sdk_metrics_runtime() -> tuple[Runtime, Callable[[], bytes]]:
    """A Temporal runtime whose Prometheus exporter (SDK and worker metrics) listens on a
    private loopback port, and a function that scrapes it: the process's own /metrics
    appends that text, so one port serves both (and /healthz, /readyz)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    runtime = Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(
        bind_address=f"127.0.0.1:{port}", counters_total_suffix=True, unit_suffix=True,
        durations_as_seconds=True)))
    return runtime, scrape_url(f"http://127.0.0.1:{port}/metrics")


def install_sdk_metrics() -> Callable[[], bytes]:
    """`sdk_metrics_runtime` as the process's default runtime (before any client)."""
    runtime, fetch = sdk_metrics_runtime()
    Runtime.set_default(runtime, error_if_already_set=False)
    return fetch
