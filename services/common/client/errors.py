"""The errors a service answers, as its callers read them (AIP-193).

`problem_of` reads a failed call's ErrorInfo and BadRequest: the reason names of
`ticketdesk.errors.v1` (proto/ticketdesk/errors/v1/errors.proto), each violation's field
and reason, and the reasons' parameters. Callers choose what to show by these names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status


@dataclass(frozen=True)
class FieldProblem:
    field: str  # the request's field path, `ticket.title`
    reason: str  # a FieldReason name, `TOO_LONG`
    description: str  # for developers and logs, in English
    params: dict[str, str] = field(default_factory=dict)  # `maxLength`: `200`

    @property
    def name(self) -> str:
        """The field's last segment: `ticket.contact.user` -> `user`."""
        return self.field.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Problem:
    code: grpc.StatusCode
    reason: str  # an ErrorReason name, `TICKET_CLOSED`; empty when the answer had none
    message: str
    metadata: dict[str, str] = field(default_factory=dict)
    fields: tuple[FieldProblem, ...] = ()


def problem_of(error: grpc.RpcError) -> Problem:
    """What a failed call says; a malformed status detail still leaves the code."""
    code = error.code() if callable(getattr(error, "code", None)) else grpc.StatusCode.UNKNOWN
    message = error.details() if callable(getattr(error, "details", None)) else ""
    try:
        status = rpc_status.from_call(error)  # type: ignore[arg-type]
    except Exception:  # a status whose details do not parse
        status = None
    info, bad = error_details_pb2.ErrorInfo(), error_details_pb2.BadRequest()
    for detail in status.details if status else []:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            detail.Unpack(info)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            detail.Unpack(bad)
    metadata = dict(info.metadata)
    fields = tuple(FieldProblem(v.field, v.reason, v.description, _params(v.field, metadata))
                   for v in bad.field_violations)
    return Problem(code, info.reason, message or "", metadata, fields)


def _params(path: str, metadata: dict[str, str]) -> dict[str, str]:
    prefix = f"{path}."
    return {k[len(prefix):]: v for k, v in metadata.items()
            if k.startswith(prefix) and "." not in k[len(prefix):]}


def error_details(error: grpc.RpcError) -> tuple[str, list[tuple[str, str]]]:
    """(ErrorInfo reason, [(field, description)]) of a failed call (tests, tools)."""
    problem = problem_of(error)
    return problem.reason, [(f.field, f.description) for f in problem.fields]
