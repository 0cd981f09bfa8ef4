"""The process's channels to the three services, shared by every account's clients.

The UI's start-up hook calls `open_channels` and its shut-down hook `close_channels`
(registering them is the app's business, not this layer's). A channel belongs to the
event loop that opened it, so `shared()` also opens them on first use when no hook ran
(a test, a script).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.common.client.channels import Clients
from services.common.platform.config import Settings


@dataclass
class _State:
    settings: Settings = field(default_factory=Settings)
    clients: Clients | None = None


_state = _State()


def configure(settings: Settings) -> None:
    """Where the services are; takes effect when the channels are (re)opened."""
    _state.settings = settings


def settings() -> Settings:
    return _state.settings


def open_channels() -> Clients:
    if _state.clients is None:
        _state.clients = Clients.from_settings(_state.settings)
    return _state.clients


async def close_channels() -> None:
    if _state.clients is not None:
        clients, _state.clients = _state.clients, None
        await clients.close()


def shared() -> Clients:
    """The stubs on the shared channels."""
    return open_channels()
