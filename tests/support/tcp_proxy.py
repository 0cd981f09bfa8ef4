"""A TCP proxy whose link can be cut and restored: a network outage between a service
and its database, on demand.

It runs its own event loop in a thread, so blocking test code and any pytest event
loop can drive it alike. `cut()` aborts every open connection (both ends see a reset)
and stops listening, so new connections are refused; `restore()` listens again on the
same port.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from concurrent.futures import Future

CHUNK = 64 * 1024


class TcpProxy:
    def __init__(self, upstream_host: str, upstream_port: int, host: str = "127.0.0.1"):
        self.upstream = (upstream_host, upstream_port)
        self.host = host
        self.port = 0
        self.connections_cut = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="tcp-proxy",
                                        daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()

    # --- driven from any thread ------------------------------------------------------

    def start(self) -> TcpProxy:
        self._thread.start()
        self._run(self._listen())
        return self

    def cut(self) -> int:
        """Refuse new connections and reset the open ones; returns how many were open."""
        return self._run(self._cut())

    def restore(self) -> None:
        self._run(self._listen())

    @property
    def is_cut(self) -> bool:
        return self._server is None

    def close(self) -> None:
        if self._thread.is_alive():
            self._run(self._cut())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)

    def _run(self, coroutine):
        future: Future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout=10)

    # --- inside the proxy's loop -----------------------------------------------------

    async def _listen(self) -> None:
        if self._server is not None:
            return
        # The same port every time: the services' DATABASE_URLs name it.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        self._server = await asyncio.start_server(self._serve, sock=sock)

    async def _cut(self) -> int:
        if self._server is not None:
            self._server.close()
            self._server = None
        links = list(self._links)
        for writer in links:
            _reset(writer)
        self._links.clear()
        self.connections_cut += len(links) // 2
        return len(links) // 2

    async def _serve(self, client_reader: asyncio.StreamReader,
                     client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            _reset(client_writer)
            return
        if self._server is None:  # cut while connecting
            _reset(client_writer)
            _reset(upstream_writer)
            return
        self._links.update((client_writer, upstream_writer))
        await asyncio.gather(_pipe(client_reader, upstream_writer),
                             _pipe(upstream_reader, client_writer))
        self._links.difference_update((client_writer, upstream_writer))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(CHUNK):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        _reset(writer)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close at once; an abort sends a reset instead of a polite FIN."""
    transport = writer.transport
    if not transport.is_closing():
        transport.abort()
