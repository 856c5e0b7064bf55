"""`v7 serve --workers N`: N server processes on one port, under one supervising parent.

The parent serves nothing itself. It
* binds one socket per worker, all with `SO_REUSEPORT` on the same port; each worker starts
  listening on its own when it serves, and the kernel spreads new connections over the
  listening ones by address hash, so no connection waits for a worker still starting. The
  parent keeps its copy of each: connections that arrive while a worker restarts wait in that
  worker's queue instead of being refused;
* with `V7_REDIS_URL=embedded://` starts the one embedded `redis-server`
  (`server.embedded_redis`) and hands every worker its unix socket as `V7_REDIS_URL`, so all of
  them share one Redis: quotas, rate limits, the fan-out between tabs, the stream buffer and the
  job locks hold across the workers as they do across ECS tasks;
* starts the first worker alone and waits until it serves (it creates the SQLite file, the
  local signing key and, with `--demo`, the demo climber), then the others;
* forwards SIGTERM/SIGINT to every worker, which drains (`server.run.DrainingServer`), waits
  for them, stops the embedded Redis last (after the workers settled their quotas) and exits 0
  if every worker exited 0, else 1. A second signal is forwarded too: the workers then stop at
  once. A worker still running `drain_seconds + KILL_AFTER_DRAIN_S` after the first signal is
  killed.

A worker that exits while the server runs (a crash, the kernel's OOM killer) is logged and
started again, after a backoff that doubles from `RESTART_FIRST_S` up to `RESTART_MAX_S`. A
worker that exits before it ever served (bad settings, the store unreachable at start, a bug on
the start path) stops the whole server with `STARTUP_FAILURE`: restarting it would only repeat
the failure.

Workers are started with multiprocessing's "spawn" (a fresh interpreter; nothing of the
parent's event loop or threads is inherited), each in its own process group so a terminal's
Ctrl-C reaches the parent alone (it forwards it once), and on Linux each gets SIGTERM when the
parent dies. Every log line of a worker carries `"worker": PID`; every response carries the
answering process's pid in `X-V7-Worker` (`server.run.WORKER_HEADER`).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import sys
from contextlib import AsyncExitStack
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from urllib.parse import quote, urlsplit

from server.logs import configure_logging
from server.run import STARTUP_FAILURE
from server.settings import Settings

log = logging.getLogger("v7.workers")

RESTART_FIRST_S = 0.5
RESTART_MAX_S = 10.0
STABLE_AFTER_S = 60.0
"""A worker that served this long before it died restarts after `RESTART_FIRST_S` again."""
KILL_AFTER_DRAIN_S = 10.0
"""Beyond the drain window: uvicorn's own graceful shutdown (5 s) and a margin."""
_PR_SET_PDEATHSIG = 1


def bound_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """`count` sockets bound to `host:port`, sharing it through `SO_REUSEPORT`, not yet
    listening (a worker's server listens when it starts). With port 0 the first gets a free
    port and the others join it. Raises `OSError` (the port is taken)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind(address)
            address = sock.getsockname()
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def embedded_redis_url(socket_path: os.PathLike[str] | str) -> str:
    """The `unix://` URL of the parent's embedded redis-server, as a worker's V7_REDIS_URL."""
    return "unix://" + quote(os.fspath(socket_path))


def check_before_workers(settings: Settings) -> None:
    """What `create_app` checks before anything starts (the tier file, every backend URL), run
    once in the parent: a bad setting stops `v7 serve` with one clear line (`ValueError`), not
    once per worker."""
    from quotas import load_policy
    from server.backends import check_backend_urls

    check_backend_urls(settings, load_policy(settings.tiers_file))


def serve_workers(settings: Settings, *, demo: bool = False) -> int:
    """Run `settings.workers` server processes (module doc) until a signal; the exit status."""
    configure_logging(settings.log_level)
    return asyncio.run(_Supervisor(settings, demo).run())


class _WorkerTag(logging.Filter):
    """Puts `"worker": PID` on every log line of a worker process."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.worker = os.getpid()
        return True


def _worker_main(settings: Settings, sock: socket.socket, demo: bool, ready: Connection) -> None:
    """A worker: the app under uvicorn on the inherited `sock`; says "ready" on `ready` once it
    serves. Exits `STARTUP_FAILURE` if the app cannot start."""
    os.setpgid(0, 0)  # a terminal's Ctrl-C goes to the parent, which forwards it once
    _die_with_parent()
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        raise SystemExit(1)  # the parent died before we asked to die with it
    configure_logging(settings.log_level)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_WorkerTag())
    from server.app import create_app
    from server.run import run_server

    try:
        app = create_app(settings, demo=demo)
    except Exception:
        log.exception("worker failed to start")
        raise SystemExit(STARTUP_FAILURE) from None
    try:
        run_server(app, settings, [sock], on_started=lambda: ready.send(True))
    finally:
        ready.close()


def _die_with_parent() -> None:
    """Linux: SIGTERM this process when the parent dies, so no worker outlives it."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class _Worker:
    """One running worker process, as the parent's event loop sees it."""

    def __init__(self, process: BaseProcess, ready: Connection) -> None:
        loop = asyncio.get_running_loop()
        self.process = process
        self._loop = loop
        self._ready_pipe = ready
        self.ready: asyncio.Future[bool] = loop.create_future()
        """True once the worker serves; False if it exited first."""
        self.exited: asyncio.Future[int] = loop.create_future()
        """The exit status (negative: killed by that signal)."""
        loop.add_reader(process.sentinel, self._on_exit)
        loop.add_reader(ready.fileno(), self._on_ready)

    @property
    def pid(self) -> int:
        return self.process.pid or 0

    def signal(self, sig: int) -> None:
        if not self.exited.done():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def _on_ready(self) -> None:
        try:
            self._ready_pipe.recv()
        except (EOFError, OSError):
            self._close_pipe()  # exited without serving: `_on_exit` tells
            return
        self._close_pipe()
        if not self.ready.done():
            self.ready.set_result(True)

    def _on_exit(self) -> None:
        self._loop.remove_reader(self.process.sentinel)
        self.process.join()  # reaps it: the sentinel says it has exited
        self._close_pipe()
        if not self.ready.done():
            self.ready.set_result(False)
        self.exited.set_result(self.process.exitcode or 0)

    def _close_pipe(self) -> None:
        if not self._ready_pipe.closed:
            self._loop.remove_reader(self._ready_pipe.fileno())
            self._ready_pipe.close()


class _Supervisor:
    def __init__(self, settings: Settings, demo: bool) -> None:
        self._settings = settings
        self._demo = demo
        self._context = multiprocessing.get_context("spawn")
        self._workers: dict[int, _Worker] = {}
        self._sockets: list[socket.socket] = []
        self._stop = asyncio.Event()
        self._signals = 0
        self._failed = False
        self._first_serves = asyncio.Event()
        self._serving: set[int] = set()
        self._all_logged = False

    async def run(self) -> int:
        settings = self._settings
        self._sockets = bound_sockets(settings.host, settings.port, settings.workers)
        port = self._sockets[0].getsockname()[1]
        # The real port (0 picks one): the default WebSocket origins name it.
        settings = settings.model_copy(update={"port": port})
        async with AsyncExitStack() as stack:
            stack.callback(self._close_sockets)
            if urlsplit(settings.redis_url).scheme == "embedded":
                from server.embedded_redis import EmbeddedRedis

                redis = await stack.enter_async_context(EmbeddedRedis(settings.data_dir))
                settings = settings.model_copy(
                    update={"redis_url": embedded_redis_url(redis.socket_path)}
                )
            self._settings = settings
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, self._on_signal, sig)
                stack.callback(loop.remove_signal_handler, sig)
            log.info(
                "starting workers",
                extra={"workers": settings.workers, "host": settings.host, "port": port},
            )
            codes = await self._run_slots(settings.workers)
        if self._failed:
            return STARTUP_FAILURE
        return 0 if all(code == 0 for code in codes) else 1

    async def _run_slots(self, count: int) -> list[int]:
        """Run `count` worker slots, the first alone until it serves; their last statuses."""
        first = asyncio.create_task(self._keep(0))
        serving = asyncio.create_task(self._first_serves.wait())
        await asyncio.wait([first, serving], return_when=asyncio.FIRST_COMPLETED)
        serving.cancel()
        rest = [asyncio.create_task(self._keep(index)) for index in range(1, count)]
        return list(await asyncio.gather(first, *rest))

    async def _keep(self, index: int) -> int:
        """Keep worker `index` running until the server stops; its last exit status."""
        loop = asyncio.get_running_loop()
        backoff = RESTART_FIRST_S
        code = 0
        while not self._stop.is_set():
            worker = self._spawn(index)
            started = loop.time()
            if not await worker.ready:
                code = await worker.exited
                if self._stop.is_set():
                    # Stopped while it started (the signal may come before it can drain): it
                    # never took a connection, so there was nothing to drain.
                    log.info("worker stopped before it served", extra={"worker": worker.pid})
                    return 0
                log.error(
                    "worker exited before it served; stopping the server",
                    extra={"worker": worker.pid, "exitcode": code},
                )
                self._failed = True
                self._shut_down(signal.SIGTERM)
                return code
            self._on_serving(index, worker)
            code = await worker.exited
            if self._stop.is_set():
                return code
            if loop.time() - started > STABLE_AFTER_S:
                backoff = RESTART_FIRST_S
            log.error(
                "worker exited; restarting it",
                extra={"worker": worker.pid, "exitcode": code, "backoff_s": backoff},
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), backoff)
            backoff = min(backoff * 2, RESTART_MAX_S)
        return code

    def _on_serving(self, index: int, worker: _Worker) -> None:
        self._serving.add(index)
        log.info("worker serving", extra={"worker": worker.pid})
        if index == 0:
            self._first_serves.set()
        if len(self._serving) == self._settings.workers and not self._all_logged:
            self._all_logged = True
            log.info("all workers serving", extra={"workers": len(self._serving)})

    def _spawn(self, index: int) -> _Worker:
        reader, writer = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_worker_main,
            args=(self._settings, self._sockets[index], self._demo, writer),
            name=f"v7-worker-{index}",
        )
        process.start()
        writer.close()  # the worker holds the only writer: its exit ends the pipe
        worker = _Worker(process, reader)
        self._workers[index] = worker
        log.info("worker started", extra={"worker": worker.pid})
        return worker

    def _on_signal(self, sig: int) -> None:
        self._signals += 1
        if self._signals == 1:
            log.info("stopping workers", extra={"signal": signal.Signals(sig).name})
        self._shut_down(sig)

    def _shut_down(self, sig: int) -> None:
        """Forward `sig` to every worker; the first time, also stop taking connections and
        arm the kill timer."""
        first = not self._stop.is_set()
        self._stop.set()
        for worker in self._workers.values():
            worker.signal(sig)
        if first:
            # The workers hold their own copies: the port closes when the last one exits.
            self._close_sockets()
            deadline = self._settings.drain_seconds + KILL_AFTER_DRAIN_S
            asyncio.get_running_loop().call_later(deadline, self._kill_stragglers)

    def _kill_stragglers(self) -> None:
        for worker in self._workers.values():
            if not worker.exited.done():
                log.error("worker did not stop in time; killing it", extra={"worker": worker.pid})
                worker.signal(signal.SIGKILL)

    def _close_sockets(self) -> None:
        for sock in self._sockets:
            sock.close()
