"""Coaching turns through the real protocol: a live server whose model is `scripted://` (fixed
timing, and a `propose_entry` tool call after its text), the embedded Redis, SQLite."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

from store import open_table
from store.records.user import Tier
from store.repos.usage import UsageRepo
from tests.server.helpers import sign_up
from tests.server.live import ORIGIN, LiveServer, live_server

PROPOSAL = {
    "kind": "session",
    "entry": {"date": "2026-11-20", "sessionType": "gym", "duration": 120},
}
MODEL = "scripted://?ttft_ms=30&tokens_per_s=100&tokens=40&tool=propose_entry&args=" + quote(
    json.dumps(PROPOSAL)
)


@pytest.fixture(scope="module")
def coach_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(Path(tmp_path_factory.mktemp("coach")), model=MODEL) as live:
        yield live


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def open_socket(server: LiveServer, headers: dict[str, str]) -> Any:
    return connect(
        server.ws_url,
        subprotocols=[Subprotocol("v7.chat.v1"), Subprotocol(f"bearer.{token_of(headers)}")],
        origin=Origin(ORIGIN),
        max_queue=None,
    )


async def frames_until(socket: ClientConnection, *kinds: str) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    while True:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), 10))
        seen.append(frame)
        if frame["type"] in kinds:
            return seen


async def test_a_coaching_turn_streams_saves_and_counts_one_ai_message(
    coach_server: LiveServer,
) -> None:
    headers = await sign_up(coach_server, "coached", tier=Tier.FREE)
    async with open_socket(coach_server, headers) as socket:
        ready = json.loads(await socket.recv())
        assert ready["quota"]["ai_messages"]["used"] == 0
        await socket.send(json.dumps({"type": "say", "id": "q1", "text": "how was my week?"}))
        frames = await frames_until(socket, "stream.end")
    kinds = [frame["type"] for frame in frames]
    assert kinds[0] == "stream.start"
    assert "proposal" in kinds
    deltas = [frame for frame in frames if frame["type"] == "stream.delta"]
    assert [d["seq"] for d in deltas] == list(range(1, len(deltas) + 1))
    end = frames[-1]
    assert end["reason"] == "end"
    assert end["usage"]["output_tokens"] == 40
    assert end["quota"]["ai_messages"]["used"] == 1
    text = "".join(d["text"] for d in deltas)

    async with httpx.AsyncClient(base_url=coach_server.url) as http:
        history = (await http.get("/chat/history", headers=headers)).json()["items"]
    # Newest first: the proposal (made while the reply streamed, shown after it), the reply,
    # the question.
    proposal, reply, asked = history[:3]
    assert proposal["frame"]["type"] == "proposal"
    assert [reply["role"], asked["role"]] == ["assistant", "user"]
    assert reply["content"] == text
    assert reply["usage"]["outputTokens"] == 40
    assert reply["contextUsed"]["period"] == "30d"
    assert reply["endReason"] == "end"
    assert asked["content"] == "how was my week?"


async def test_a_proposal_is_written_only_when_confirmed(coach_server: LiveServer) -> None:
    headers = await sign_up(coach_server, "proposer")
    async with open_socket(coach_server, headers) as socket:
        await socket.recv()
        # A question makes it a coaching turn: the scripted model proposes the entry.
        text = "did 2h at the gym, was that enough?"
        await socket.send(json.dumps({"type": "say", "id": "p1", "text": text}))
        frames = await frames_until(socket, "stream.end")
        (proposal,) = [frame for frame in frames if frame["type"] == "proposal"]
        assert proposal["item"]["duration"] == 120
        async with httpx.AsyncClient(base_url=coach_server.url) as http:
            before = (await http.get("/journal/entries", headers=headers)).json()["items"]
            assert before == []
            await socket.send(json.dumps({"type": "confirm", "proposal": proposal["id"]}))
            (saved,) = await frames_until(socket, "saved")
            assert saved["kind"] == "session"
            after = (await http.get("/journal/entries", headers=headers)).json()["items"]
            assert [entry["id"] for entry in after] == [saved["item"]["id"]]
        await socket.send(json.dumps({"type": "dismiss", "proposal": proposal["id"]}))
        (error,) = await frames_until(socket, "error")
        assert error["code"] == "not_found"


async def test_stop_ends_the_stream_and_keeps_the_partial_reply(coach_server: LiveServer) -> None:
    headers = await sign_up(coach_server, "stopper")
    async with open_socket(coach_server, headers) as socket:
        await socket.recv()
        await socket.send(json.dumps({"type": "say", "id": "s1", "text": "tell me all"}))
        start, first = await frames_until(socket, "stream.delta")
        await socket.send(json.dumps({"type": "stop", "stream": start["stream"]}))
        rest = await frames_until(socket, "stream.end")
    assert rest[-1]["reason"] == "stopped"
    received = sum(len(f["text"].split()) for f in [first, *rest] if f["type"] == "stream.delta")
    assert received < 40
    async with httpx.AsyncClient(base_url=coach_server.url) as http:
        history = (await http.get("/chat/history", headers=headers)).json()["items"]
    assert history[0]["partial"] is True


async def set_ai_messages_used(server: LiveServer, user_id: str, used: int) -> None:
    """What the durable ledger would say after `used` messages this month (Redis has no
    counter for the user yet, so it is rebuilt from this)."""
    settings = server.settings
    month = f"{server.clock():%Y-%m}"
    async with open_table(settings.resolved_store_url, data_dir=settings.data_dir) as table:
        for _ in range(used):
            await UsageRepo(table).record(user_id, month, "scripted", 100, 40)


@pytest.mark.alone
async def test_fifty_concurrent_messages_at_nine_of_ten_make_exactly_one_model_call(
    coach_server: LiveServer,
) -> None:
    async with httpx.AsyncClient(base_url=coach_server.url) as http:
        created = await http.post(
            "/auth/signup", json={"email": "ninth@example.com", "password": "correct horse 9"}
        )
    user_id = created.json()["userId"]
    headers = {"Authorization": f"Bearer {created.json()['tokens']['accessToken']}"}
    await set_ai_messages_used(coach_server, user_id, 9)
    sockets = [await open_socket(coach_server, headers).__aenter__() for _ in range(5)]
    try:
        for socket in sockets:
            ready = json.loads(await socket.recv())
            assert ready["quota"]["ai_messages"]["used"] == 9
        for n in range(50):
            socket = sockets[n % 5]
            await socket.send(json.dumps({"type": "say", "id": f"m{n}", "text": "advice?"}))
        answers: list[dict[str, Any]] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60

        def settled() -> bool:
            # Every say answered (an error, or the one stream's start) and that stream ended.
            answered = {f["reply_to"] for f in answers if f["type"] in ("error", "stream.start")}
            ended = any(f["type"] == "stream.end" for f in answers)
            return len(answered) >= 50 and ended

        async def drain(socket: ClientConnection) -> None:
            # Until everything is answered, then one quiet second more: a second model call
            # or a 51st answer would still be seen. Not a fixed quiet spell from the start,
            # which a slow first turn outlasts.
            while True:
                try:
                    frame = json.loads(await asyncio.wait_for(socket.recv(), 1))
                except TimeoutError:
                    if settled() or loop.time() > deadline:
                        return
                    continue
                answers.append(frame)

        await asyncio.gather(*(drain(socket) for socket in sockets))
    finally:
        for socket in sockets:
            await socket.close()
    starts = {frame["stream"] for frame in answers if frame["type"] == "stream.start"}
    errors = [frame for frame in answers if frame["type"] == "error"]
    assert len(starts) == 1  # exactly one model call
    assert len(errors) == 49
    assert {error["code"] for error in errors} <= {"quota_exceeded", "rate_limited"}
    async with httpx.AsyncClient(base_url=coach_server.url) as http:
        profile = (await http.get("/users/profile", headers=headers)).json()
    assert profile["usage"]["ai_messages"]["used"] == 10


async def test_the_same_turn_over_http_as_server_sent_events(coach_server: LiveServer) -> None:
    headers = await sign_up(coach_server, "sse")
    async with (
        httpx.AsyncClient(base_url=coach_server.url, timeout=10) as http,
        http.stream(
            "POST", "/chat/message", json={"message": "how was my week?"}, headers=headers
        ) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = []
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    kinds = [event["type"] for event in events]
    assert kinds[0] == "stream.start"
    assert kinds[-1] == "stream.end"
    assert "stream.delta" in kinds
    assert events[-1]["reason"] == "end"

    free = await sign_up(coach_server, "sse-free", tier=Tier.FREE)
    async with httpx.AsyncClient(base_url=coach_server.url) as http:
        slash = await http.post("/chat/message", json={"message": "/log gym 1h"}, headers=free)
        assert slash.status_code == 400
        unauthenticated = await http.post("/chat/message", json={"message": "hi"})
        assert unauthenticated.status_code == 401
