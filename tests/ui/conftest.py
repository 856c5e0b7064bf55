"""Fixtures for the browser tests: a live server whose own origin is allowed to open the
WebSocket, and Debian's Chromium driven by Playwright.

The origin must be in `allowed_origins` before the server starts, so the listening socket is
bound first (port 0, then read back) and handed to uvicorn: no window in which another process
could take the port.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import Browser, async_playwright, expect

from core.clock import Clock, system_clock
from server.app import create_app
from server.run import uvicorn_config
from server.settings import Settings
from store import open_table
from store.records.user import Subscription, Tier
from store.repos.users import UserRepo
from tests.server.live import ONE_ADDRESS_LIMITS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Sign-up hashes a password with a memory-hard KDF; leave room for a loaded 2-core machine.
expect.set_options(timeout=10_000)

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


@dataclass
class UiServer:
    url: str
    data_dir: Path
    listener: socket.socket
    server: uvicorn.Server
    thread: threading.Thread
    clock: Clock
    """The server's clock (the browser keeps its own: both are the machine's wall clock unless
    a test gives the server a fixed one)."""

    async def set_tier(self, email: str, tier: Tier) -> None:
        """Move the climber to `tier` in the server's store, as billing or `v7 users
        set-tier` would."""
        async with open_table(
            f"sqlite:///{self.data_dir / 'v7.db'}", data_dir=self.data_dir, clock=self.clock
        ) as table:
            user = await UserRepo(table).find_by_email(email)
            assert user is not None
            await UserRepo(table).set_subscription(user.id, Subscription(tier=tier))


def bind_loopback(port: int = 0) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    return listener


def start_ui_server(
    data_dir: Path,
    listener: socket.socket,
    *,
    clock: Clock = system_clock,
    demo: bool = False,
    **overrides: object,
) -> UiServer:
    """Serve the app on `listener`, allowing its own origin, reading "now" from `clock`;
    `overrides` are further settings; `demo` seeds the demo climber (`v7 serve --demo`).
    Raises RuntimeError if the server does not start within 20 s (60 s with the demo)."""
    port = listener.getsockname()[1]
    origin = f"http://127.0.0.1:{port}"
    settings = Settings(
        data_dir=data_dir,
        port=port,
        allowed_origins=[origin],
        **{"auth_limits": ONE_ADDRESS_LIMITS, **overrides},  # type: ignore[arg-type]
    )
    # The machine's clock by default, as the browser's: the UI and the server must agree on
    # "today" (a test that fixes the server's clock fixes the page's too).
    app = create_app(settings, demo=demo, clock=clock)
    server = uvicorn.Server(uvicorn_config(app, settings))
    thread = threading.Thread(
        target=lambda: asyncio.run(server.serve(sockets=[listener])), daemon=True
    )
    thread.start()
    deadline = time.monotonic() + (60 if demo else 20)
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    return UiServer(origin, data_dir, listener, server, thread, clock)


def stop_ui_server(live: UiServer) -> None:
    live.server.should_exit = True
    live.thread.join(timeout=15)
    live.listener.close()


@contextmanager
def ui_server(
    data_dir: Path, *, clock: Clock = system_clock, demo: bool = False, **overrides: object
) -> Iterator[UiServer]:
    live = start_ui_server(data_dir, bind_loopback(), clock=clock, demo=demo, **overrides)
    try:
        yield live
    finally:
        stop_ui_server(live)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    """One live server (embedded SQLite, local auth) per test module."""
    with ui_server(Path(tmp_path_factory.mktemp("ui-server"))) as live:
        yield live


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Debian's Chromium (Playwright's own browser download is not used)."""
    if not CHROMIUM.exists():
        raise RuntimeError(
            f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` "
            "(make test does this)"
        )
    return CHROMIUM


@pytest.fixture(scope="module")
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go (kept with pytest's temporary directories for a look)."""
    return Path(tmp_path_factory.mktemp("screenshots"))
