"""Running the app under uvicorn with a graceful drain on SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from collections.abc import Callable
from types import FrameType

import uvicorn
from starlette.applications import Starlette

from server.lifecycle import Lifecycle
from server.limits import ConnectionLimits
from server.logs import configure_logging
from server.protocols import http_protocol
from server.settings import Settings
from server.ws_protocol import WebSocketProtocol

log = logging.getLogger("v7.server")

MAX_FRAME_BYTES = 64 * 1024
WS_PING_INTERVAL_SECONDS = 20.0
"""The server pings every WebSocket this often, so an idle socket carries traffic: a proxy's
idle timeout (the ALB's `idleTimeoutSeconds`) must exceed it with margin."""
WS_PING_TIMEOUT_SECONDS = 20.0
"""A socket whose pong is this late is closed as dead."""
STARTUP_FAILURE = 3
"""`v7 serve`'s exit status when the app fails to start (uvicorn's own `uvicorn.run` uses 3)."""
WORKER_HEADER = "X-V7-Worker"
"""Every response and WebSocket handshake of `v7 serve` names the process that answered (its
pid): with `--workers N` it tells which worker a request or a socket landed on."""


class DrainingServer(uvicorn.Server):
    """uvicorn closes WebSockets with 1012 the moment it exits. We first drain: the app stops
    taking sockets, running turns get `drain_seconds` to finish, sockets close with 1001, and
    only then does uvicorn shut down. A second signal exits at once."""

    def __init__(
        self,
        config: uvicorn.Config,
        lifecycle: Lifecycle,
        window: float,
        on_started: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(config)
        self._lifecycle = lifecycle
        self._window = window
        self._on_started = on_started
        self._loop: asyncio.AbstractEventLoop | None = None
        self._drain_task: asyncio.Task[None] | None = None

    async def startup(self, sockets: list[object] | None = None) -> None:  # type: ignore[override]
        self._loop = asyncio.get_running_loop()
        await super().startup(sockets)  # type: ignore[arg-type]
        if self.started and self._on_started is not None:
            self._on_started()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self._loop is None or self._drain_task is not None or sig not in HANDLED:
            super().handle_exit(sig, frame)
            return
        self._loop.call_soon_threadsafe(self._start_drain)

    def _start_drain(self) -> None:
        async def drain_then_exit() -> None:
            await self._lifecycle.drain(self._window)
            self.should_exit = True

        self._drain_task = asyncio.ensure_future(drain_then_exit())


HANDLED = (signal.SIGTERM, signal.SIGINT)


def uvicorn_config(app: Starlette, settings: Settings) -> uvicorn.Config:
    """The one uvicorn configuration: `v7 serve` and the tests' live servers both use it. The
    protocols are uvicorn's with the connection limits of `server.limits`
    (`server.protocols`)."""
    return uvicorn.Config(
        app,
        headers=[(WORKER_HEADER, str(os.getpid()))],
        host=settings.host,
        port=settings.port,
        http=http_protocol(ConnectionLimits.of(settings)),
        ws=WebSocketProtocol,
        ws_max_size=MAX_FRAME_BYTES,
        ws_per_message_deflate=False,
        ws_ping_interval=WS_PING_INTERVAL_SECONDS,
        ws_ping_timeout=WS_PING_TIMEOUT_SECONDS,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=5,
        lifespan="on",
    )


def serve(app: Starlette, settings: Settings) -> None:
    """`v7 serve` as one process: uvicorn binds `settings.host:port` itself."""
    configure_logging(settings.log_level)
    run_server(app, settings)


def run_server(
    app: Starlette,
    settings: Settings,
    sockets: list[socket.socket] | None = None,
    on_started: Callable[[], None] | None = None,
) -> None:
    """Serve `app` until a signal drains it (`DrainingServer`), on `sockets` when given (a
    worker of `server.workers`) or else on `settings.host:port`; `on_started` runs once it
    listens. Raises `SystemExit(STARTUP_FAILURE)` if the app failed to start."""
    lifecycle: Lifecycle = app.state.lifecycle
    config = uvicorn_config(app, settings)
    server = DrainingServer(config, lifecycle, settings.drain_seconds, on_started)
    server.run(sockets)
    if not server.started:
        # The lifespan failed (uvicorn logged why): exit non-zero, as `uvicorn.run` would.
        raise SystemExit(STARTUP_FAILURE)
