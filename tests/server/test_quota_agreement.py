"""The quota a climber sees agrees with what the server does, through the real protocol (a live
server, its embedded Redis, SQLite, the `websockets` client): an undone or deleted session gives
its weekly entry back (before and after a reconnect), a refused confirm keeps its proposal and
works once the week turns, two tabs confirming one proposal write one entry, and a plain-words
log costs no AI message."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection

from store.records.user import Tier
from tests.clock import FrozenClock, at
from tests.server.helpers import sign_up
from tests.server.live import LiveServer, live_server
from tests.server.test_quotas_server import frame, say, socket_for

SUNDAY_NIGHT = at("2026-11-22T21:00:00")
"""The last hours of ISO week 2026-W47 (UTC): its entries reset at Monday 00:00."""
LOGGED = "did 2 hours at the gym, sent two V5s"


def entries(quota: dict[str, Any]) -> tuple[int, int | None]:
    allowance = quota["journal_entries"]
    return allowance["used"], allowance["remaining"]


async def quiet(socket: ClientConnection) -> list[dict[str, Any]]:
    """Every frame the socket gets until it has been quiet for a second."""
    seen: list[dict[str, Any]] = []
    while True:
        try:
            seen.append(json.loads(await asyncio.wait_for(socket.recv(), 1)))
        except TimeoutError:
            return seen


async def propose(socket: ClientConnection, say_id: str) -> dict[str, Any]:
    """Log in plain words; the proposal frame (after its short reply)."""
    await socket.send(json.dumps({"type": "say", "id": say_id, "text": LOGGED}))
    reply, proposal = await frame(socket), await frame(socket)
    assert reply["type"] == "reply"
    assert proposal["type"] == "proposal"
    return proposal


async def test_an_undone_session_gives_its_entry_back_before_and_after_a_reconnect(
    server: LiveServer,
) -> None:
    headers = await sign_up(server, "undoer", tier=Tier.FREE)
    async with socket_for(server, headers) as socket:
        await frame(socket)
        for n in range(3):
            assert (await say(socket, f"log{n}", "/log gym 60min"))["type"] == "saved"
        undone = await say(socket, "undo", "/undo")
        assert undone["kind"] == "undo"
        assert entries(undone["quota"]) == (2, 1)
    async with socket_for(server, headers) as socket:  # a reload
        ready = await frame(socket)
        assert entries(ready["quota"]) == (2, 1)
        saved = await say(socket, "again", "/log gym 60min")  # and /log agrees with the badge
        assert saved["type"] == "saved"
        assert entries(saved["quota"]) == (3, 0)
        refused = await say(socket, "over", "/log gym 60min")
        assert refused["code"] == "quota_exceeded"
        assert entries(refused["quota"]) == (3, 0)  # a refusal says where the climber stands


async def test_a_deleted_session_gives_its_entry_back(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers = await sign_up(server, "deleter", tier=Tier.FREE)
    async with socket_for(server, headers) as socket:
        await frame(socket)
        saved = [await say(socket, f"log{n}", "/log gym 45min") for n in range(3)]
    deleted = await http.delete(f"/journal/entries/{saved[0]['item']['id']}", headers=headers)
    assert deleted.status_code == 204
    usage = (await http.get("/users/profile", headers=headers)).json()["usage"]
    assert entries(usage) == (2, 1)
    again = await http.delete(f"/journal/entries/{saved[0]['item']['id']}", headers=headers)
    assert again.status_code == 404
    usage = (await http.get("/users/profile", headers=headers)).json()["usage"]
    assert entries(usage) == (2, 1)  # given back once


async def test_a_plain_words_log_costs_no_ai_message(server: LiveServer) -> None:
    headers = await sign_up(server, "plain", tier=Tier.FREE)
    async with socket_for(server, headers) as socket:
        ready = await frame(socket)
        assert ready["quota"]["ai_messages"]["used"] == 0
        proposal = await propose(socket, "p1")
        assert proposal["kind"] == "session"
        assert proposal["item"]["duration"] == 120
        await socket.send(json.dumps({"type": "confirm", "proposal": proposal["id"]}))
        saved = await frame(socket)
        assert saved["type"] == "saved"
        assert saved["reply_to"] == proposal["id"]
        assert saved["quota"]["ai_messages"]["used"] == 0
        assert entries(saved["quota"]) == (1, 2)
    async with socket_for(server, headers) as socket:
        assert (await frame(socket))["quota"]["ai_messages"]["used"] == 0


async def test_two_tabs_confirming_one_proposal_write_one_entry(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers = await sign_up(server, "two-tabs")
    async with socket_for(server, headers) as first, socket_for(server, headers) as second:
        await frame(first)
        await frame(second)
        proposal = await propose(first, "p1")
        assert (await frame(second))["id"] == proposal["id"]  # proposals reach every tab
        confirm = json.dumps({"type": "confirm", "proposal": proposal["id"]})
        await asyncio.gather(first.send(confirm), second.send(confirm))
        answers = [*await quiet(first), *await quiet(second)]
    # The one `saved` reaches both tabs; the other confirm is answered not_found.
    saved = [answer for answer in answers if answer["type"] == "saved"]
    errors = [answer for answer in answers if answer["type"] == "error"]
    assert len(saved) == 2
    assert len({answer["item"]["id"] for answer in saved}) == 1
    assert [error["code"] for error in errors] == ["not_found"]
    listed = (await http.get("/journal/entries", headers=headers)).json()["items"]
    assert len(listed) == 1


@pytest.fixture(scope="module")
def sunday(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server whose one clock stands at Sunday night until a test moves it."""
    with live_server(
        Path(tmp_path_factory.mktemp("sunday")), clock=FrozenClock(SUNDAY_NIGHT)
    ) as live:
        yield live


async def test_a_refused_confirm_keeps_its_proposal_until_the_week_turns(
    sunday: LiveServer,
) -> None:
    clock = sunday.clock
    assert isinstance(clock, FrozenClock)
    headers = await sign_up(sunday, "sunday", tier=Tier.FREE)
    async with socket_for(sunday, headers) as socket:
        await frame(socket)
        for n in range(3):
            assert (await say(socket, f"log{n}", "/log gym 60min"))["type"] == "saved"
        proposal = await propose(socket, "p1")
        confirm = json.dumps({"type": "confirm", "proposal": proposal["id"]})
        await socket.send(confirm)
        refused = await frame(socket)
        assert refused["type"] == "error"
        assert refused["code"] == "quota_exceeded"
        assert refused["reply_to"] == proposal["id"]
        assert refused["resets_at"] == "2026-11-23T00:00:00Z"
        assert entries(refused["quota"]) == (3, 0)

        clock.now = at("2026-11-23T00:30:00")  # Monday: a new week, the proposal still alive
        await socket.send(confirm)
        saved = await frame(socket)
        assert saved["type"] == "saved"
        assert saved["item"]["duration"] == 120
        assert entries(saved["quota"]) == (1, 2)
        assert saved["quota"]["journal_entries"]["resets_at"] == "2026-11-30T00:00:00Z"
        await socket.send(confirm)
        assert (await frame(socket))["code"] == "not_found"  # written once
