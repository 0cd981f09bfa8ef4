"""JSON log lines of an RPC carry its request id and the current trace and span."""

from __future__ import annotations

import io
import json
import logging
import secrets

import structlog
from opentelemetry.trace import SpanKind

from services.auth.server import build as build_auth
from services.common.client.channels import bearer, channel
from services.common.platform.config import Settings
from services.common.platform.logs import processors
from services.common.server.serve import start_server
from tests.support.processes import free_port
from ticketdesk.auth.v1 import auth_pb2, auth_pb2_grpc

METHOD = "/ticketdesk.auth.v1.AuthService/CreateOrganization"


async def test_json_lines_carry_request_and_trace_ids(spans, tmp_path):
    settings = Settings(data_dir=tmp_path, service_token=secrets.token_urlsafe(32))
    port = free_port()
    server = await start_server(await build_auth(settings), settings, port)
    out, saved = io.StringIO(), structlog.get_config()
    structlog.configure(processors=processors("json"),
                        logger_factory=structlog.WriteLoggerFactory(out),
                        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG),
                        cache_logger_on_first_use=False)
    try:
        async with channel(f"127.0.0.1:{port}") as ch:
            stub = auth_pb2_grpc.AuthServiceStub(ch)
            service = bearer(settings.service_token.get_secret_value())
            for request_id in ("req-from-the-caller", ""):
                extra = (("x-request-id", request_id),) if request_id else ()
                await stub.CreateOrganization(auth_pb2.CreateOrganizationRequest(
                    organization=auth_pb2.Organization(display_name="Org")),
                    metadata=service + extra)
    finally:
        structlog.configure(**saved)
        await server.stop(grace=0.5)

    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    rpc = [line for line in lines if line["event"] == "rpc" and line["method"] == METHOD]
    assert len(rpc) == 2
    assert rpc[0]["request_id"] == "req-from-the-caller"
    assert len(rpc[1]["request_id"]) == 32 and rpc[1]["request_id"] != rpc[0]["request_id"]
    served = [s for s in spans.get_finished_spans()
              if s.name == METHOD and s.kind == SpanKind.SERVER]
    assert len(served) == 2
    for line, span in zip(rpc, served, strict=True):
        assert line["trace_id"] == format(span.context.trace_id, "032x")
        assert line["span_id"] == format(span.context.span_id, "016x")
        assert line["code"] == "OK" and line["level"] == "debug"
