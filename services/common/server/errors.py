"""Rich gRPC errors (AIP-193): one ErrorInfo reason per error, and for bad fields a
BadRequest whose violations each carry a machine reason.

The reasons are the values of `ticketdesk.errors.v1` (proto/ticketdesk/errors/v1/
errors.proto): callers choose what to show by them, never by the English message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from ticketdesk.errors.v1 import errors_pb2 as reasons

DOMAIN = "ticketdesk"


@dataclass(frozen=True)
class Violation:
    """One bad field: its request path, the machine reason, the words for a developer, and
    the reason's parameters (`maxLength`...), sent as ErrorInfo metadata `<field>.<name>`."""

    field: str
    reason: int  # reasons.FieldReason
    description: str
    params: dict[str, str] = dataclass_field(default_factory=dict)

    @property
    def reason_name(self) -> str:
        return reasons.FieldReason.Name(self.reason)


def violation(path: str, reason: int, description: str, **params: object) -> Violation:
    return Violation(path, reason, description, {k: str(v) for k, v in params.items()})


class ApiError(Exception):
    """Raised by service code; the server turns it into a rich gRPC status."""

    def __init__(self, code: grpc.StatusCode, reason: int, message: str,
                 metadata: dict[str, str] | None = None,
                 violations: Iterable[Violation] = ()):
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message
        self.metadata = dict(metadata or {})
        self.violations = list(violations)

    @property
    def reason_name(self) -> str:
        return reasons.ErrorReason.Name(self.reason)

    def to_status(self) -> grpc.Status:
        metadata = dict(self.metadata)
        for bad in self.violations:
            metadata.update({f"{bad.field}.{k}": v for k, v in bad.params.items()})
        details = [error_details_pb2.ErrorInfo(reason=self.reason_name, domain=DOMAIN,
                                               metadata=metadata)]
        if self.violations:
            details.append(error_details_pb2.BadRequest(field_violations=[
                error_details_pb2.BadRequest.FieldViolation(
                    field=v.field, description=v.description, reason=v.reason_name)
                for v in self.violations]))
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
    return ApiError(grpc.StatusCode.NOT_FOUND, reasons.NOT_FOUND, f"{what} not found",
                    {"resource": what})


def invalid(violations: Iterable[Violation], message: str = "") -> ApiError:
    violations = list(violations)
    message = message or "; ".join(f"{v.field}: {v.description}" for v in violations)
    return ApiError(grpc.StatusCode.INVALID_ARGUMENT, reasons.INVALID_ARGUMENT, message,
                    violations=violations)


def bad_field(path: str, reason: int, description: str, **params: object) -> ApiError:
    """INVALID_ARGUMENT for one field."""
    return invalid([violation(path, reason, description, **params)])


def permission_denied(message: str = "not allowed",
                      reason: int = reasons.PERMISSION_DENIED) -> ApiError:
    return ApiError(grpc.StatusCode.PERMISSION_DENIED, reason, message)


def unauthenticated(message: str = "authentication required") -> ApiError:
    return ApiError(grpc.StatusCode.UNAUTHENTICATED, reasons.UNAUTHENTICATED, message)


def failed_precondition(reason: int, message: str, **metadata: str) -> ApiError:
    return ApiError(grpc.StatusCode.FAILED_PRECONDITION, reason, message, metadata)


def unavailable(message: str) -> ApiError:
    return ApiError(grpc.StatusCode.UNAVAILABLE, reasons.UNAVAILABLE, message)
