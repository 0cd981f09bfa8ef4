"""OpenTelemetry tracing: on when TICKETDESK_OTLP_ENDPOINT is set.

`configure_tracing` installs the process's TracerProvider (OTLP over gRPC, batched).
Once it is on, gRPC servers (server.py), channels (clients.channel) and Temporal clients
and workers (temporal.py) are instrumented, so one trace follows a ticket's transition
from TicketService through the workflow update and its activity back to TicketService.
When it is off, nothing is instrumented: no interceptor costs a cycle.
"""

from __future__ import annotations

import structlog
from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from temporalio.contrib.opentelemetry import ReplaySafeTracerProvider, create_tracer_provider

from services.common.platform.config import Settings

log = structlog.get_logger()
_enabled = False


def enabled() -> bool:
    return _enabled


def set_enabled(on: bool) -> None:
    """Instrument what is built from now on (tests toggle it; processes call configure)."""
    global _enabled
    _enabled = on


def configure_tracing(settings: Settings, service_name: str,
                      processor: SpanProcessor | None = None) -> ReplaySafeTracerProvider | None:
    """Install a global TracerProvider exporting to `settings.otlp_endpoint` (or to the
    given span processor: tests); None, and tracing off, when neither is given."""
    if processor is None:
        if not settings.otlp_endpoint:
            return None
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
        # http://collector:4317 sends in plaintext, https:// over TLS.
        processor = BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otlp_endpoint))
    # Temporal's replay-safe provider: a workflow replayed on another worker does not
    # emit its spans twice, and spans inside workflows get deterministic ids.
    provider = create_tracer_provider(resource=Resource.create({SERVICE_NAME: service_name}))
    provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)  # once per process; later calls are refused
    set_enabled(True)
    log.info("tracing.enabled", endpoint=settings.otlp_endpoint or "in-process")
    return provider


def shutdown_tracing() -> None:
    """Flush what is batched (on a clean stop)."""
    if _enabled:
        shutdown = getattr(trace.get_tracer_provider(), "shutdown", None)
        if shutdown is not None:
            shutdown()


def _not_probes():
    """Health checks and reflection are not traced."""
    from opentelemetry.instrumentation.grpc import filters
    return filters.negate(filters.any_of(filters.service_prefix("grpc.health.v1"),
                                         filters.service_prefix("grpc.reflection")))


def server_interceptors() -> list:
    if not _enabled:
        return []
    from opentelemetry.instrumentation.grpc import aio_server_interceptor
    return [aio_server_interceptor(filter_=_not_probes())]


def client_interceptors() -> list:
    if not _enabled:
        return []
    from opentelemetry.instrumentation.grpc import aio_client_interceptors
    return list(aio_client_interceptors(filter_=_not_probes()))


def temporal_plugins() -> list:
    """For a Temporal client; workers built on the client take its plugins too.

    temporalio's OpenTelemetryPlugin (not the older TracingInterceptor, which only
    *links* an update's handler to its caller) continues the caller's trace into the
    update handler and the activities it runs.
    """
    if not _enabled:
        return []
    from temporalio.contrib.opentelemetry import OpenTelemetryPlugin
    return [OpenTelemetryPlugin(add_temporal_spans=True)]


def current_ids() -> tuple[str, str] | None:
    """(trace_id, span_id) of the current span, hex, when one is recording."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")
