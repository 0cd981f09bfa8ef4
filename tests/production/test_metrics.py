"""Prometheus metrics of every RPC, and /metrics, /healthz, /readyz over HTTP."""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import sys

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2
from prometheus_client.parser import text_string_to_metric_families

from services.auth.server import build as build_auth
from services.common.client.channels import bearer, channel
from services.common.platform.config import Settings
from services.common.platform.metrics import start_metrics_server
from services.common.server.serve import start_server
from services.files.server import build as build_files
from tests.support.processes import child_env, free_port, free_ports
from tests.support.stack import start_temporal
from ticketdesk.auth.v1 import auth_pb2, auth_pb2_grpc
from ticketdesk.files.v1 import files_pb2, files_pb2_grpc

AUTH = "ticketdesk.auth.v1.AuthService"
FILES = "ticketdesk.files.v1.FileService"


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(scraped: dict, name: str, **labels: str) -> float:
    return scraped.get((name, frozenset(labels.items())), 0.0)


async def get(port: int, path: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=5) as http:
        return await http.get(f"http://127.0.0.1:{port}{path}")


async def test_every_rpc_is_counted_and_timed_and_probes_answer(tmp_path):
    settings = Settings(data_dir=tmp_path, service_token=secrets.token_urlsafe(32),
                        auth_cache_seconds=0)
    auth_port, files_port, http_port = free_ports(3)
    settings = settings.model_copy(update={"auth_port": auth_port})
    auth = await start_server(await build_auth(settings), settings, auth_port)
    files = await start_server(await build_files(settings), settings, files_port)
    http = await start_metrics_server("127.0.0.1", http_port, auth.serving)
    try:
        before = samples((await get(http_port, "/metrics")).text)
        service = bearer(settings.service_token.get_secret_value())
        async with channel(f"127.0.0.1:{auth_port}") as ch:
            stub = auth_pb2_grpc.AuthServiceStub(ch)
            for n in range(2):
                await stub.CreateOrganization(auth_pb2.CreateOrganizationRequest(
                    organization=auth_pb2.Organization(display_name=f"Org {n}")),
                    metadata=service)
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.ListOrganizations(auth_pb2.ListOrganizationsRequest())
            assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
        async with channel(f"127.0.0.1:{files_port}") as ch:  # streaming, refused
            stub = files_pb2_grpc.FileServiceStub(ch)
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                async for _ in stub.DownloadFile(files_pb2.DownloadFileRequest(name="files/x")):
                    pass
            assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED

        answer = await get(http_port, "/metrics")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/plain")
        after = samples(answer.text)

        def delta(name, **labels):
            return value(after, name, **labels) - value(before, name, **labels)

        total = "ticketdesk_rpc_requests_total"
        assert delta(total, service=AUTH, method="CreateOrganization", code="OK") == 2
        assert delta(total, service=AUTH, method="ListOrganizations",
                     code="UNAUTHENTICATED") == 1
        assert delta(total, service=FILES, method="DownloadFile", code="UNAUTHENTICATED") == 1
        duration = "ticketdesk_rpc_duration_seconds"
        assert delta(f"{duration}_count", service=AUTH, method="CreateOrganization") == 2
        assert delta(f"{duration}_sum", service=AUTH, method="CreateOrganization") > 0
        assert value(after, f"{duration}_bucket", service=AUTH, method="CreateOrganization",
                     le="10.0") >= 2
        assert (f"{duration}_bucket", frozenset({"service": AUTH, "method": "CreateOrganization",
                                                 "le": "0.001"}.items())) in after

        assert (await get(http_port, "/healthz")).status_code == 200
        assert (await get(http_port, "/readyz")).status_code == 200
        assert (await get(http_port, "/nothing")).status_code == 404
        await auth.health.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
        assert (await get(http_port, "/readyz")).status_code == 503
        assert (await get(http_port, "/healthz")).status_code == 200
    finally:
        await http.stop()
        await files.stop(grace=0.5)
        await auth.stop(grace=0.5)


async def wait_ready(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    async with asyncio.timeout(timeout):
        while True:
            assert process.poll() is None, "the process ended"
            try:
                if (await get(port, "/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)


async def test_the_service_runner_serves_metrics_on_its_own_port(tmp_path):
    grpc_port, metrics_port = free_ports(2)
    env = child_env({"TICKETDESK_DATA_DIR": str(tmp_path), "TICKETDESK_AUTH_PORT": str(grpc_port),
                     "TICKETDESK_AUTH_METRICS_PORT": str(metrics_port),
                     "TICKETDESK_SERVICE_TOKEN": secrets.token_urlsafe(32)})
    process = subprocess.Popen([sys.executable, "-m", "services.auth"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        await wait_ready(metrics_port, process)
        async with channel(f"127.0.0.1:{grpc_port}") as ch:
            with pytest.raises(grpc.aio.AioRpcError):
                await auth_pb2_grpc.AuthServiceStub(ch).Login(auth_pb2.LoginRequest(
                    email="nobody@example.test", password="wrong password"))
        scraped = samples((await get(metrics_port, "/metrics")).text)
        assert value(scraped, "ticketdesk_rpc_requests_total", service=AUTH, method="Login",
                     code="UNAUTHENTICATED") == 1
        assert value(scraped, "process_resident_memory_bytes") > 0
    finally:
        process.terminate()
        process.wait(15)


async def test_the_worker_serves_the_temporal_sdk_metrics(tmp_path):
    temporal = await start_temporal()
    port = free_port()
    env = child_env({"TICKETDESK_DATA_DIR": str(tmp_path),
                     "TICKETDESK_TEMPORAL_ADDRESS":
                         temporal.client.service_client.config.target_host,
                     "TICKETDESK_WORKER_METRICS_PORT": str(port),
                     "TICKETDESK_SERVICE_TOKEN": secrets.token_urlsafe(32)})
    process = subprocess.Popen([sys.executable, "-m", "workflows.ticket.worker"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        await wait_ready(port, process)
        assert (await get(port, "/healthz")).status_code == 200
        async with asyncio.timeout(30):  # the SDK reports its pollers within seconds
            while "temporal_" not in (text := (await get(port, "/metrics")).text):
                await asyncio.sleep(0.5)
        assert "process_resident_memory_bytes" in text
    finally:
        process.terminate()
        process.wait(15)
        await temporal.shutdown()
