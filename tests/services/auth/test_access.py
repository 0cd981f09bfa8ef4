"""Every RPC but Login needs a valid token."""

from __future__ import annotations

import grpc
import pytest

from ticketdesk.auth.v1 import auth_internal_pb2 as internal
from ticketdesk.auth.v1 import auth_pb2 as pb

SERVICE = pb.DESCRIPTOR.services_by_name["AuthService"]
INTERNAL = internal.DESCRIPTOR.services_by_name["AuthInternalService"]
METHODS = [*SERVICE.methods, *INTERNAL.methods]
GUARDED = [m for m in METHODS if m.name != "Login"]


def call(auth, method, metadata=()):
    module, stub = (internal, auth.internal) if method.containing_service is INTERNAL \
        else (pb, auth.stub)
    request_class = getattr(module, method.input_type.name)
    return getattr(stub, method.name)(request_class(), metadata=metadata)


@pytest.mark.parametrize("method", GUARDED, ids=lambda m: m.name)
async def test_rpc_without_a_valid_token_is_unauthenticated(auth, method):
    for metadata in ((), auth.as_("forged-token"), (("authorization", "Basic abc"),)):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await call(auth, method, metadata)
        assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED, method.name


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name)
async def test_every_rpc_is_implemented(auth, method):
    try:
        await call(auth, method, auth.service)
    except grpc.aio.AioRpcError as error:
        assert error.code() not in (grpc.StatusCode.UNIMPLEMENTED, grpc.StatusCode.UNKNOWN,
                                    grpc.StatusCode.INTERNAL), (method.name, error.details())
