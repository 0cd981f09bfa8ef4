"""The shared server scaffolding: configuration errors, port binding, health, errors."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.platform.config import Settings
from services.common.client.errors import error_details, problem_of
from services.common.server.errors import invalid, violation
from services.common.server.principal import Principal, Role
from services.common.server.serve import Service, start_server
from tests.support.processes import free_port
from ticketdesk.errors.v1 import errors_pb2 as reasons


def test_bad_configuration_names_each_variable():
    result = subprocess.run(
        [sys.executable, "-c", "from services.common.platform.config import load_settings; load_settings()"],
        env={"TICKETDESK_AUTH_PORT": "seventy", "TICKETDESK_LOG_LEVEL": "LOUD",
             "PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert any(line.startswith("configuration error: TICKETDESK_AUTH_PORT:") for line in lines)
    assert any(line.startswith("configuration error: TICKETDESK_LOG_LEVEL:") for line in lines)


async def nobody(token: str) -> Principal | None:
    return Principal(subject="users/x", role=Role.CLIENT) if token == "good" else None


def empty_service() -> Service:
    return Service(name="test.Empty", register=lambda server: None, resolver=nobody)


async def test_a_taken_port_is_refused_and_health_goes_not_serving_on_stop():
    settings = Settings(service_token="s" * 32)
    port = free_port()
    first = await start_server(empty_service(), settings, port)
    with pytest.raises(OSError, match=str(port)):
        await start_server(empty_service(), settings, port)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        health = health_pb2_grpc.HealthStub(channel)
        answer = await health.Check(health_pb2.HealthCheckRequest(service="test.Empty"))
        assert answer.status == health_pb2.HealthCheckResponse.SERVING
        watch = health.Watch(health_pb2.HealthCheckRequest(service=""))
        assert (await watch.read()).status == health_pb2.HealthCheckResponse.SERVING
        await first.stop(grace=0.5)
        assert (await watch.read()).status == health_pb2.HealthCheckResponse.NOT_SERVING


def slow_service(seconds: float) -> Service:
    async def slow(request: bytes, context) -> bytes:
        await asyncio.sleep(seconds)
        return b"done"

    handler = grpc.method_handlers_generic_handler("test.Slow", {
        "Wait": grpc.unary_unary_rpc_method_handler(slow)})
    return Service(name="test.Slow", register=lambda server: server.add_generic_rpc_handlers(
        (handler,)), resolver=nobody)


async def call_then_stop(grace: float) -> bytes:
    """A call in flight when the server is told to stop, as a replica on SIGTERM."""
    running = await start_server(slow_service(1.0), Settings(service_token="s" * 32), 0)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        wait = channel.unary_unary("/test.Slow/Wait")
        call = asyncio.ensure_future(wait(b"", metadata=(("authorization", "Bearer good"),)))
        await asyncio.sleep(0.3)
        await running.stop(grace)
        return await call


async def test_a_stopping_server_lets_a_running_call_finish_within_its_grace():
    assert await call_then_stop(grace=5.0) == b"done"
    with pytest.raises(grpc.aio.AioRpcError) as cut:
        await call_then_stop(grace=0.1)
    assert cut.value.code() == grpc.StatusCode.UNAVAILABLE  # which clients retry


def test_the_default_drain_is_below_the_orchestrators_grace():
    assert 5 < Settings().shutdown_grace_seconds < 30


def test_error_reasons_round_trip():
    """What a service raises is what its caller reads: the ErrorInfo reason, each
    violation's field and reason, and the reasons' parameters (AIP-193)."""
    error = invalid([violation("ticket.title", reasons.TOO_LONG, "must be at most 200",
                               maxLength=200),
                     violation("ticket.site", reasons.NOT_ORGANIZATION_SITE, "not yours")])
    status = error.to_status()
    assert status.code == grpc.StatusCode.INVALID_ARGUMENT

    class Failed(grpc.RpcError):
        def code(self):
            return status.code

        def details(self):
            return status.details

        def trailing_metadata(self):
            return status.trailing_metadata

    problem = problem_of(Failed())
    assert (problem.code, problem.reason) == (grpc.StatusCode.INVALID_ARGUMENT,
                                              "INVALID_ARGUMENT")
    assert [(f.field, f.reason, f.params) for f in problem.fields] == [
        ("ticket.title", "TOO_LONG", {"maxLength": "200"}),
        ("ticket.site", "NOT_ORGANIZATION_SITE", {})]
    assert error_details(Failed()) == ("INVALID_ARGUMENT", [
        ("ticket.title", "must be at most 200"), ("ticket.site", "not yours")])