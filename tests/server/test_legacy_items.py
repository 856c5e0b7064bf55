"""Items stored before the wire used the seed's names keep working, on both store engines: each
is written in its old layout straight into the live server's table, then read (and replaced)
through the REST API, which answers in the seed's names and stores them from then on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from store import open_table
from store.records.common import new_id
from store.repos.base import user_pk
from store.repos.chat import chat_key
from store.repos.entity import POINTER_PREFIX, pointer_item
from store.table import Item
from tests.conftest import ENGINES
from tests.server.helpers import DAY0, Headers, sign_up
from tests.server.live import LiveServer, live_server_on

STAMP = "2025-03-01T18:00:00Z"
EARLIER = ("durationMinutes", "weightKg", "targetWeightKg", "numericGrade", "setting")


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str
) -> Iterator[LiveServer]:
    """A live server on each store engine (SQLite, DynamoDB through moto)."""
    folder = Path(tmp_path_factory.mktemp("legacy"))
    with live_server_on(str(request.param), folder, moto_endpoint) as live:
        yield live


async def stored_as_before(server: LiveServer, items: list[Item]) -> None:
    """Write `items` as they are, keys included, into the live server's table."""
    settings = server.settings
    async with open_table(
        settings.resolved_store_url, data_dir=settings.data_dir, clock=server.clock
    ) as table:
        for item in items:
            await table.put(item)


async def raw(server: LiveServer, pk: str, sk: str) -> Item | None:
    settings = server.settings
    async with open_table(
        settings.resolved_store_url, data_dir=settings.data_dir, clock=server.clock
    ) as table:
        return await table.get(pk, sk)


def speaks_seed_names(body: Any) -> None:
    text = json.dumps(body)
    assert not [name for name in EARLIER if f'"{name}"' in text], text


async def climber(server: LiveServer, http: httpx.AsyncClient, name: str) -> tuple[Headers, str]:
    headers = await sign_up(server, name)
    user_id: str = (await http.get("/users/profile", headers=headers)).json()["id"]
    return headers, user_id


def dated(pk: str, kind: str, item: dict[str, Any]) -> list[Item]:
    """A dated item at `{kind}#{date}#{id}` and its pointer, as the repositories lay them out."""
    sk = f"{kind}#{item['date']}#{item['id']}"
    return [
        {**item, "pk": pk, "sk": sk},
        pointer_item(pk, f"{POINTER_PREFIX}{kind}#{item['id']}", sk),
    ]


async def test_a_session_stored_under_the_earlier_names_reads_and_saves_in_the_seeds(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers, user_id = await climber(server, http, "old-session")
    pk, entry_id = user_pk(user_id), new_id()
    old = {
        "id": entry_id,
        "date": DAY0.isoformat(),
        "sessionType": "outdoor",
        "setting": "outdoor",
        "durationMinutes": 150,
        "rpe": 7.5,
        "gradesCompleted": [{"grade": "V4", "system": "v", "score": 63, "count": 2}],
        "physicalCondition": {"energy": 6, "soreness": {"fingers": 3}},
        "createdAt": STAMP,
        "updatedAt": STAMP,
    }
    await stored_as_before(server, dated(pk, "JOURNAL", old))

    url = f"/journal/entries/{entry_id}"
    got = (await http.get(url, headers=headers)).json()
    assert (got["duration"], got["type"], got["rpe"]) == (150, "outdoor", 7.5)
    assert got["gradesCompleted"][0]["system"] == "v"  # a grade's own system keeps its name
    speaks_seed_names(got)
    listed = (await http.get("/journal/entries", headers=headers)).json()["items"]
    assert [item["duration"] for item in listed] == [150]

    put = await http.put(url, json={**got, "duration": 140}, headers=headers)
    assert put.status_code == 200, put.text
    item = await raw(server, pk, f"JOURNAL#{DAY0.isoformat()}#{entry_id}")
    assert item is not None
    assert (item["duration"], item["type"]) == (140, "outdoor")
    assert not {"durationMinutes", "setting"} & item.keys()


async def test_a_send_stored_under_the_earlier_names_reads_in_the_seeds(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers, user_id = await climber(server, http, "old-send")
    pk, send_id = user_pk(user_id), new_id()
    old = {
        "id": send_id,
        "date": DAY0.isoformat(),
        "grade": "7a",
        "system": "french",
        "discipline": "route",
        "numericGrade": 72,
        "setting": "outdoor",
        "significance": "milestone",
        "media": [],
        "createdAt": STAMP,
        "updatedAt": STAMP,
        "gsi1pk": f"{pk}#SEND",
        "gsi1sk": f"route#072#{DAY0.isoformat()}#{send_id}",
        "gsi2pk": f"{pk}#SEND#SIG",
        "gsi2sk": f"milestone#{DAY0.isoformat()}#{send_id}",
    }
    await stored_as_before(server, dated(pk, "SEND", old))

    url = f"/benchmarks/sends/{send_id}"
    got = (await http.get(url, headers=headers)).json()
    assert (got["gradeType"], got["gradeNumeric"], got["type"]) == ("french", 72, "outdoor")
    speaks_seed_names(got)
    put = await http.put(url, json={**got, "significance": "project-send"}, headers=headers)
    assert put.status_code == 200, put.text
    assert (put.json()["significance"], put.json()["gradeNumeric"]) == ("project-send", 72)


async def test_profiles_and_plans_stored_under_the_earlier_names_read_in_the_seeds(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers, user_id = await climber(server, http, "old-profiles")
    pk, plan_id = user_pk(user_id), new_id()
    day = {
        "type": "strength",
        "durationMinutes": 60,
        "intensity": "high",
        "exercises": [{"exerciseId": "max-hangs", "name": "Max hangs", "durationMinutes": 15}],
    }
    await stored_as_before(
        server,
        [
            {"pk": pk, "sk": "ATHLETE", "weightKg": 70.5, "heightCm": 178, "updatedAt": STAMP},
            {"pk": pk, "sk": "NUTRITION", "weightKg": 70.5, "targetWeightKg": 68,
             "sex": "male", "age": 34, "heightCm": 178, "updatedAt": STAMP},
            {"pk": pk, "sk": f"PLAN#{plan_id}", "id": plan_id, "name": "Old plan",
             "startDate": "2026-01-05", "active": False, "weeklyStructure": {"monday": day},
             "createdAt": STAMP, "updatedAt": STAMP},
        ],
    )  # fmt: skip

    athlete = (await http.get("/athlete/profile", headers=headers)).json()
    assert athlete["weight"] == 70.5
    nutrition = (await http.get("/nutrition/profile", headers=headers)).json()
    assert (nutrition["weight"], nutrition["targetWeight"]) == (70.5, 68)
    assert nutrition["daily"]["calories"]["value"] is not None  # targets read the old weight
    plan = (await http.get(f"/training/plans/{plan_id}", headers=headers)).json()
    monday = plan["weeklyStructure"]["monday"]
    assert (monday["duration"], monday["exercises"][0]["duration"]) == (60, 15)
    for body in (athlete, nutrition, plan):
        speaks_seed_names(body)
    for url, body in (
        ("/athlete/profile", athlete),
        ("/nutrition/profile", nutrition),
        (f"/training/plans/{plan_id}", plan),
    ):
        put = await http.put(url, json=body, headers=headers)
        assert put.status_code == 200, (url, put.text)
    export = (await http.get("/users/export", headers=headers)).json()
    speaks_seed_names(export)
    assert export["athleteProfile"]["weight"] == 70.5


async def test_chat_history_replays_old_cards_in_the_seeds_names(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers, user_id = await climber(server, http, "old-history")
    message_id = new_id()
    item = {
        "id": new_id(),
        "date": DAY0.isoformat(),
        "sessionType": "gym",
        "setting": "indoor",
        "durationMinutes": 90,
        "gradesCompleted": [{"grade": "V5", "system": "v", "score": 67, "count": 1}],
    }
    frame = {"type": "saved", "reply_to": "c1", "kind": "session", "item": item, "undo": "u1"}
    await stored_as_before(
        server,
        [{"pk": user_pk(user_id), "sk": chat_key(datetime.fromisoformat(STAMP), message_id),
          "id": message_id, "ts": STAMP, "role": "assistant", "content": "", "frame": frame}],
    )  # fmt: skip
    history = (await http.get("/chat/history", headers=headers)).json()["items"]
    card = next(message["frame"] for message in history if message["id"] == message_id)
    assert (card["item"]["duration"], card["item"]["type"]) == (90, "indoor")
    assert card["item"]["gradesCompleted"][0]["system"] == "v"
    speaks_seed_names(card)
