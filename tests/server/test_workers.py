"""`v7 serve --workers 2` as a real process tree: one port answered by two worker processes,
one embedded redis-server for both, two tabs of one climber on different workers that see each
other's `saved` frames and streams through the Redis fan-out, a worker that dies started again,
and SIGTERM draining every worker before the server exits 0."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin, Subprotocol

from server.run import WORKER_HEADER
from tests.server.pair import receive, say
from tests.server.test_process import PASSWORD, free_port

WORDS = [f"w{n}" for n in range(1, 21)]
MODEL = f"scripted://?ttft_ms=20&tokens_per_s=200&tokens={len(WORDS)}&text={quote(' '.join(WORDS))}"


@dataclass
class Tree:
    """The `v7 serve --workers 2` parent, its address and its log."""

    url: str
    origin: str
    proc: subprocess.Popen[bytes]
    log_path: Path

    def logs(self) -> list[dict[str, object]]:
        lines = self.log_path.read_text().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def logged(self, message: str) -> list[dict[str, object]]:
        return [entry for entry in self.logs() if entry.get("msg") == message]


def children(pid: int) -> dict[int, str]:
    """The live child processes of `pid`, with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        # The parent pid is the second field after the command name, which may hold spaces.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found[int(entry.name)] = command
    return found


def running(pid: int) -> bool:
    """Whether `pid` is alive (not gone, not a zombie waiting to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def workers_of(tree: Tree) -> set[int]:
    return {pid for pid, command in children(tree.proc.pid).items() if "spawn_main" in command}


def wait_for(condition: str, tree: Tree, check: Callable[[], object], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert tree.proc.poll() is None, tree.log_path.read_text()
        assert time.monotonic() < deadline, f"{condition}:\n{tree.log_path.read_text()}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tree]:
    directory = Path(tmp_path_factory.mktemp("workers"))
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "V7_DATA_DIR": str(directory / "data"),
        "V7_ALLOWED_ORIGINS": origin,
        "V7_DRAIN_SECONDS": "3",
        "V7_MODEL": MODEL,
    }
    env.pop("V7_WORKERS", None)
    command = [str(Path(sys.executable).with_name("v7")), "serve", "--workers", "2"]
    log_path = directory / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [*command, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    served = Tree(origin, origin, proc, log_path)
    try:
        wait_for("both workers serve", served, lambda: served.logged("all workers serving"), 60)
        yield served
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def worker_answering(tree: Tree) -> int:
    """The pid of the worker that answers `/readyz` on a new connection."""
    response = httpx.get(f"{tree.url}/readyz", timeout=5, headers={"Connection": "close"})
    assert response.status_code == 200
    return int(response.headers[WORKER_HEADER])


async def sign_up(tree: Tree) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=tree.url, timeout=10) as http:
        response = await http.post(
            "/auth/signup",
            json={"email": f"tabs-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD},
        )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['tokens']['accessToken']}"}


async def tabs_on_two_workers(
    tree: Tree, headers: dict[str, str], stack: AsyncExitStack
) -> dict[int, ClientConnection]:
    """One open chat socket of the climber on each worker: sockets are opened (and the extra
    ones closed) until two different workers hold one."""
    tabs: dict[int, ClientConnection] = {}
    for _ in range(40):
        socket = await connect(
            tree.url.replace("http://", "ws://") + "/ws",
            subprotocols=[Subprotocol("v7.chat.v1")],
            origin=Origin(tree.origin),
            additional_headers=headers,
            open_timeout=10,
        )
        assert socket.response is not None
        worker = int(socket.response.headers[WORKER_HEADER])
        if worker in tabs:
            await socket.close()
            continue
        stack.push_async_callback(socket.close)
        assert (await receive(socket, 10))["type"] == "ready"
        tabs[worker] = socket
        if len(tabs) == 2:
            return tabs
    raise AssertionError("40 sockets all landed on one worker")


async def test_two_workers_answer_on_one_port_and_share_one_redis_server(tree: Tree) -> None:
    workers = workers_of(tree)
    assert len(workers) == 2
    answering: set[int] = set()
    for _ in range(40):
        answering.add(await asyncio.to_thread(worker_answering, tree))
        if answering == workers:
            break
    assert answering == workers
    redis = [pid for pid, command in children(tree.proc.pid).items() if "redis-server" in command]
    assert len(redis) == 1  # the parent's; no worker starts its own
    for worker in workers:
        assert not children(worker)
    served = {entry["worker"] for entry in tree.logged("worker serving")}
    assert served == workers  # every log line of a worker names it


async def test_two_tabs_on_different_workers_see_each_others_saved_frames_and_streams(
    tree: Tree,
) -> None:
    alice = await sign_up(tree)
    async with AsyncExitStack() as stack:
        (phone, laptop) = (await tabs_on_two_workers(tree, alice, stack)).values()
        await say(phone, "c1", "/log gym 60min rpe 6")
        saved = await receive(phone, 10)
        assert saved["type"] == "saved"
        assert (await receive(laptop, 10))["item"] == saved["item"]

        await say(laptop, "q1", "how should I train this week?")
        on_phone = [await receive(phone, 10)]
        while on_phone[-1]["type"] != "stream.end":
            on_phone.append(await receive(phone, 10))
        assert on_phone[0]["type"] == "stream.start"
        assert on_phone[-1]["reason"] == "end"
        text = "".join(f["text"] for f in on_phone if f["type"] == "stream.delta")
        assert text.split() == WORDS


async def test_a_worker_that_dies_is_started_again_and_serves(tree: Tree) -> None:
    before = workers_of(tree)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    wait_for("a new worker serves", tree, lambda: len(tree.logged("worker serving")) == 3)
    after = workers_of(tree)
    assert victim not in after
    assert len(after) == 2
    restarted = tree.logged("worker exited; restarting it")
    assert [(entry["worker"], entry["exitcode"]) for entry in restarted] == [(victim, -9)]
    answering: set[int] = set()
    for _ in range(40):
        answering.add(await asyncio.to_thread(worker_answering, tree))
        if answering == after:
            break
    assert answering == after


async def test_sigterm_drains_every_worker_and_exits_0(tree: Tree) -> None:
    alice = await sign_up(tree)
    workers = workers_of(tree)
    others = set(children(tree.proc.pid)) - workers  # redis-server, multiprocessing's helper
    async with AsyncExitStack() as stack:
        tabs = await tabs_on_two_workers(tree, alice, stack)
        tree.proc.send_signal(signal.SIGTERM)
        for socket in tabs.values():
            with pytest.raises(ConnectionClosed):
                async with asyncio.timeout(10):
                    while True:
                        await socket.recv()
            assert socket.close_code == 1001
    assert await asyncio.to_thread(tree.proc.wait, 20) == 0
    drained = {entry["worker"] for entry in tree.logged("drained")}
    assert drained == workers
    left = workers | others  # nothing of the tree stays running (the last may take a moment)
    deadline = time.monotonic() + 5
    while left := {pid for pid in left if running(pid)}:
        assert time.monotonic() < deadline, left
        await asyncio.sleep(0.05)


def test_a_worker_that_cannot_start_stops_the_server_with_status_3(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    env = {
        **os.environ,
        "V7_DATA_DIR": str(tmp_path / "data"),
        # The store's directory is a file: the first worker's start fails, as a store that
        # cannot be opened would.
        "V7_STORE_URL": f"sqlite:///{blocker}/v7.db",
    }
    command = [str(Path(sys.executable).with_name("v7")), "serve", "--workers", "2"]
    done = subprocess.run(
        [*command, "--port", str(free_port())], env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 3, done.stderr.decode()
    log = [json.loads(line) for line in done.stderr.decode().splitlines() if line.startswith("{")]
    messages = [entry["msg"] for entry in log]
    assert messages.count("worker started") == 1  # the others are never started
    assert "worker exited before it served; stopping the server" in messages
