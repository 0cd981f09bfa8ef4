"""Structured logs (structlog) for every process.

Every line of an RPC carries its `request_id` (the caller's `x-request-id`, or a new
one; bound per RPC by the interceptor) and, when tracing is on, the current span's
`trace_id` and `span_id`.
"""

from __future__ import annotations

import logging

import structlog

from services.common.platform.tracing import current_ids


def add_trace_ids(_logger, _name, event: dict) -> dict:
    """`trace_id` and `span_id` of the current span, when tracing is on."""
    ids = current_ids()
    if ids is not None:
        event.setdefault("trace_id", ids[0])
        event.setdefault("span_id", ids[1])
    return event


def processors(fmt: str = "console") -> list:
    renderer = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return [
        structlog.contextvars.merge_contextvars,  # process, request_id (per RPC)
        add_trace_ids,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        renderer,
    ]


def configure_logging(level: str = "INFO", fmt: str = "console", process: str = "") -> None:
    structlog.configure(
        processors=processors(fmt),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=True,
    )
    if process:
        structlog.contextvars.bind_contextvars(process=process)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
