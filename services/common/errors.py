"""Rich gRPC errors: one ErrorInfo reason per error, BadRequest for fields."""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

DOMAIN = "ticketdesk"


class ApiError(Exception):
    """Raised by service code; the server turns it into a rich gRPC status."""

    def __init__(self, code: grpc.StatusCode, reason: str, message: str,
                 metadata: dict[str, str] | None = None,
                 field_violations: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message
        self.metadata = metadata or {}
        self.field_violations = field_violations or []

    def to_status(self) -> grpc.Status:
        details = []
        info = error_details_pb2.ErrorInfo(reason=self.reason, domain=DOMAIN,
                                           metadata=self.metadata)
        details.append(info)
        if self.field_violations:
            details.append(error_details_pb2.BadRequest(field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=f, description=d)
                for f, d in self.field_violations
            ]))
        packed = []
        for detail in details:
            any_msg = any_pb2.Any()
            any_msg.Pack(detail)
            packed.append(any_msg)
        status = status_pb2.Status(code=getattr(code_pb2, self.code.name),
                                   message=self.message, details=packed)
        return rpc_status.to_status(status)


def not_found(what: str) -> ApiError:
    """Also the answer for a resource the caller may not see (AIP-193)."""
    return ApiError(grpc.StatusCode.NOT_FOUND, "NOT_FOUND", f"{what} not found",
                    {"resource": what})


def invalid(violations: list[tuple[str, str]], message: str = "") -> ApiError:
    message = message or "; ".join(f"{f}: {d}" for f, d in violations)
    return ApiError(grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT", message,
                    field_violations=violations)


def permission_denied(message: str = "not allowed") -> ApiError:
    return ApiError(grpc.StatusCode.PERMISSION_DENIED, "PERMISSION_DENIED", message)


def unauthenticated(message: str = "authentication required") -> ApiError:
    return ApiError(grpc.StatusCode.UNAUTHENTICATED, "UNAUTHENTICATED", message)


def failed_precondition(reason: str, message: str, **metadata: str) -> ApiError:
    return ApiError(grpc.StatusCode.FAILED_PRECONDITION, reason, message, metadata)


def unavailable(message: str) -> ApiError:
    return ApiError(grpc.StatusCode.UNAVAILABLE, "UNAVAILABLE", message)


def error_details(error: grpc.aio.AioRpcError | grpc.RpcError) -> tuple[str, list[tuple[str, str]]]:
    """Client side: (ErrorInfo reason, BadRequest field violations) of a failed call."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    reason, violations = "", []
    for detail in status.details if status else []:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason = info.reason
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            violations = [(v.field, v.description) for v in bad.field_violations]
    return reason, violations
