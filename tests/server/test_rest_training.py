"""`/training/plans` and `/training/generate-plan` through the real protocol: a live server on
loopback and httpx. (The one-active rule under racing writers is also held on both store
engines in tests/store/test_repos_plans.py.)"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from grammar.dates import local_today
from store.records.user import Tier
from store.seed import load_reference
from tests.conftest import ENGINES
from tests.server.helpers import CLIMBER_ZONE, Headers, field_names, sign_up
from tests.server.live import LiveServer, live_server_on

PATH = "/training/plans"
GENERATE = "/training/generate-plan"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
LIBRARY = {exercise.id for exercise in load_reference().exercises}


def hand_plan(**fields: Any) -> dict[str, Any]:
    """A plan a climber writes themselves: the seed's repeating week."""
    return {
        "name": "Winter base",
        "startDate": "2026-01-05",
        "endDate": "2026-02-01",
        "goals": ["V6 by spring"],
        "weeklyStructure": {
            "tuesday": {"type": "strength", "duration": 60, "intensity": "high",
                        "focus": "max hangs"},
            "saturday": {"type": "endurance", "duration": 120, "intensity": "moderate"},
        },
        **fields,
    }  # fmt: skip


def periodised_plan(**fields: Any) -> dict[str, Any]:
    """A hand-written plan with phases and weeks, and exercises from the library."""
    monday = {
        "type": "strength",
        "duration": 60,
        "intensity": "high",
        "exercises": [
            {"exerciseId": "max-hangs", "name": "Max hangs", "sets": 5, "hangSeconds": 10},
            {"exerciseId": "pull-ups", "name": "Pull-ups", "sets": 3, "reps": 6},
        ],
    }
    return {
        "name": "Two-week block",
        "startDate": "2026-01-05",
        "endDate": "2026-01-18",
        "phases": [{"name": "Strength", "startDate": "2026-01-05", "endDate": "2026-01-18"}],
        "weeks": [
            {"startDate": "2026-01-05", "phase": 0, "days": {"monday": monday}},
            {"startDate": "2026-01-12", "phase": 0, "deload": True},
        ],
        **fields,
    }


async def create(http: httpx.AsyncClient, headers: Headers, body: dict[str, Any]) -> Any:
    response = await http.post(PATH, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def every_plan(http: httpx.AsyncClient, headers: Headers) -> list[dict[str, Any]]:
    response = await http.get(PATH, params={"limit": 200}, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def active_names(http: httpx.AsyncClient, headers: Headers) -> list[str]:
    return [plan["name"] for plan in await every_plan(http, headers) if plan["active"]]


def training_days(week: dict[str, Any]) -> set[str]:
    days = week.get("days", {})
    return {name for name in WEEKDAYS if days.get(name, {}).get("type", "rest") != "rest"}


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str
) -> Iterator[LiveServer]:
    """A live server on each store engine (SQLite, DynamoDB through moto)."""
    folder = Path(tmp_path_factory.mktemp("training"))
    with live_server_on(str(request.param), folder, moto_endpoint) as live:
        yield live


@pytest.fixture(scope="module")
async def bob(server: LiveServer) -> Headers:
    return await sign_up(server, "bob")


async def test_every_plan_endpoint_refuses_a_missing_token(http: httpx.AsyncClient) -> None:
    calls = [
        http.get(PATH),
        http.post(PATH, json=hand_plan()),
        http.get(f"{PATH}/abc"),
        http.put(f"{PATH}/abc", json={**hand_plan(), "version": 1}),
        http.delete(f"{PATH}/abc"),
        http.post(GENERATE, json={}),
    ]
    for call in calls:
        response = await call
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"


async def test_a_hand_written_plan_round_trips_on_the_free_tier(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    free = await sign_up(server, "free-writer", tier=Tier.FREE)
    created = await create(http, free, periodised_plan())
    assert (created["version"], created["active"]) == (1, True)
    assert created["id"]
    assert created["createdAt"]
    monday = created["weeks"][0]["days"]["monday"]
    assert [e["exerciseId"] for e in monday["exercises"]] == ["max-hangs", "pull-ups"]
    assert created["weeks"][1]["deload"] is True

    url = f"{PATH}/{created['id']}"
    fetched = await http.get(url, headers=free)
    assert fetched.status_code == 200
    assert fetched.json() == created

    changed = hand_plan(name="Winter base, v2")
    updated = await http.put(url, json={**changed, "version": 1}, headers=free)
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert (body["version"], body["name"], body["createdAt"]) == (
        2,
        "Winter base, v2",
        created["createdAt"],
    )
    # A PUT replaces the whole plan: the weeks it left out are gone.
    assert "weeks" not in body or body["weeks"] == []
    assert body["weeklyStructure"]["saturday"]["duration"] == 120
    assert (await http.get(url, headers=free)).json() == body

    assert (await http.delete(url, headers=free)).status_code == 204
    gone = await http.get(url, headers=free)
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "not_found"
    assert (await http.delete(url, headers=free)).status_code == 404


async def test_plans_are_listed_newest_first_a_page_at_a_time(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers = await sign_up(server, "lister")
    names = [f"Plan {n}" for n in range(5)]
    for name in names:
        await create(http, headers, hand_plan(name=name, active=False))
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await http.get(PATH, params=params, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"items", "cursor"}
        seen += [plan["name"] for plan in body["items"]]
        pages += 1
        cursor = body["cursor"]
        if cursor is None:
            break
    assert seen == names[::-1]
    assert pages == 3

    bad = await http.get(PATH, params={"cursor": "not-a-cursor"}, headers=headers)
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "bad_request"
    unknown = await http.get(PATH, params={"from": "2026-01-01"}, headers=headers)
    assert unknown.status_code == 422


async def test_another_climbers_plan_is_not_found_and_stays_unchanged(
    server: LiveServer, http: httpx.AsyncClient, bob: Headers
) -> None:
    alice = await sign_up(server, "alice")
    plan = await create(http, alice, hand_plan())
    url = f"{PATH}/{plan['id']}"
    for response in (
        await http.get(url, headers=bob),
        await http.put(url, json={**hand_plan(name="Mine now"), "version": 1}, headers=bob),
        await http.delete(url, headers=bob),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert (await http.get(url, headers=alice)).json() == plan
    assert plan["id"] not in {p["id"] for p in await every_plan(http, bob)}


async def test_a_stale_or_missing_version_changes_nothing(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers = await sign_up(server, "versions")
    plan = await create(http, headers, hand_plan())
    url = f"{PATH}/{plan['id']}"
    first = await http.put(url, json={**hand_plan(name="First"), "version": 1}, headers=headers)
    assert first.status_code == 200
    stale = await http.put(url, json={**hand_plan(name="Stale"), "version": 1}, headers=headers)
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    missing = await http.put(url, json=hand_plan(name="Blind"), headers=headers)
    assert missing.status_code == 428
    assert "version" in missing.json()["error"]["message"]
    assert (await http.get(url, headers=headers)).json() == first.json()


INVALID = [
    pytest.param(hand_plan(endDate="2025-12-31"), {"endDate"}, id="reversed-dates"),
    pytest.param(
        hand_plan(weeklyStructure={"monday": {"type": "yoga", "duration": 30}}),
        {"weeklyStructure.monday.type"},
        id="unknown-day-type",
    ),
    pytest.param(
        hand_plan(weeklyStructure={"tuesday": {"type": "power", "duration": 0}}),
        {"weeklyStructure.tuesday"},
        id="training-day-without-duration",
    ),
    pytest.param(
        periodised_plan(
            weeks=[
                {"startDate": "2026-01-05", "phase": 1},
                {"startDate": "2026-01-19", "phase": 0},
            ]
        ),
        {"weeks.0.phase", "weeks.1.startDate", "weeks.1.phase"},
        id="weeks-that-do-not-fit-the-phases",
    ),
    pytest.param(
        periodised_plan(
            phases=[
                {"name": "A", "startDate": "2026-01-05", "endDate": "2026-01-11"},
                {"name": "B", "startDate": "2026-01-11", "endDate": "2026-01-25"},
            ],
            weeks=[],
        ),
        {"phases.1.startDate", "phases.1.endDate"},
        id="overlapping-phases-past-the-end",
    ),
]


@pytest.mark.parametrize(("body", "fields"), INVALID)
async def test_an_invalid_plan_is_refused_with_the_fields_named_and_nothing_written(
    server: LiveServer, http: httpx.AsyncClient, body: dict[str, Any], fields: set[str]
) -> None:
    headers = await sign_up(server, "invalid")
    response = await http.post(PATH, json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_entry"
    assert field_names(response) == fields
    assert await every_plan(http, headers) == []

    # The same body refused as a replacement, the stored plan unchanged.
    plan = await create(http, headers, hand_plan())
    url = f"{PATH}/{plan['id']}"
    replaced = await http.put(url, json={**body, "version": 1}, headers=headers)
    assert replaced.status_code == 422
    assert field_names(replaced) == fields
    assert (await http.get(url, headers=headers)).json() == plan


async def test_an_exercise_not_in_the_library_is_named_by_where_it_sits(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers = await sign_up(server, "exercises")
    body = periodised_plan()
    body["weeks"][0]["days"]["monday"]["exercises"][1]["exerciseId"] = "moon-board-dance"
    body["weeklyStructure"] = {
        "friday": {
            "type": "technique",
            "duration": 45,
            "exercises": [{"exerciseId": "silent-feet-deluxe", "name": "Silent feet"}],
        }
    }
    response = await http.post(PATH, json=body, headers=headers)
    assert response.status_code == 422
    assert field_names(response) == {
        "weeklyStructure.friday.exercises.0.exerciseId",
        "weeks.0.days.monday.exercises.1.exerciseId",
    }
    assert "library" in response.json()["error"]["message"]
    assert await every_plan(http, headers) == []

    plan = await create(http, headers, periodised_plan())
    url = f"{PATH}/{plan['id']}"
    replaced = await http.put(url, json={**body, "version": 1}, headers=headers)
    assert replaced.status_code == 422
    assert (await http.get(url, headers=headers)).json() == plan


async def test_one_plan_is_active_whichever_way_it_became_active(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers = await sign_up(server, "one-active")
    base = await create(http, headers, hand_plan(name="Base"))
    await create(http, headers, hand_plan(name="Power"))
    assert await active_names(http, headers) == ["Power"]

    # An inactive plan leaves the active one alone.
    await create(http, headers, hand_plan(name="Someday", active=False))
    assert await active_names(http, headers) == ["Power"]

    # The deactivated plan was written back: its version moved on.
    stored_base = (await http.get(f"{PATH}/{base['id']}", headers=headers)).json()
    assert (stored_base["active"], stored_base["version"]) == (False, 2)
    back = await http.put(
        f"{PATH}/{base['id']}", json={**hand_plan(name="Base"), "version": 2}, headers=headers
    )
    assert back.status_code == 200
    assert await active_names(http, headers) == ["Base"]

    generated = await http.post(GENERATE, json={}, headers=headers)
    assert generated.status_code == 201
    assert await active_names(http, headers) == [generated.json()["name"]]

    # Generated but not activated: the active plan stays.
    kept = await http.post(GENERATE, json={"activate": False}, headers=headers)
    assert kept.status_code == 201
    assert kept.json()["active"] is False
    assert await active_names(http, headers) == [generated.json()["name"]]


async def test_concurrent_activations_leave_exactly_one_active_plan(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers = await sign_up(server, "racing")
    names = [f"Plan {n}" for n in range(6)]
    responses = await asyncio.gather(
        *(http.post(PATH, json=hand_plan(name=name), headers=headers) for name in names)
    )
    assert [r.status_code for r in responses] == [201] * len(names)
    active = await active_names(http, headers)
    assert len(active) == 1
    assert active[0] in names

    # Reactivating every inactive one at once: still exactly one.
    plans = [p for p in await every_plan(http, headers) if not p["active"]]
    updates = await asyncio.gather(
        *(
            http.put(
                f"{PATH}/{p['id']}",
                json={**hand_plan(name=p["name"]), "version": p["version"]},
                headers=headers,
            )
            for p in plans
        )
    )
    # Each update either won, or lost to a deactivation that moved its version on (409).
    assert {r.status_code for r in updates} <= {200, 409}
    assert len(await active_names(http, headers)) == 1


async def test_a_free_climber_is_told_what_pro_and_premium_add(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    free = await sign_up(server, "free", tier=Tier.FREE)
    for body in ({}, {"customisation": {"emphasis": "fingers"}}):
        response = await http.post(GENERATE, json=body, headers=free)
        assert response.status_code == 403
        error = response.json()["error"]
        assert error["code"] == "tier_required"
        assert "Pro" in error["message"]
        assert "periodised plan" in error["message"]
        assert "Premium adds custom plans" in error["message"]
        assert "training days, phase lengths" in error["message"]
    standard = await http.post(GENERATE, json={}, headers=free)
    assert (standard.json()["error"]["feature"], standard.json()["error"]["required_tier"]) == (
        "plan_generation",
        "pro",
    )
    assert await every_plan(http, free) == []
    # Writing their own plan needs no tier.
    await create(http, free, hand_plan())


async def test_a_brand_new_pro_climber_gets_a_plan_that_says_what_it_assumed(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    pro = await sign_up(server, "new-pro", tier=Tier.PRO)
    today = local_today(server.clock(), CLIMBER_ZONE)
    response = await http.post(GENERATE, json={}, headers=pro)
    assert response.status_code == 201, response.text
    plan = response.json()
    start = date.fromisoformat(plan["startDate"])
    assert start.weekday() == 0
    # Their next Monday (today if it is one); a day's slack for a test run across midnight.
    assert today - timedelta(days=1) <= start <= today + timedelta(days=7)
    assert plan["active"] is True
    assert plan["version"] == 1
    assert plan["phases"]
    assert plan["weeks"]
    assert plan["weeks"][0]["startDate"] == plan["startDate"]
    assert any("training days" in line for line in plan["assumptions"])
    assert any("climbed" in line for line in plan["assumptions"])
    planned = {
        exercise["exerciseId"]
        for week in plan["weeks"]
        for day in week["days"].values()
        for exercise in day.get("exercises", [])
    }
    assert planned
    assert planned <= LIBRARY
    assert all(day.get("reason") for day in plan["weeks"][0]["days"].values())
    assert (await http.get(f"{PATH}/{plan['id']}", headers=pro)).json() == plan

    # The plan can be edited and put back as it was read (read-only fields left out).
    body = {k: v for k, v in plan.items() if k not in {"id", "createdAt", "updatedAt"}}
    body["weeks"][0]["days"]["monday"] = {"type": "rest"}
    edited = await http.put(f"{PATH}/{plan['id']}", json=body, headers=pro)
    assert edited.status_code == 200, edited.text
    assert edited.json()["weeks"][0]["days"]["monday"]["type"] == "rest"
    assert edited.json()["generated"] == plan["generated"]

    refused = await http.post(GENERATE, json={"customisation": {"days": ["monday"]}}, headers=pro)
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert (error["code"], error["feature"], error["required_tier"]) == (
        "tier_required",
        "custom_plans",
        "premium",
    )
    assert "Premium" in error["message"]
    assert "without the customisation" in error["message"]
    assert len(await every_plan(http, pro)) == 1


async def test_a_premium_climber_gets_the_plan_they_chose(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    premium = await sign_up(server, "premium")
    profile = await http.put(
        "/athlete/profile",
        json={"yearsClimbing": 6, "trainingDays": ["tuesday", "saturday"], "version": 0},
        headers=premium,
    )
    assert profile.status_code == 200, profile.text
    choice = {"days": ["thursday", "monday"], "phaseWeeks": [2, 2, 1], "emphasis": "fingers"}
    response = await http.post(GENERATE, json={"customisation": choice}, headers=premium)
    assert response.status_code == 201, response.text
    plan = response.json()
    # Their own days, not the profile's; three phases of 2, 2 and 1 weeks and the rest week.
    assert all(training_days(week) <= {"monday", "thursday"} for week in plan["weeks"])
    assert any(training_days(week) == {"monday", "thursday"} for week in plan["weeks"])
    assert len(plan["weeks"]) == 6
    lengths = [
        (date.fromisoformat(p["endDate"]) - date.fromisoformat(p["startDate"])).days + 1
        for p in plan["phases"]
    ]
    assert lengths == [14, 14, 7, 7]
    assert plan["generated"]["emphasis"] == "fingers"

    standard = await http.post(GENERATE, json={}, headers=premium)
    assert standard.status_code == 201
    assert all(training_days(week) <= {"tuesday", "saturday"} for week in standard.json()["weeks"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"customisation": {}}, "customisation"),
        ({"customisation": {"phaseWeeks": [6, 6, 6]}}, "customisation.phaseWeeks"),
        ({"customisation": {"phaseWeeks": [2, 2]}}, "customisation.phaseWeeks"),
        ({"customisation": {"emphasis": "crimping"}}, "customisation.emphasis"),
        ({"customisation": {"days": ["someday"]}}, "customisation.days.0"),
        ({"activate": True, "goal": "V8"}, "goal"),
    ],
)
async def test_an_invalid_generate_request_is_refused_with_the_field_named(
    server: LiveServer, http: httpx.AsyncClient, bob: Headers, body: dict[str, Any], field: str
) -> None:
    before = await every_plan(http, bob)
    response = await http.post(GENERATE, json=body, headers=bob)
    assert response.status_code == 422, response.text
    assert field in field_names(response)
    assert await every_plan(http, bob) == before
