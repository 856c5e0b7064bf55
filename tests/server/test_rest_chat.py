"""`/chat/history` through the real protocol (live server, httpx).

No endpoint writes chat messages yet (the coaching turn comes later), so the conversation is
written with `ChatRepo` into the live server's own SQLite file, as the coaching turn will.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from store import open_table
from store.records.chat import ChatMessageIn, Role
from store.repos.chat import ChatRepo
from store.table import Table
from tests.server.helpers import Headers, field_names, sign_up
from tests.server.live import LiveServer

PATH = "/chat/history"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
async def table(server: LiveServer) -> AsyncIterator[Table]:
    settings = server.settings
    async with open_table(settings.resolved_store_url, data_dir=settings.data_dir) as opened:
        yield opened


@pytest.fixture(scope="module")
async def dave(server: LiveServer) -> Headers:
    return await sign_up(server, "dave")


async def user_id_of(http: httpx.AsyncClient, headers: Headers) -> str:
    user_id: str = (await http.get("/users/profile", headers=headers)).json()["id"]
    return user_id


async def say(table: Table, user_id: str, count: int) -> list[str]:
    """`count` alternating messages a minute apart; their ids, oldest first."""
    repo = ChatRepo(table)
    ids = []
    for i in range(count):
        role = Role.USER if i % 2 == 0 else Role.ASSISTANT
        message = await repo.append(
            user_id, ChatMessageIn(role=role, content=f"message {i}"), ts=T0 + timedelta(minutes=i)
        )
        ids.append(message.id)
    return ids


async def test_history_pages_newest_first_through_the_whole_conversation(
    http: httpx.AsyncClient, server: LiveServer, table: Table
) -> None:
    alice = await sign_up(server, "alice")
    ids = await say(table, await user_id_of(http, alice), 7)

    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        response = await http.get(PATH, params=params, headers=alice)
        assert response.status_code == 200
        page = response.json()
        assert len(page["items"]) <= 3
        seen.extend(page["items"])
        cursor = page["cursor"]
        if cursor is None:
            break
    assert [item["id"] for item in seen] == list(reversed(ids))
    assert seen[0]["content"] == "message 6"
    assert seen[0]["role"] == "user"
    assert seen[1]["role"] == "assistant"


async def test_history_is_private_to_each_climber(
    http: httpx.AsyncClient, server: LiveServer, table: Table
) -> None:
    bob = await sign_up(server, "bob")
    carol = await sign_up(server, "carol")
    await say(table, await user_id_of(http, bob), 2)
    assert (await http.get(PATH, headers=carol)).json() == {"items": [], "cursor": None}
    bobs = (await http.get(PATH, params={"limit": "1"}, headers=bob)).json()
    assert len(bobs["items"]) == 1
    stolen = await http.get(PATH, params={"cursor": bobs["cursor"]}, headers=carol)
    assert stolen.status_code == 400


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": "0"}, "limit"), ({"limit": "500"}, "limit"), ({"before": "x"}, "before")],
)
async def test_an_invalid_history_query_names_the_parameter(
    http: httpx.AsyncClient, dave: Headers, params: dict[str, str], field: str
) -> None:
    response = await http.get(PATH, params=params, headers=dave)
    assert response.status_code == 422
    assert field in field_names(response)


async def test_history_needs_a_valid_token(http: httpx.AsyncClient) -> None:
    assert (await http.get(PATH)).status_code == 401
    garbage = await http.get(PATH, headers={"Authorization": "Bearer abc.def.ghi"})
    assert garbage.status_code == 401
