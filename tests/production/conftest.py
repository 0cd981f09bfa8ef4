"""Tracing for the tests that ask for it: one in-memory TracerProvider per test process
(OpenTelemetry's global provider can be set only once), switched on per test."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from services.common.platform import tracing
from services.common.platform.config import Settings

_exporter: InMemorySpanExporter | None = None


def _installed() -> InMemorySpanExporter:
    global _exporter
    if _exporter is None:
        _exporter = InMemorySpanExporter()
        tracing.configure_tracing(Settings(), "ticketdesk-tests",
                                  processor=SimpleSpanProcessor(_exporter))
    return _exporter


@pytest.fixture
def spans():
    """Tracing on for what the test builds (servers, channels, Temporal clients)."""
    exporter = _installed()
    exporter.clear()
    tracing.set_enabled(True)
    yield exporter
    tracing.set_enabled(False)
