"""Structured logs (structlog) for every process."""

from __future__ import annotations

import logging

import structlog


def configure_logging(level: str = "INFO", fmt: str = "console", process: str = "") -> None:
    renderer = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=True,
    )
    if process:
        structlog.contextvars.bind_contextvars(process=process)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
