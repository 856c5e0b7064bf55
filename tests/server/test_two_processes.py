"""The cross-process promises, held by two real `v7 serve` processes (the Dockerfile's command)
sharing one redis-server over TCP and one store, as two ECS tasks share ElastiCache and DynamoDB:
a `stop` sent to the other process ends the stream within a second, a `say` retried on the other
process executes once, and a reply dropped at seq 2 is resumed a second later on the other
process through to its end. (tests/server/test_turns_across_processes.py covers the rest of
these rules on two servers in one test process.)"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

from tests.redis_servers import TcpRedis
from tests.server.pair import assert_nothing_more, receive, say
from tests.server.test_process import PASSWORD, dockerfile_command, free_port
from tests.server.test_turns_across_processes import (
    MODEL,
    REPLY,
    delta_seqs,
    frames_through_end,
    text_of,
)

ORIGIN = "http://127.0.0.1:8000"
Headers = dict[str, str]


@dataclass(frozen=True)
class Served:
    url: str

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/ws"


@dataclass(frozen=True)
class Processes:
    a: Served
    b: Served


def _serve(data_dir: Path, redis_url: str, log: Path, stack: ExitStack) -> Served:
    port = free_port()
    env = {
        **os.environ,
        "V7_DATA_DIR": str(data_dir),
        "V7_REDIS_URL": redis_url,
        "V7_MODEL": MODEL,
        "V7_ALLOWED_ORIGINS": ORIGIN,
        "V7_WORKERS": "1",  # two servers of one process each: the fan-out between them is tested
    }
    out = stack.enter_context(log.open("wb"))
    proc = subprocess.Popen(dockerfile_command(port), env=env, stdout=out, stderr=out)

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()

    stack.callback(stop)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return Served(url)
        except httpx.HTTPError:
            pass
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


@pytest.fixture(scope="module")
def processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Processes]:
    directory = Path(tmp_path_factory.mktemp("two-processes"))
    redis = TcpRedis(free_port(), directory / "redis")
    redis.directory.mkdir()
    redis.start()
    with ExitStack() as stack:
        stack.callback(redis.kill)
        # One after the other: the first creates the store and the local signing key.
        a = _serve(directory / "data", redis.url, directory / "a.log", stack)
        b = _serve(directory / "data", redis.url, directory / "b.log", stack)
        yield Processes(a, b)


async def sign_up(server: Served, name: str) -> Headers:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        response = await http.post(
            "/auth/signup",
            json={"email": f"{name}-{time.time_ns()}@example.com", "password": PASSWORD},
        )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['tokens']['accessToken']}"}


@asynccontextmanager
async def chat(server: Served, headers: Headers) -> AsyncIterator[ClientConnection]:
    async with connect(
        server.ws_url,
        subprotocols=[Subprotocol("v7.chat.v1")],
        origin=Origin(ORIGIN),
        additional_headers=headers,
        open_timeout=10,
    ) as socket:
        assert (await receive(socket, 10))["type"] == "ready"
        yield socket


async def test_a_stop_sent_to_the_other_process_ends_the_stream_within_a_second(
    processes: Processes,
) -> None:
    alice = await sign_up(processes.a, "alice")
    async with chat(processes.a, alice) as asker, chat(processes.b, alice) as tab:
        await say(asker, "q1", "how should I train this week?")
        start = await receive(tab)
        assert start["type"] == "stream.start"
        assert (await receive(tab))["type"] == "stream.delta"
        asked = time.monotonic()
        await tab.send(json.dumps({"type": "stop", "stream": start["stream"]}))
        while (frame := await receive(tab))["type"] != "stream.end":
            assert frame["type"] == "stream.delta"
        took = time.monotonic() - asked
        assert frame["reason"] == "stopped"
        assert took < 1.0
        assert (await frames_through_end(asker))[-1]["reason"] == "stopped"


async def test_a_say_retried_on_the_other_process_executes_once(processes: Processes) -> None:
    alice = await sign_up(processes.a, "alice")
    log = {"type": "say", "id": "r1", "text": "/log gym 75min rpe 6"}
    async with chat(processes.a, alice) as first:
        await first.send(json.dumps(log))
        saved = await receive(first)
        assert saved["type"] == "saved"
    async with chat(processes.b, alice) as retry:
        await retry.send(json.dumps(log))
        assert await receive(retry) == saved
        await assert_nothing_more(retry)
    async with httpx.AsyncClient(base_url=processes.b.url, timeout=10) as http:
        journal = (await http.get("/journal/entries", headers=alice)).json()["items"]
    assert [entry["id"] for entry in journal] == [saved["item"]["id"]]


async def test_a_reply_dropped_at_seq_2_is_resumed_on_the_other_process_to_its_end(
    processes: Processes,
) -> None:
    alice = await sign_up(processes.a, "alice")
    async with chat(processes.a, alice) as phone:
        await say(phone, "q1", "how should I train this week?")
        start = await receive(phone)
        before = [await receive(phone), await receive(phone)]
        assert [f["seq"] for f in before] == [1, 2]
    await asyncio.sleep(1.0)
    async with chat(processes.b, alice) as back:
        await back.send(json.dumps({"type": "resume", "stream": start["stream"], "after": 2}))
        rest = await frames_through_end(back)
    assert rest[-1]["type"] == "stream.end"
    assert rest[-1]["reason"] == "end"
    assert delta_seqs(rest) == list(range(3, rest[-1]["seq"] + 1))  # every remaining delta
    assert text_of(before + rest) == REPLY
    async with httpx.AsyncClient(base_url=processes.a.url, timeout=10) as http:
        items = (await http.get("/chat/history", headers=alice)).json()["items"]
    reply = next(item for item in items if item["role"] == "assistant")
    assert reply["content"] == REPLY
    assert reply["partial"] is False
