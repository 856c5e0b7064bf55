"""Coaching turns are one truth across server processes, and survive a dropped socket.

Two live servers ("processes") share one real redis-server over TCP and one store; the model is
`scripted://` with a known reply of 80 distinct words at 40 a second (about 2 s), so a test
knows the whole reply and when it is mid-flight. The grace window after a drop is the default
(30 s) here, and 0.4 s on a second pair for the tests that watch it run out.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

from core.clock import system_clock
from store import open_table
from store.records.user import Tier
from store.repos.chat import ChatRepo
from store.repos.usage import UsageRepo
from store.repos.users import UserRepo
from tests.server.helpers import Headers, set_tier, sign_up
from tests.server.live import LiveServer
from tests.server.pair import (
    Frame,
    Pair,
    assert_nothing_more,
    chat,
    receive,
    say,
    server_pair,
    user_id_of,
)
from tests.server.test_process import PASSWORD, Process, dockerfile_command, free_port

WORDS = [f"w{n}" for n in range(1, 81)]
REPLY = " ".join(WORDS)
MODEL = f"scripted://?ttft_ms=20&tokens_per_s=40&tokens={len(WORDS)}&text={quote(REPLY)}"
QUESTION = "how should I train this week?"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    with server_pair(Path(tmp_path_factory.mktemp("turns")), model=MODEL) as servers:
        yield servers


@pytest.fixture(scope="module")
def brief(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """A pair whose replies wait only 0.4 s for a dropped climber to come back."""
    directory = Path(tmp_path_factory.mktemp("brief"))
    with server_pair(directory, model=MODEL, resume_grace_seconds=0.4) as servers:
        yield servers


async def frames_through_end(socket: ClientConnection, timeout: float = 10) -> list[Frame]:
    frames = [await receive(socket, timeout)]
    while frames[-1]["type"] not in ("stream.end", "error"):
        frames.append(await receive(socket, timeout))
    return frames


def text_of(frames: list[Frame]) -> str:
    """The reply's text as a client places it: deltas by seq, a repeated seq once."""
    deltas = {f["seq"]: f["text"] for f in frames if f["type"] == "stream.delta"}
    return "".join(deltas[seq] for seq in sorted(deltas))


def delta_seqs(frames: list[Frame]) -> list[int]:
    """The seqs of the deltas among `frames`, each once, in order. A resumed socket may get a
    delta twice: live before its `resume` was read, and again from the replay."""
    return sorted({f["seq"] for f in frames if f["type"] == "stream.delta"})


async def newest_reply(server: LiveServer, headers: Headers) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        items = (await http.get("/chat/history", headers=headers)).json()["items"]
    replies = [item for item in items if item["role"] == "assistant"]
    assert replies, items
    newest: dict[str, Any] = replies[0]
    return newest


async def ai_messages_used(server: LiveServer, headers: Headers) -> int:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        profile = (await http.get("/users/profile", headers=headers)).json()
    used: int = profile["usage"]["ai_messages"]["used"]
    return used


async def test_a_stop_sent_on_the_other_process_ends_the_stream_within_a_second(
    pair: Pair,
) -> None:
    alice = await sign_up(pair.a, "alice")
    bob = await sign_up(pair.a, "bob")
    async with chat(pair.a, alice) as asker, chat(pair.b, alice) as tab, chat(pair.b, bob) as other:
        await say(asker, "q1", QUESTION)
        start = await receive(tab)
        assert start["type"] == "stream.start"
        assert (await receive(tab))["seq"] == 1
        stream = start["stream"]

        # Only the user's own streams: bob's stop of alice's stream finds nothing.
        await other.send(json.dumps({"type": "stop", "stream": stream}))
        refused = await receive(other)
        assert (refused["type"], refused["code"]) == ("error", "not_found")
        await tab.send(json.dumps({"type": "stop", "stream": "s-not-running"}))
        unknown = await receive(tab)
        assert (unknown["type"], unknown["code"]) == ("error", "not_found")

        asked = time.monotonic()
        await tab.send(json.dumps({"type": "stop", "stream": stream}))
        while (frame := await receive(tab))["type"] != "stream.end":
            assert frame["type"] == "stream.delta"
        took = time.monotonic() - asked
        assert frame["reason"] == "stopped"
        assert took < 1.0
        ended = await frames_through_end(asker)
        assert ended[-1]["reason"] == "stopped"
        assert len(text_of([start, *ended]).split()) < len(WORDS)
        await assert_nothing_more(other, settle_s=0)

        # It ended: a stop now answers not_found, on either process.
        for socket in (tab, asker):
            await socket.send(json.dumps({"type": "stop", "stream": stream}))
            late = await receive(socket)
            assert (late["type"], late["code"]) == ("error", "not_found")
    reply = await newest_reply(pair.b, alice)
    assert reply["partial"] is True
    assert reply["endReason"] == "stopped"


async def test_a_say_retried_on_the_other_process_is_answered_again_and_executed_once(
    pair: Pair,
) -> None:
    alice = await sign_up(pair.a, "alice")
    log = {"type": "say", "id": "r1", "text": "/log gym 75min rpe 6"}
    async with chat(pair.a, alice) as first:
        await first.send(json.dumps(log))
        saved = await receive(first)
        assert saved["type"] == "saved"
    async with chat(pair.b, alice) as retry:
        await retry.send(json.dumps(log))
        again = await receive(retry)
        assert again == saved
        await assert_nothing_more(retry)

        # The same id for other words is refused, and nothing is written.
        await retry.send(json.dumps({**log, "text": "/log gym 30min"}))
        conflict = await receive(retry)
        assert (conflict["type"], conflict["code"], conflict["reply_to"]) == (
            "error",
            "conflict",
            "r1",
        )
    async with httpx.AsyncClient(base_url=pair.b.url, timeout=10) as http:
        journal = (await http.get("/journal/entries", headers=alice)).json()["items"]
    assert [entry["id"] for entry in journal] == [saved["item"]["id"]]


async def test_a_say_refused_on_one_process_executes_when_retried_on_the_other(
    pair: Pair,
) -> None:
    climber = await sign_up(pair.a, "free", tier=Tier.FREE)
    async with chat(pair.a, climber) as socket:
        for n in range(3):  # the free tier's journal entries for the week
            await say(socket, f"w{n}", "/log gym 1h")
            assert (await receive(socket))["type"] == "saved"
        await say(socket, "w3", "/log board 40min")
        refused = await receive(socket)
        assert (refused["type"], refused["code"]) == ("error", "quota_exceeded")
    await set_tier(pair.a, await user_id_of(pair.a, climber), Tier.PRO)
    async with chat(pair.b, climber) as upgraded:
        await say(upgraded, "w3", "/log board 40min")
        saved = await receive(upgraded)
        assert (saved["type"], saved["reply_to"]) == ("saved", "w3")


async def test_a_say_retried_while_its_reply_streams_is_answered_with_the_whole_reply(
    pair: Pair,
) -> None:
    alice = await sign_up(pair.a, "alice")
    async with chat(pair.a, alice) as asker:
        await say(asker, "q1", QUESTION)
        start = await receive(asker)
        assert start["type"] == "stream.start"
        async with chat(pair.b, alice) as retry:
            await say(retry, "q1", QUESTION)
            # The first run's frames reach this socket live; when it completes, the retry is
            # answered with all of them (a client drops what it has by seq).
            got: list[Frame] = []
            while not [f for f in got if f["type"] == "stream.start"]:
                got.append(await receive(retry, timeout=10))
            answered = got[-1:]
            answered += await frames_through_end(retry)
            assert answered[0] == start
            assert text_of(answered) == REPLY
        seen = await frames_through_end(asker)
    assert answered[1:] == seen
    assert {f["stream"] for f in got + answered if "stream" in f} == {start["stream"]}
    assert await ai_messages_used(pair.a, alice) == 1


async def test_a_reply_survives_a_dropped_socket_and_is_resumed_on_the_other_process(
    pair: Pair,
) -> None:
    alice = await sign_up(pair.a, "alice")
    async with chat(pair.a, alice) as phone:
        await say(phone, "q1", QUESTION)
        start = await receive(phone)
        before = [await receive(phone), await receive(phone)]
        assert [f["seq"] for f in before] == [1, 2]
    # The phone dropped at seq 2; it comes back a second later, on the other process.
    await asyncio.sleep(1.0)
    async with chat(pair.b, alice) as back:
        await back.send(json.dumps({"type": "resume", "stream": start["stream"], "after": 2}))
        rest = await frames_through_end(back)
        await assert_nothing_more(back, settle_s=0.1)
    assert delta_seqs(rest) == list(range(3, rest[-1]["seq"] + 1))  # every remaining delta
    assert rest[-1]["type"] == "stream.end"
    assert rest[-1]["reason"] == "end"
    assert text_of(before + rest) == REPLY
    reply = await newest_reply(pair.b, alice)
    assert reply["content"].split() == WORDS
    assert reply["partial"] is False
    assert reply["endReason"] == "end"


async def test_a_dropped_reply_nobody_comes_back_for_is_stopped_after_the_grace(
    brief: Pair,
) -> None:
    alice = await sign_up(brief.a, "alice")
    async with chat(brief.a, alice) as phone:
        await say(phone, "q1", QUESTION)
        start = await receive(phone)
        assert (await receive(phone))["seq"] == 1
    await asyncio.sleep(1.5)  # the grace (0.4 s) and then some; the reply needs about 2 s
    async with chat(brief.b, alice) as back:
        await back.send(json.dumps({"type": "resume", "stream": start["stream"], "after": 1}))
        rest = await frames_through_end(back)
    assert rest[-1]["type"] == "stream.end"
    assert rest[-1]["reason"] == "stopped"
    reply = await newest_reply(brief.b, alice)
    assert 0 < len(reply["content"].split()) < len(WORDS)
    assert reply["partial"] is True
    assert reply["endReason"] == "stopped"


async def test_a_dropped_reply_runs_on_while_another_socket_of_the_climber_is_open(
    brief: Pair,
) -> None:
    alice = await sign_up(brief.a, "alice")
    async with chat(brief.b, alice) as laptop:
        async with chat(brief.a, alice) as phone:
            await say(phone, "q1", QUESTION)
            assert (await receive(phone))["type"] == "stream.start"
        # The phone is gone for longer than the grace, but the laptop (on the other process)
        # follows the reply to its end.
        seen = await frames_through_end(laptop)
    assert seen[0]["type"] == "stream.start"
    assert seen[-1]["reason"] == "end"
    assert text_of(seen) == REPLY


@pytest.fixture
def long_reply_server(tmp_path: Path) -> Iterator[Process]:
    """`v7 serve` as a real process whose replies take 10 s, with a 1 s drain window."""
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    data_dir = tmp_path / "data"
    env = {
        **os.environ,
        "V7_DATA_DIR": str(data_dir),
        "V7_ALLOWED_ORIGINS": origin,
        "V7_DRAIN_SECONDS": "1",
        "V7_MODEL": "scripted://?ttft_ms=20&tokens_per_s=40&tokens=400",
    }
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(dockerfile_command(port), env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"v7 serve did not start:\n{log.read_text()}")
        time.sleep(0.1)
    try:
        yield Process(url, origin, proc, log, data_dir)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


async def test_a_drain_stops_a_reply_whose_socket_dropped_and_settles_it_before_exiting(
    long_reply_server: Process,
) -> None:
    """SIGTERM with a reply streaming on after its socket dropped: the drain window passes,
    the reply is stopped, saved and counted, and the process exits."""
    serve = long_reply_server
    async with httpx.AsyncClient(base_url=serve.url, timeout=10) as http:
        signed = await http.post(
            "/auth/signup", json={"email": "drain@example.com", "password": PASSWORD}
        )
    token = signed.json()["tokens"]["accessToken"]
    protocols = [Subprotocol("v7.chat.v1"), Subprotocol(f"bearer.{token}")]
    ws_url = serve.url.replace("http", "ws") + "/ws"
    async with connect(ws_url, subprotocols=protocols, origin=Origin(serve.origin)) as ws:
        await ws.recv()
        await ws.send(json.dumps({"type": "say", "id": "q1", "text": QUESTION}))
        while json.loads(await ws.recv())["type"] != "stream.delta":
            pass
    months = {f"{system_clock():%Y-%m}"}
    started = time.monotonic()
    serve.proc.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(serve.proc.wait, 20) == 0
    assert time.monotonic() - started < 10
    months.add(f"{system_clock():%Y-%m}")
    data_dir = serve.data_dir
    async with open_table(f"sqlite:///{data_dir / 'v7.db'}", data_dir=data_dir) as table:
        user = await UserRepo(table).find_by_email("drain@example.com")
        assert user is not None
        asked, reply = await ChatRepo(table).recent(user.id, 2)
        ledgers = [await UsageRepo(table).get(user.id, month) for month in sorted(months)]
    assert asked.content == QUESTION
    assert reply.end_reason == "stopped"
    assert reply.partial is True
    assert 0 < len(reply.content.split()) < 400
    assert sum(ledger.ai_messages for ledger in ledgers) == 1
