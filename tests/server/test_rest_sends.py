"""`/benchmarks/sends` through the real protocol: a live server on loopback and httpx."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.server.helpers import Headers, field_names, sign_up
from tests.server.live import LiveServer

PATH = "/benchmarks/sends"
DAY0 = date(2025, 6, 1)


@pytest.fixture(scope="module")
async def alice(server: LiveServer) -> Headers:
    return await sign_up(server, "alice")


@pytest.fixture(scope="module")
async def bob(server: LiveServer) -> Headers:
    return await sign_up(server, "bob")


def send(day: date = DAY0, **fields: Any) -> dict[str, Any]:
    return {
        "grade": "v7",
        "name": "Midnight Lightning",
        "location": "Yosemite",
        "date": day.isoformat(),
        "type": "outdoor",
        "style": "overhang",
        "attempts": 12,
        "significance": "breakthrough",
        **fields,
    }


async def create(http: httpx.AsyncClient, headers: Headers, **fields: Any) -> dict[str, Any]:
    response = await http.post(PATH, json=send(**fields), headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_send_round_trips_with_its_grade_derived_by_the_server(
    http: httpx.AsyncClient, alice: Headers
) -> None:
    created = await create(http, alice)
    assert created["version"] == 1
    assert created["grade"] == "V7"
    assert created["discipline"] == "boulder"
    assert created["gradeType"] == "v"
    v7_score = created["gradeNumeric"]
    url = f"{PATH}/{created['id']}"
    assert (await http.get(url, headers=alice)).json() == created

    # Correcting the grade to a route grade re-derives discipline, system and score.
    updated = await http.put(url, json={**send(grade="5.12a"), "version": 1}, headers=alice)
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert (body["grade"], body["discipline"], body["gradeType"]) == ("5.12a", "route", "yds")
    assert body["gradeNumeric"] != v7_score
    assert body["version"] == 2

    assert (await http.delete(url, headers=alice)).status_code == 204
    assert (await http.get(url, headers=alice)).status_code == 404
    assert (await http.delete(url, headers=alice)).status_code == 404


async def test_a_send_without_setting_or_attempts_has_neither_and_a_put_can_drop_them(
    http: httpx.AsyncClient, alice: Headers
) -> None:
    response = await http.post(PATH, json={"grade": "6C+", "date": "2025-06-02"}, headers=alice)
    assert response.status_code == 201, response.text
    bare = response.json()
    assert "type" not in bare  # never assumed indoor
    assert "attempts" not in bare  # never assumed 1
    url = f"{PATH}/{bare['id']}"
    assert (await http.get(url, headers=alice)).json() == bare

    # A PUT replaces the send: leaving the fields out forgets them again.
    counted = await http.put(url, json={**send(), "version": 1}, headers=alice)
    assert (counted.json()["type"], counted.json()["attempts"]) == ("outdoor", 12)
    unsaid = {key: value for key, value in send().items() if key not in {"type", "attempts"}}
    forgot = await http.put(url, json={**unsaid, "version": 2}, headers=alice)
    assert forgot.status_code == 200, forgot.text
    assert "type" not in forgot.json()
    assert "attempts" not in forgot.json()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"grade": "V99"}, "grade"),
        ({"attempts": 0}, "attempts"),
        ({"attempts": True}, "attempts"),
        ({"significance": "epic"}, "significance"),
        ({"owner": "someone-else"}, "owner"),
    ],
)
async def test_an_invalid_send_is_refused_with_the_field_named(
    http: httpx.AsyncClient, alice: Headers, change: dict[str, Any], field: str
) -> None:
    response = await http.post(PATH, json={**send(), **change}, headers=alice)
    assert response.status_code == 422
    assert field in field_names(response)


async def test_a_stale_version_conflicts_and_a_missing_one_is_refused(
    http: httpx.AsyncClient, alice: Headers
) -> None:
    created = await create(http, alice)
    url = f"{PATH}/{created['id']}"
    assert (
        await http.put(url, json={**send(attempts=3), "version": 1}, headers=alice)
    ).status_code == 200
    stale = await http.put(url, json={**send(attempts=99), "version": 1}, headers=alice)
    assert stale.status_code == 409
    assert (await http.put(url, json=send(attempts=99), headers=alice)).status_code == 428
    assert (await http.get(url, headers=alice)).json()["attempts"] == 3


async def test_another_users_send_is_not_found_and_stays_unchanged(
    http: httpx.AsyncClient, alice: Headers, bob: Headers
) -> None:
    created = await create(http, alice)
    url = f"{PATH}/{created['id']}"
    assert (await http.get(url, headers=bob)).status_code == 404
    put = await http.put(url, json={**send(grade="V1"), "version": 1}, headers=bob)
    assert put.status_code == 404
    assert (await http.delete(url, headers=bob)).status_code == 404
    assert (await http.get(url, headers=alice)).json() == created


async def test_sends_are_listed_by_date_range_a_page_at_a_time(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    carol = await sign_up(server, "carol")
    days = [DAY0 + timedelta(days=i) for i in range(7)]
    ids = {(await create(http, carol, day=day, grade=f"V{i}"))["id"] for i, day in enumerate(days)}

    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params = {"limit": "3", "order": "asc", **({"cursor": cursor} if cursor else {})}
        page = (await http.get(PATH, params=params, headers=carol)).json()
        assert len(page["items"]) <= 3
        seen.extend(page["items"])
        cursor = page["cursor"]
        if cursor is None:
            break
    assert sorted(item["id"] for item in seen) == sorted(ids)
    assert [item["date"] for item in seen] == [day.isoformat() for day in days]

    window = await http.get(PATH, params={"from": str(days[2]), "to": str(days[4])}, headers=carol)
    assert [item["grade"] for item in window.json()["items"]] == ["V4", "V3", "V2"]
    assert window.json()["cursor"] is None


async def test_a_date_after_tomorrow_by_the_servers_clock_is_refused(
    http: httpx.AsyncClient, server: LiveServer, alice: Headers
) -> None:
    # "Tomorrow" (UTC) is already today in the earliest time zones; the day after is not.
    today = server.clock().date()
    tomorrow, later = today + timedelta(days=1), today + timedelta(days=2)
    response = await http.post(PATH, json=send(later), headers=alice)
    assert response.status_code == 422
    assert "date" in field_names(response)
    response = await http.post(PATH, json=send(tomorrow), headers=alice)
    assert response.status_code == 201, response.text
