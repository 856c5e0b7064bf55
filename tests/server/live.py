"""A real server on loopback for protocol tests: the app under uvicorn, with the same uvicorn
configuration as `v7 serve`, in a thread with its own event loop."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from core.clock import Clock, system_clock
from server.app import create_app
from server.auth.limits import AuthLimits, Rate
from server.run import uvicorn_config
from server.settings import Settings
from store import init_table
from tests.conftest import store_url

ORIGIN = "http://127.0.0.1:8000"
_ROOMY = Rate(count=100_000, seconds=60)
ONE_ADDRESS_LIMITS = AuthLimits(
    sign_in_per_ip=_ROOMY,
    sign_up_per_ip=_ROOMY,
    reset_codes_per_ip=_ROOMY,
    code_tries_per_ip=_ROOMY,
    confirm_tries_per_ip=_ROOMY,
    confirm_codes_per_ip=_ROOMY,
    mfa_tries_per_ip=_ROOMY,
    refresh_per_ip=_ROOMY,
)
"""The `/auth/*` limits of test servers: every test client comes from 127.0.0.1, so the limits
per client address are lifted (a module signs up dozens of climbers); the limits per account
and on argon2 are production's. Tests of the address limits pass their own."""


@dataclass
class LiveServer:
    url: str
    ws_url: str
    settings: Settings
    server: uvicorn.Server
    clock: Clock
    """The server's one clock: what a test reads to know the server's "now" and "today"."""


@contextmanager
def live_server(
    data_dir: Path, *, demo: bool = False, clock: Clock = system_clock, **overrides: object
) -> Iterator[LiveServer]:
    settings = Settings(
        data_dir=data_dir,
        port=0,
        allowed_origins=[ORIGIN],
        **{"auth_limits": ONE_ADDRESS_LIMITS, **overrides},  # type: ignore[arg-type]
    )
    app = create_app(settings, demo=demo, clock=clock)
    with serving(uvicorn_config(app, settings)) as (server, port):
        yield LiveServer(
            f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws", settings, server, clock
        )


@contextmanager
def serving(config: uvicorn.Config) -> Iterator[tuple[uvicorn.Server, int]]:
    """A uvicorn server of `config` (port 0: a free one) on its own thread and event loop,
    started before this yields it and its port; stopped on exit."""
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield server, server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@contextmanager
def live_server_on(
    engine: str, data_dir: Path, moto_endpoint: str, *, clock: Clock = system_clock
) -> Iterator[LiveServer]:
    """`live_server` on the store `engine` names ("sqlite" or "dynamodb": a fresh table in the
    moto server at `moto_endpoint`, created as `v7 store init` does)."""
    url = store_url(engine, data_dir, moto_endpoint)
    asyncio.run(init_table(url, data_dir=data_dir))
    with live_server(data_dir, clock=clock, store_url=url) as live:
        yield live
