"""`ticketdesk users|orgs|tokens`, run as the operator runs them: real processes
against a real auth database and a real auth server."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import grpc

from services.auth.server import build
from services.common.platform.config import Settings
from services.common.server.serve import start_server
from ticketdesk.auth.v1 import auth_pb2, auth_pb2_grpc

TICKETDESK = str(Path(sys.executable).parent / "ticketdesk")


async def ticketdesk(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith("TICKETDESK_") and k != "PYTEST_CURRENT_TEST"}
    process = await asyncio.create_subprocess_exec(
        TICKETDESK, *args, env={**environment, "COLUMNS": "250", **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, out.decode(), err.decode()


def stack_env(stack, token: str = "") -> dict[str, str]:
    settings = stack.settings
    env = {"TICKETDESK_DATA_DIR": str(settings.data_dir),
           "TICKETDESK_AUTH_DATABASE_URL": settings.database_url("auth"),
           "TICKETDESK_AUTH_ADDRESS": settings.auth_target}
    return {**env, "TICKETDESK_API_TOKEN": token} if token else env


async def login(target: str, email: str, password: str) -> grpc.StatusCode:
    async with grpc.aio.insecure_channel(target) as channel:
        try:
            await auth_pb2_grpc.AuthServiceStub(channel).Login(
                auth_pb2.LoginRequest(email=email, password=password))
        except grpc.aio.AioRpcError as error:
            return error.code()
    return grpc.StatusCode.OK


async def test_create_manager_bootstraps_an_empty_system(tmp_path):
    env = {"TICKETDESK_DATA_DIR": str(tmp_path)}
    code, out, err = await ticketdesk("users", "create-manager", "--email", "Boss@Studio.test",
                                      "--name", "Главный Менеджер", env=env)
    assert code == 0, err
    password = re.search(r"password \(shown once.*\): (\S+)", out).group(1)
    code, out, err = await ticketdesk("users", "create-manager", "--email", "boss@studio.test",
                                      "--name", "Другой", "--password", "another passphrase",
                                      env=env)
    assert (code, out, err) == (1, "", "error: a user with e-mail boss@studio.test "
                                       "already exists\n")
    settings = Settings(data_dir=tmp_path, service_token="s", reflection=False)
    running = await start_server(await build(settings), settings, port=0, host="127.0.0.1")
    try:
        assert await login(f"127.0.0.1:{running.port}", "boss@studio.test",
                           password) == grpc.StatusCode.OK
    finally:
        await running.stop(grace=1)


async def test_a_given_password_is_checked_and_not_printed(tmp_path):
    env = {"TICKETDESK_DATA_DIR": str(tmp_path)}
    code, _, err = await ticketdesk("users", "create-manager", "--email", "a@studio.test",
                                    "--name", "A", "--password", "12345678", env=env)
    assert (code, err) == (1, "error: password is too common; choose another\n")
    code, out, _ = await ticketdesk("users", "create-manager", "--email", "a@studio.test",
                                    "--name", "A", "--password", "a fine passphrase", env=env)
    assert code == 0 and "a fine passphrase" not in out


async def test_accounts_and_organizations_over_grpc_with_a_manager_token(stack):
    code, out, err = await ticketdesk("tokens", "create", "--name", "ops", "--role", "manager",
                                      env=stack_env(stack))
    assert code == 0, err
    token = out.strip().splitlines()[-1]
    env = stack_env(stack, token)

    code, out, err = await ticketdesk("orgs", "create", "--name", "ООО Тест CLI", env=env)
    assert code == 0, err
    org = re.search(r"\((organizations/\w+)\)", out).group(1)
    code, out, _ = await ticketdesk("orgs", "list", env=env)
    assert code == 0 and org in out and "ООО Тест CLI" in out

    email = f"cli-{os.getpid()}-{id(stack)}@client.test"
    code, out, err = await ticketdesk("users", "create", "--email", email, "--name", "Клиент",
                                      "--role", "client", "--organization", org, env=env)
    assert code == 0, err
    code, out, _ = await ticketdesk("users", "list", "--organization", org, env=env)
    assert code == 0 and email in out and "client" in out

    code, out, err = await ticketdesk("users", "reset-password", email, env=env)
    assert code == 0, err
    password = out.strip().split()[-1]
    assert await login(stack.settings.auth_target, email, password) == grpc.StatusCode.OK

    code, out, err = await ticketdesk("users", "deactivate", email, env=env)
    assert code == 0 and "deactivated" in out, err
    assert await login(stack.settings.auth_target, email,
                       password) == grpc.StatusCode.UNAUTHENTICATED

    code, out, err = await ticketdesk("orgs", "deactivate", org, env=env)
    assert code == 0, err
    code, out, _ = await ticketdesk("orgs", "list", env=env)
    assert org not in out
    code, out, _ = await ticketdesk("orgs", "list", "--all", env=env)
    assert org in out


async def test_account_commands_need_a_manager_token(stack):
    code, _, err = await ticketdesk("users", "list", env=stack_env(stack))
    assert code == 2 and "TICKETDESK_API_TOKEN" in err
    code, _, err = await ticketdesk("orgs", "list", "--token", "forged", env=stack_env(stack))
    assert code == 1 and err.startswith("error: ") and "unauthenticated" in err
    code, out, _ = await ticketdesk("tokens", "create", "--name", "dev", "--role", "developer",
                                    env=stack_env(stack))
    developer = out.strip().splitlines()[-1]
    code, _, err = await ticketdesk("users", "create", "--email", "x@y.test", "--name", "X",
                                    "--role", "manager", "--token", developer,
                                    env=stack_env(stack))
    assert code == 1 and "permission_denied" in err
    assert len(err.strip().splitlines()) == 1
