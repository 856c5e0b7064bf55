"""One conversation, kept: what a climber did over the WebSocket comes back from
`GET /chat/history` in order with the frames they were shown, a page at a time, and
`DELETE /chat/history` clears it. A live server (embedded SQLite and Redis) whose model is
`scripted://` with a `propose_entry` tool call after its text; the real `websockets` client."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection

from tests.server.helpers import Headers, sign_up
from tests.server.live import LiveServer, live_server
from tests.server.test_coaching import MODEL, frames_until, open_socket

PATH = "/chat/history"
Frame = dict[str, Any]


@pytest.fixture(scope="module")
def coach_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(Path(tmp_path_factory.mktemp("history")), model=MODEL) as live:
        yield live


class Climber:
    """One climber's socket: says things (ids `{prefix}1`, `{prefix}2`, …: the server answers
    an id it has seen again instead of running it) and returns the frames that answered."""

    def __init__(self, socket: ClientConnection, prefix: str = "c") -> None:
        self.socket = socket
        self.prefix = prefix
        self.count = 0

    async def say(self, text: str, *until: str) -> list[Frame]:
        self.count += 1
        say_id = f"{self.prefix}{self.count}"
        await self.socket.send(json.dumps({"type": "say", "id": say_id, "text": text}))
        return await frames_until(self.socket, *until)

    async def send(self, frame: Frame, *until: str) -> list[Frame]:
        await self.socket.send(json.dumps(frame))
        return await frames_until(self.socket, *until)


def one(frames: list[Frame], kind: str) -> Frame:
    (found,) = [frame for frame in frames if frame["type"] == kind]
    return found


def as_kept(frame: Frame) -> Frame:
    """A frame as history keeps it: without the quota of that moment or a reply's data."""
    return {key: value for key, value in frame.items() if key not in ("quota", "data")}


async def whole_history(http: httpx.AsyncClient, headers: Headers) -> list[Frame]:
    """Every message, oldest first."""
    response = await http.get(PATH, params={"limit": "200"}, headers=headers)
    assert response.status_code == 200
    page = response.json()
    assert page["cursor"] is None
    return list(reversed(page["items"]))


async def log_sessions(server: LiveServer, headers: Headers, count: int) -> None:
    async with open_socket(server, headers) as socket:
        await socket.recv()
        climber = Climber(socket, prefix=f"c{uuid.uuid4().hex[:8]}-")
        for minutes in range(count):
            await climber.say(f"/log gym {30 + minutes}min", "saved")


async def test_a_conversation_comes_back_in_order_with_the_frames_it_showed(
    coach_server: LiveServer,
) -> None:
    headers = await sign_up(coach_server, "keeper")
    async with open_socket(coach_server, headers) as socket:
        await socket.recv()  # ready
        climber = Climber(socket)
        saved = one(await climber.say("/log gym 90min rpe 7 sent V4 V5", "saved"), "saved")
        undone = one(await climber.say(f"/undo {saved['undo']}", "saved"), "saved")
        # Plain words that only report a session: a journaling turn (a reply and a proposal).
        first = await climber.say("did 2 hours at the gym", "proposal")
        confirmed = one(
            await climber.send(
                {"type": "confirm", "proposal": one(first, "proposal")["id"]}, "saved"
            ),
            "saved",
        )
        # With a question: a coaching turn, whose reply proposes the entry too.
        second = await climber.say("and 2 more today, is that too much?", "stream.end")
        dismissed = one(
            await climber.send(
                {"type": "dismiss", "proposal": one(second, "proposal")["id"]}, "reply"
            ),
            "reply",
        )
        listing = one(await climber.say("/history", "reply"), "reply")
        refused = one(await climber.say("/log gym", "error"), "error")  # not history
        assert refused["code"] == "invalid_entry"

    async with httpx.AsyncClient(base_url=coach_server.url) as http:
        history = await whole_history(http, headers)

    def shape(message: Frame) -> tuple[str, str | None, str]:
        kind = message.get("frame", {}).get("type")
        return (message["role"], kind, message["content"][:40])

    logged = one(first, "reply")
    second_text = "".join(f["text"] for f in second if f["type"] == "stream.delta")
    assert [shape(m) for m in history] == [
        ("user", None, "/log gym 90min rpe 7 sent V4 V5"),
        ("assistant", "saved", ""),
        ("user", None, f"/undo {saved['undo']}"[:40]),
        ("assistant", "saved", ""),
        ("user", None, "did 2 hours at the gym"),
        ("assistant", "reply", logged["text"][:40]),
        ("assistant", "proposal", ""),
        ("assistant", "saved", ""),
        ("user", None, "and 2 more today, is that too much?"),
        ("assistant", None, second_text[:40]),
        ("assistant", "proposal", ""),
        ("assistant", "reply", "Dismissed; nothing was written."),
        ("user", None, "/history"),
        ("assistant", "reply", listing["text"][:40]),
    ]
    frames = [m["frame"] for m in history if "frame" in m]
    assert frames == [
        as_kept(saved),
        as_kept(undone),
        as_kept(logged),
        as_kept(one(first, "proposal")),
        as_kept(confirmed),
        as_kept(one(second, "proposal")),
        as_kept(dismissed),
        as_kept(listing),
    ]
    assert confirmed["reply_to"] == one(first, "proposal")["id"]
    assert undone["item"] == {"undone": "session", "id": saved["item"]["id"]}
    commands = [m["content"] for m in history if m.get("command")]
    assert commands == [m["content"] for m in history if m["content"].startswith("/")]
    said = [m["sayId"] for m in history if m["role"] == "user"]
    assert said == ["c1", "c2", "c3", "c4", "c5"]
    reply = history[9]
    assert (reply["content"], reply["endReason"], reply["sayId"]) == (second_text, "end", "c4")
    stamps = [datetime.fromisoformat(m["ts"]) for m in history]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == len(stamps)


async def test_pages_go_back_by_cursor_or_before_an_instant(coach_server: LiveServer) -> None:
    headers = await sign_up(coach_server, "pager")
    await log_sessions(coach_server, headers, 4)  # 8 messages
    async with httpx.AsyncClient(base_url=coach_server.url) as http:
        everything = list(reversed(await whole_history(http, headers)))  # newest first
        assert len(everything) == 8

        seen: list[Frame] = []
        cursor: str | None = None
        while True:
            params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
            page = (await http.get(PATH, params=params, headers=headers)).json()
            assert len(page["items"]) <= 3
            seen += page["items"]
            cursor = page["cursor"]
            if cursor is None:
                break
        assert [m["id"] for m in seen] == [m["id"] for m in everything]

        # Strictly older than a message's own instant: that message is not included.
        pivot = everything[2]
        older = await http.get(PATH, params={"before": pivot["ts"]}, headers=headers)
        assert older.status_code == 200
        assert [m["id"] for m in older.json()["items"]] == [m["id"] for m in everything[3:]]
        two = await http.get(PATH, params={"before": pivot["ts"], "limit": "2"}, headers=headers)
        assert [m["id"] for m in two.json()["items"]] == [m["id"] for m in everything[3:5]]
        rest = await http.get(
            PATH,
            params={"before": pivot["ts"], "limit": "2", "cursor": two.json()["cursor"]},
            headers=headers,
        )
        assert [m["id"] for m in rest.json()["items"]] == [m["id"] for m in everything[5:7]]
        # The same instant with an offset other than Z.
        stamp = datetime.fromisoformat(pivot["ts"]).astimezone().isoformat()
        same = await http.get(PATH, params={"before": stamp}, headers=headers)
        assert same.json()["items"] == older.json()["items"]

        naive = await http.get(PATH, params={"before": "2026-11-22T04:05:06"}, headers=headers)
        assert naive.status_code == 422
        assert naive.json()["error"]["fields"][0]["field"] == "before"


async def test_delete_clears_only_that_climbers_conversation(coach_server: LiveServer) -> None:
    alice = await sign_up(coach_server, "alice")
    bob = await sign_up(coach_server, "bob")
    await asyncio.gather(log_sessions(coach_server, alice, 2), log_sessions(coach_server, bob, 1))
    async with httpx.AsyncClient(base_url=coach_server.url) as http:
        bobs = await whole_history(http, bob)
        assert len(bobs) == 2
        assert len(await whole_history(http, alice)) == 4

        assert (await http.delete(PATH)).status_code == 401
        cleared = await http.delete(PATH, headers=alice)
        assert cleared.status_code == 204
        assert await whole_history(http, alice) == []
        assert await whole_history(http, bob) == bobs  # never another climber's
        entries = (await http.get("/journal/entries", headers=alice)).json()["items"]
        assert len(entries) == 2  # the conversation only: the journal stays
        assert (await http.delete(PATH, headers=alice)).status_code == 204  # already empty

    # The conversation goes on after it was cleared.
    await log_sessions(coach_server, alice, 1)
    async with httpx.AsyncClient(base_url=coach_server.url) as http:
        assert len(await whole_history(http, alice)) == 2
