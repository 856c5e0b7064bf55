"""`/journal/entries` through the real protocol: a live server on loopback and httpx.

Also where the conventions every resource shares are pinned down: 401 without a valid token,
404 for another user's item, 422 with camelCase field errors, 409 on a stale version, 428 without
one, and list pagination.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.server.helpers import DAY0, Headers, entry, field_names, sign_up
from tests.server.live import LiveServer

PATH = "/journal/entries"


@pytest.fixture(scope="module")
async def alice(server: LiveServer) -> Headers:
    return await sign_up(server, "alice")


@pytest.fixture(scope="module")
async def bob(server: LiveServer) -> Headers:
    return await sign_up(server, "bob")


async def create(http: httpx.AsyncClient, headers: Headers, **fields: Any) -> dict[str, Any]:
    response = await http.post(PATH, json=entry(**fields), headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def walk(
    http: httpx.AsyncClient, headers: Headers, params: dict[str, str]
) -> tuple[list[dict[str, Any]], int]:
    """Every item of a listing, following cursors; also how many pages it took."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    pages = 0
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await http.get(PATH, params=query, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"items", "cursor"}
        items.extend(body["items"])
        pages += 1
        cursor = body["cursor"]
        if cursor is None:
            return items, pages


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."},
    ],
)
async def test_every_journal_endpoint_refuses_a_missing_or_bad_token(
    http: httpx.AsyncClient, headers: Headers
) -> None:
    calls = [
        http.get(PATH, headers=headers),
        http.post(PATH, json=entry(), headers=headers),
        http.get(f"{PATH}/abc", headers=headers),
        http.put(f"{PATH}/abc", json={**entry(), "version": 1}, headers=headers),
        http.delete(f"{PATH}/abc", headers=headers),
    ]
    for call in calls:
        response = await call
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_an_entry_round_trips_through_create_get_update_delete(
    http: httpx.AsyncClient, alice: Headers
) -> None:
    created = await create(http, alice)
    assert created["version"] == 1
    assert created["id"]
    assert created["duration"] == 90
    assert created["physicalCondition"]["soreness"]["fingers"] == 3
    # Grades are normalised to the canonical spelling with their reference score.
    completed = created["gradesCompleted"]
    assert [(g["grade"], g["count"]) for g in completed] == [("V4", 1), ("V5", 2)]
    assert completed[0]["score"] < completed[1]["score"]

    url = f"{PATH}/{created['id']}"
    fetched = await http.get(url, headers=alice)
    assert fetched.status_code == 200
    assert fetched.json() == created

    changed = entry(duration=120, notes="pumped", rpe=8)
    updated = await http.put(url, json={**changed, "version": 1}, headers=alice)
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2
    assert updated.json()["duration"] == 120
    assert updated.json()["notes"] == "pumped"
    assert updated.json()["createdAt"] == created["createdAt"]
    assert (await http.get(url, headers=alice)).json() == updated.json()

    assert (await http.delete(url, headers=alice)).status_code == 204
    gone = await http.get(url, headers=alice)
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "not_found"
    assert (await http.delete(url, headers=alice)).status_code == 404


async def test_a_put_replaces_the_whole_entry(http: httpx.AsyncClient, alice: Headers) -> None:
    created = await create(http, alice)
    minimal = {"date": DAY0.isoformat(), "sessionType": "hangboard", "duration": 30}
    response = await http.put(
        f"{PATH}/{created['id']}", json={**minimal, "version": 1}, headers=alice
    )
    assert response.status_code == 200
    body = response.json()
    assert body["sessionType"] == "hangboard"
    assert body["gradesCompleted"] == []
    assert "notes" not in body
    assert "rpe" not in body


async def test_a_date_change_moves_the_entry_in_listings(
    http: httpx.AsyncClient, alice: Headers
) -> None:
    old_day, new_day = date(2024, 1, 10), date(2024, 2, 20)
    created = await create(http, alice, day=old_day)
    url = f"{PATH}/{created['id']}"
    moved = await http.put(url, json={**entry(new_day), "version": 1}, headers=alice)
    assert moved.status_code == 200
    assert moved.json()["date"] == new_day.isoformat()
    assert (await http.get(url, headers=alice)).json()["date"] == new_day.isoformat()

    def ids_on(day: date) -> Any:
        return http.get(PATH, params={"from": str(day), "to": str(day)}, headers=alice)

    assert created["id"] not in {item["id"] for item in (await ids_on(old_day)).json()["items"]}
    assert created["id"] in {item["id"] for item in (await ids_on(new_day)).json()["items"]}


async def test_a_stale_version_is_a_conflict_and_changes_nothing(
    http: httpx.AsyncClient, alice: Headers
) -> None:
    created = await create(http, alice)
    url = f"{PATH}/{created['id']}"
    first = await http.put(url, json={**entry(notes="first"), "version": 1}, headers=alice)
    assert first.status_code == 200

    stale = await http.put(url, json={**entry(notes="second"), "version": 1}, headers=alice)
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    current = (await http.get(url, headers=alice)).json()
    assert current["notes"] == "first"
    assert current["version"] == 2


async def test_an_update_without_a_version_is_refused(
    http: httpx.AsyncClient, alice: Headers
) -> None:
    created = await create(http, alice)
    url = f"{PATH}/{created['id']}"
    response = await http.put(url, json=entry(notes="blind write"), headers=alice)
    assert response.status_code == 428
    assert response.json()["error"]["code"] == "bad_request"
    assert "version" in response.json()["error"]["message"]
    assert (await http.get(url, headers=alice)).json() == created


async def test_another_users_entry_is_not_found_and_stays_unchanged(
    http: httpx.AsyncClient, alice: Headers, bob: Headers
) -> None:
    created = await create(http, alice)
    url = f"{PATH}/{created['id']}"
    attempts = [
        await http.get(url, headers=bob),
        await http.put(url, json={**entry(notes="mine now"), "version": 1}, headers=bob),
        await http.delete(url, headers=bob),
    ]
    for response in attempts:
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert (await http.get(url, headers=alice)).json() == created
    bobs = (await http.get(PATH, headers=bob)).json()["items"]
    assert created["id"] not in {item["id"] for item in bobs}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"duration": 0}, "duration"),
        ({"rpe": 11}, "rpe"),
        ({"gradesCompleted": ["V99"]}, "gradesCompleted"),
        ({"gradesAttempted": ["5.11a"]}, "gradesAttempted"),  # a route grade in a boulder session
        ({"sessionType": "yoga"}, "sessionType"),
        (
            {"physicalCondition": {"soreness": {"fingers": 11}}},
            "physicalCondition.soreness.fingers",
        ),
        ({"mood": "great"}, "mood"),
        ({"duration": True}, "duration"),  # strict numbers: never 1 minute
        ({"duration": "60"}, "duration"),
        ({"duration": 60.5}, "duration"),
    ],
)
async def test_an_invalid_entry_is_refused_with_the_field_named(
    http: httpx.AsyncClient, alice: Headers, change: dict[str, Any], field: str
) -> None:
    before = (await http.get(PATH, params={"limit": "200"}, headers=alice)).json()["items"]
    response = await http.post(PATH, json={**entry(), **change}, headers=alice)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_entry"
    assert field in field_names(response)
    after = (await http.get(PATH, params={"limit": "200"}, headers=alice)).json()["items"]
    assert after == before


async def test_an_invalid_entry_lists_each_field_with_its_message(
    http: httpx.AsyncClient, alice: Headers
) -> None:
    body = entry(rpe=11, physicalCondition={"soreness": {"fingers": 11}})
    response = await http.post(PATH, json=body, headers=alice)
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == [
        {"field": "rpe", "message": "Input should be less than or equal to 10"},
        {
            "field": "physicalCondition.soreness.fingers",
            "message": "Input should be less than or equal to 10",
        },
    ]


async def test_a_422_message_names_what_was_invalid(
    http: httpx.AsyncClient, alice: Headers
) -> None:
    one = await http.post(PATH, json=entry(duration=0), headers=alice)
    assert one.status_code == 422
    assert one.json()["error"]["message"] == "duration: Input should be greater than 0"
    body = entry(duration=0, rpe=11, physicalCondition={"soreness": {"fingers": 11}})
    several = await http.post(PATH, json=body, headers=alice)
    error = several.json()["error"]
    assert error["message"] == "duration: Input should be greater than 0 (and 2 more)"
    assert len(error["fields"]) == 3
    not_an_object = await http.post(PATH, json=["a list"], headers=alice)
    assert not_an_object.status_code == 422
    assert not_an_object.json()["error"]["message"] == "body: Input should be an object"


async def test_an_invalid_update_names_the_field_and_changes_nothing(
    http: httpx.AsyncClient, alice: Headers
) -> None:
    created = await create(http, alice)
    url = f"{PATH}/{created['id']}"
    response = await http.put(url, json={**entry(rpe=11), "version": 1}, headers=alice)
    assert response.status_code == 422
    assert field_names(response) == {"rpe"}
    assert (await http.get(url, headers=alice)).json() == created


async def test_a_body_that_is_not_json_is_a_bad_request(
    http: httpx.AsyncClient, alice: Headers
) -> None:
    response = await http.post(PATH, content=b"{not json", headers=alice)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


async def test_pagination_visits_every_entry_once_in_date_order(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    carol = await sign_up(server, "carol")
    # 25 entries over 20 days, some days holding two, created out of date order.
    days = [DAY0 + timedelta(days=(i * 7) % 20) for i in range(25)]
    created = {(await create(http, carol, day=day))["id"]: day for day in days}
    assert len(created) == 25

    for order in ("asc", "desc"):
        items, pages = await walk(http, carol, {"limit": "10", "order": order})
        assert sorted(item["id"] for item in items) == sorted(created)
        dates = [item["date"] for item in items]
        assert dates == sorted(dates, reverse=order == "desc")
        assert pages in (3, 4)  # 10 + 10 + 5, perhaps followed by an empty last page

    first = (await http.get(PATH, params={"limit": "10"}, headers=carol)).json()
    assert len(first["items"]) == 10
    assert first["items"][0]["date"] == max(days).isoformat()  # newest first by default


async def test_a_date_range_is_inclusive_at_both_ends(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    dave = await sign_up(server, "dave")
    days = [date(2025, 5, d) for d in (1, 2, 3, 4, 5, 6)]
    for day in days:
        await create(http, dave, day=day)
    items, _ = await walk(http, dave, {"from": "2025-05-02", "to": "2025-05-04", "order": "asc"})
    assert [item["date"] for item in items] == ["2025-05-02", "2025-05-03", "2025-05-04"]
    since, _ = await walk(http, dave, {"from": "2025-05-05"})
    assert [item["date"] for item in since] == ["2025-05-06", "2025-05-05"]
    until, _ = await walk(http, dave, {"to": "2025-05-01"})
    assert [item["date"] for item in until] == ["2025-05-01"]
    one, _ = await walk(http, dave, {"from": "2025-05-03", "to": "2025-05-03", "limit": "1"})
    assert [item["date"] for item in one] == ["2025-05-03"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"from": "2025-05-04", "to": "2025-05-02"}, "to"),
        ({"from": "2025-13-01"}, "from"),
        ({"order": "sideways"}, "order"),
        ({"form": "2025-01-01"}, "form"),
    ],
)
async def test_an_invalid_list_query_is_refused_with_the_parameter_named(
    http: httpx.AsyncClient, alice: Headers, params: dict[str, str], field: str
) -> None:
    response = await http.get(PATH, params=params, headers=alice)
    assert response.status_code == 422
    assert field in field_names(response)


async def test_a_bad_or_foreign_cursor_is_a_bad_request(
    http: httpx.AsyncClient, alice: Headers, bob: Headers
) -> None:
    garbage = await http.get(PATH, params={"cursor": "not-a-cursor"}, headers=alice)
    assert garbage.status_code == 400
    assert garbage.json()["error"]["code"] == "bad_request"

    for _ in range(2):
        await create(http, bob)
    bobs = (await http.get(PATH, params={"limit": "1"}, headers=bob)).json()
    assert bobs["cursor"] is not None
    # Bob's cursor names his partition: Alice cannot use it to continue his listing.
    stolen = await http.get(PATH, params={"cursor": bobs["cursor"]}, headers=alice)
    assert stolen.status_code == 400
    assert stolen.json()["error"]["code"] == "bad_request"


async def test_a_date_after_tomorrow_by_the_servers_clock_is_refused(
    http: httpx.AsyncClient, server: LiveServer, alice: Headers
) -> None:
    # "Tomorrow" (UTC) is already today in the earliest time zones; the day after is not.
    today = server.clock().date()
    tomorrow, later = today + timedelta(days=1), today + timedelta(days=2)
    response = await http.post(PATH, json=entry(later), headers=alice)
    assert response.status_code == 422
    assert "date" in field_names(response)
    response = await http.post(PATH, json=entry(tomorrow), headers=alice)
    assert response.status_code == 201, response.text
