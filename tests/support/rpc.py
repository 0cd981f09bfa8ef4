"""Small helpers for asserting on gRPC calls."""

from __future__ import annotations

from collections.abc import Awaitable

import grpc

from services.common.client.errors import error_details, problem_of


async def rpc_error(call: Awaitable, code: grpc.StatusCode | None = None) -> grpc.aio.AioRpcError:
    """The error a call ends with; fails when it succeeds or ends with another code."""
    try:
        await call
    except grpc.aio.AioRpcError as error:
        if code is not None:
            assert error.code() == code, (error.code(), error.details())
        return error
    raise AssertionError("the call succeeded")


def reason(error: grpc.aio.AioRpcError) -> str:
    return error_details(error)[0]


def violations(error: grpc.aio.AioRpcError) -> list[tuple[str, str]]:
    return error_details(error)[1]


def field_reasons(error: grpc.aio.AioRpcError) -> list[tuple[str, str]]:
    """(field path, FieldReason name) of each violation: what callers choose words by."""
    return [(f.field, f.reason) for f in problem_of(error).fields]


def field_params(error: grpc.aio.AioRpcError, path: str) -> dict[str, str]:
    """The parameters (`maxLength`...) the error gives for the violation of `path`."""
    return next(f.params for f in problem_of(error).fields if f.field == path)
