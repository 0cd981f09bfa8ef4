"""Container health checks for the TicketDesk image (exit 0 healthy, 1 not).

    python /opt/ticketdesk/healthcheck.py grpc 127.0.0.1:50051    # grpc.health.v1: SERVING
    python /opt/ticketdesk/healthcheck.py http http://127.0.0.1:8080/login
    python /opt/ticketdesk/healthcheck.py worker                    # this container polls Temporal

`grpc` asks the standard health service for the overall status (service ""); a server
that is draining (SIGTERM) answers NOT_SERVING and is reported unhealthy at once.
`worker` connects to Temporal as the worker does (TICKETDESK_TEMPORAL_* settings) and
looks for a poller of the task queue whose identity is this container's
(`<pid>@<hostname>`, the SDK's default). Temporal keeps a poller listed for a few minutes
after it stops, so this catches a worker that never connected or lost Temporal for long,
not a crash (a crashed process ends the container anyway).

Kubernetes checks gRPC services with its built-in `grpc:` probe; this script is for
Docker/Compose HEALTHCHECKs and the worker's exec probe.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import urllib.request

TIMEOUT = 3.0


def check_grpc(target: str) -> bool:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(target) as channel:
        try:
            answer = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=TIMEOUT)
        except grpc.RpcError as error:
            print(f"unhealthy: {target}: {error.code().name}", file=sys.stderr)
            return False
    if answer.status != health_pb2.HealthCheckResponse.SERVING:
        print(f"unhealthy: {target}: {health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status)}",
              file=sys.stderr)
        return False
    return True


def check_http(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 - local URL
            return response.status == 200
    except OSError as error:
        print(f"unhealthy: {url}: {error}", file=sys.stderr)
        return False


async def _worker_polling() -> bool:
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    from services.common.platform.config import load_settings

    settings = load_settings()
    try:
        from services.common.platform.temporal import connect
    except ImportError:  # an older release: plain connection
        from temporalio.client import Client

        async def connect(s):
            return await Client.connect(s.temporal_target, namespace=s.temporal_namespace)

    client = await asyncio.wait_for(connect(settings), TIMEOUT)
    answer = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(namespace=settings.temporal_namespace,
                                 task_queue=TaskQueue(name=settings.task_queue),
                                 task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW))
    suffix = "@" + socket.gethostname()
    mine = [p.identity for p in answer.pollers if p.identity.endswith(suffix)]
    if not mine:
        print(f"unhealthy: no poller of task queue {settings.task_queue!r} from {suffix[1:]}",
              file=sys.stderr)
    return bool(mine)


def check_worker() -> bool:
    try:
        return asyncio.run(asyncio.wait_for(_worker_polling(), 3 * TIMEOUT))
    except Exception as error:  # noqa: BLE001 - any failure is "unhealthy"
        print(f"unhealthy: {error!r}", file=sys.stderr)
        return False


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "grpc":
        return 0 if check_grpc(argv[1]) else 1
    if len(argv) >= 2 and argv[0] == "http":
        return 0 if check_http(argv[1]) else 1
    if argv[:1] == ["worker"]:
        return 0 if check_worker() else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
