"""Connecting to Temporal as configured: the dev server, a cluster, or Temporal Cloud."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.service import TLSConfig

from services.common.config import Settings


def tls_config(settings: Settings) -> TLSConfig | bool:
    cert, key, ca = settings.temporal_tls_cert, settings.temporal_tls_key, settings.temporal_tls_ca
    if not (cert or key or ca):
        return settings.temporal_tls or bool(settings.temporal_api_key.get_secret_value())
    if bool(cert) != bool(key):
        raise ValueError("TICKETDESK_TEMPORAL_TLS_CERT and _KEY go together")
    return TLSConfig(server_root_ca_cert=ca.read_bytes() if ca else None,
                     client_cert=cert.read_bytes() if cert else None,
                     client_private_key=key.read_bytes() if key else None)


async def connect(settings: Settings) -> Client:
    api_key = settings.temporal_api_key.get_secret_value() or None
    return await Client.connect(settings.temporal_target, namespace=settings.temporal_namespace,
                                tls=tls_config(settings), api_key=api_key)
