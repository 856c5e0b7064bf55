"""`POST /chat/generate-insights` and `/insights` through a live server on each store engine:
insights computed from the climber's own log, authentication (401), a body that is optional
but checked (422), and no AI message used by either way in."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from store.records.user import Tier
from tests.clock import FrozenClock, at
from tests.conftest import ENGINES
from tests.server.helpers import Headers, sign_up
from tests.server.live import LiveServer, live_server_on
from tests.server.test_ws import open_socket, receive

NOW = at("2026-03-16T10:00:00")
"""The server's one clock in this module (Monday in every zone a test climber may live in)."""


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str
) -> Iterator[LiveServer]:
    """A live server on each store engine (SQLite, DynamoDB through moto)."""
    folder = Path(tmp_path_factory.mktemp("insights"))
    with live_server_on(str(request.param), folder, moto_endpoint, clock=FrozenClock(NOW)) as live:
        yield live


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
        yield client


async def ai_messages_used(http: httpx.AsyncClient, headers: Headers) -> int:
    profile = await http.get("/users/profile", headers=headers)
    assert profile.status_code == 200, profile.text
    used: int = profile.json()["usage"]["ai_messages"]["used"]
    return used


async def log(http: httpx.AsyncClient, headers: Headers, back: int, **fields: Any) -> None:
    body = {
        "date": (NOW.date() - timedelta(days=back)).isoformat(),
        "sessionType": "gym",
        "discipline": "boulder",
        "duration": 90,
        "rpe": 7,
        **fields,
    }
    response = await http.post("/journal/entries", json=body, headers=headers)
    assert response.status_code == 201, response.text


async def test_insights_need_a_token(http: httpx.AsyncClient) -> None:
    response = await http.post("/chat/generate-insights", json={})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


async def test_insights_from_the_climbers_log_cost_no_ai_message(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers = await sign_up(server, "insights", tier=Tier.FREE)
    await log(http, headers, 3, gradesCompleted=["V4", "V5"])
    await log(http, headers, 1, gradesCompleted=["V5"])
    before = await ai_messages_used(http, headers)

    response = await http.post("/chat/generate-insights", json={}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["generatedAt"].startswith("2026-03-16T10:00:00")
    insights = body["insights"]
    assert 2 <= len(insights) <= 4
    assert [i["kind"] for i in insights][-1] == "suggestion"
    first = insights[0]
    assert first["title"] == "Your first sessions"
    assert first["text"].startswith("2 sessions logged since ")
    assert first["facts"]["totals.sessions"] == 2
    assert "Load rising" not in [i["title"] for i in insights]  # too little history to say

    empty_body = await http.post("/chat/generate-insights", headers=headers)  # the body is optional
    assert empty_body.status_code == 200, empty_body.text
    assert empty_body.json()["insights"] == insights  # the same log, the same insights
    assert await ai_messages_used(http, headers) == before == 0


async def test_an_unknown_field_is_refused(server: LiveServer, http: httpx.AsyncClient) -> None:
    headers = await sign_up(server, "fields")
    response = await http.post("/chat/generate-insights", json={"period": "1y"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_entry"


async def test_insights_in_the_chat_are_a_read_not_an_ai_message(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers = await sign_up(server, "chat-insights", tier=Tier.FREE)
    await log(http, headers, 2, gradesCompleted=["V3"])
    token = headers["Authorization"].removeprefix("Bearer ")
    async with open_socket(server, token) as socket:
        ready = await receive(socket)
        assert ready["quota"]["ai_messages"]["used"] == 0
        await socket.send(json.dumps({"type": "say", "id": "c1", "text": "/insights"}))
        reply = await receive(socket, timeout=20)
    assert (reply["type"], reply["reply_to"]) == ("reply", "c1")
    assert reply["text"].startswith("Changed: Your first sessions. 1 session logged since ")
    assert [i["kind"] for i in reply["data"]["insights"]][-1] == "suggestion"
    assert await ai_messages_used(http, headers) == 0
