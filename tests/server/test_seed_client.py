"""A client written against the seed's API, through the real protocol (a live server on
loopback, httpx and a real socket): the seed's names in and out, `PUT` of what `GET` returned,
strict numbers, and text stored without invisible characters."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.server.helpers import DAY0, Headers, entry, field_names, sign_up
from tests.server.live import LiveServer
from tests.server.pair import chat, receive, say

EARLIER_NAMES = ("durationMinutes", "weightKg", "targetWeightKg", "numericGrade", "setting")
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 👨‍👩‍👧: joiners between emoji stay
HIDDEN = "\u200b\u202e\u2066\ufeff\U000e0041"  # zero-width, bidi override and isolate, BOM, tag


@pytest.fixture(scope="module")
async def climber(server: LiveServer) -> Headers:
    return await sign_up(server, "seed-client")


def without_earlier_names(body: Any) -> None:
    """Nothing in `body` is named the way an earlier wire named it."""
    text = json.dumps(body)
    assert not [name for name in EARLIER_NAMES if f'"{name}"' in text], text


async def created(http: httpx.AsyncClient, path: str, body: Any, headers: Headers) -> Any:
    response = await http.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_session_logged_with_the_seeds_names_reads_back_with_them(
    http: httpx.AsyncClient, climber: Headers
) -> None:
    body = {"date": DAY0.isoformat(), "sessionType": "gym", "duration": 60}
    session = await created(http, "/journal/entries", body, climber)
    fetched = (await http.get(f"/journal/entries/{session['id']}", headers=climber)).json()
    assert (fetched["duration"], fetched["type"]) == (60, "indoor")
    without_earlier_names(fetched)


async def test_an_older_client_may_still_send_the_earlier_names(
    http: httpx.AsyncClient, climber: Headers
) -> None:
    old = {"date": DAY0.isoformat(), "sessionType": "outdoor", "durationMinutes": 95}
    session = await created(http, "/journal/entries", {**old, "setting": "outdoor"}, climber)
    assert (session["duration"], session["type"]) == (95, "outdoor")
    without_earlier_names(session)
    send = await created(
        http,
        "/benchmarks/sends",
        {"grade": "7a", "system": "french", "setting": "outdoor", "date": DAY0.isoformat()},
        climber,
    )
    assert (send["gradeType"], send["type"], send["gradeNumeric"]) == ("french", "outdoor", 72)
    without_earlier_names(send)
    both = {**old, "duration": 95}
    refused = await http.post("/journal/entries", json=both, headers=climber)
    assert refused.status_code == 422
    assert field_names(refused) == {"durationMinutes"}


# --- PUT takes what GET gave ------------------------------------------------------------------

Made = Callable[[httpx.AsyncClient, Headers], Awaitable[str]]
"""Makes one item of a kind; returns the URL its GET and PUT answer at."""


async def a_session(http: httpx.AsyncClient, headers: Headers) -> str:
    return f"/journal/entries/{(await created(http, '/journal/entries', entry(), headers))['id']}"


async def a_send(http: httpx.AsyncClient, headers: Headers) -> str:
    body = {"grade": "V7", "date": DAY0.isoformat(), "type": "outdoor"}
    return f"/benchmarks/sends/{(await created(http, '/benchmarks/sends', body, headers))['id']}"


async def a_goal(http: httpx.AsyncClient, headers: Headers) -> str:
    body = {"type": "grade", "description": "Send V8", "targetGrade": "V8", "discipline": "boulder"}
    return f"/athlete/goals/{(await created(http, '/athlete/goals', body, headers))['id']}"


async def a_plan(http: httpx.AsyncClient, headers: Headers) -> str:
    day = {"type": "strength", "duration": 60, "intensity": "high", "focus": "max hangs"}
    body = {"name": "Base", "startDate": "2026-01-05", "weeklyStructure": {"tuesday": day}}
    return f"/training/plans/{(await created(http, '/training/plans', body, headers))['id']}"


async def a_day_of_meals(http: httpx.AsyncClient, headers: Headers) -> str:
    meals = [{"mealType": "lunch", "calories": 600, "proteinG": 40}]
    body = {"date": DAY0.isoformat(), "meals": meals, "hydrationMl": 1500}
    return f"/nutrition/logs/{(await created(http, '/nutrition/logs', body, headers))['date']}"


async def the_athlete_profile(http: httpx.AsyncClient, headers: Headers) -> str:
    body = {"weight": 68.5, "heightCm": 175, "strengths": ["crimps"], "version": 0}
    assert (await http.put("/athlete/profile", json=body, headers=headers)).status_code == 200
    return "/athlete/profile"


async def the_nutrition_profile(http: httpx.AsyncClient, headers: Headers) -> str:
    body = {"weight": 68.5, "targetWeight": 66, "heightCm": 175, "age": 30, "version": 0}
    assert (await http.put("/nutrition/profile", json=body, headers=headers)).status_code == 200
    return "/nutrition/profile"


async def the_account(http: httpx.AsyncClient, headers: Headers) -> str:
    return "/users/profile"


@pytest.mark.parametrize(
    "make",
    [
        a_session,
        a_send,
        a_goal,
        a_plan,
        a_day_of_meals,
        the_athlete_profile,
        the_nutrition_profile,
        the_account,
    ],
)
async def test_put_takes_the_very_body_get_returned(
    http: httpx.AsyncClient, server: LiveServer, make: Made
) -> None:
    headers = await sign_up(server, make.__name__)
    url = await make(http, headers)
    got = (await http.get(url, headers=headers)).json()
    without_earlier_names(got)
    put = await http.put(url, json=got, headers=headers)
    assert put.status_code == 200, put.text
    again = put.json()
    assert again["version"] == got["version"] + 1
    assert same_content(again) == same_content(got)


def same_content(body: dict[str, Any]) -> dict[str, Any]:
    """`body` less what every write changes: the version, when, and a replaced day's meal ids."""
    meals = [{k: v for k, v in meal.items() if k != "id"} for meal in body.get("meals", [])]
    kept = {k: v for k, v in body.items() if k not in ("version", "updatedAt")}
    return {**kept, "meals": meals} if "meals" in body else kept


async def test_read_only_fields_are_ignored_never_trusted(
    http: httpx.AsyncClient, climber: Headers
) -> None:
    url = await a_send(http, climber)
    got = (await http.get(url, headers=climber)).json()
    forged = {
        **got,
        "id": "someone-elses",
        "createdAt": "2000-01-01T00:00:00Z",
        "gradeNumeric": 1,
        "userId": "someone-else",
        "notes": "still mine",
    }
    put = await http.put(url, json=forged, headers=climber)
    assert put.status_code == 200, put.text
    kept = put.json()
    assert (kept["id"], kept["createdAt"], kept["gradeNumeric"], kept["notes"]) == (
        got["id"],
        got["createdAt"],
        got["gradeNumeric"],
        "still mine",
    )
    unknown = await http.put(url, json={**got, "rating": 5}, headers=climber)
    assert unknown.status_code == 422
    assert field_names(unknown) == {"rating"}


async def test_numbers_are_strict_but_an_integer_is_a_number(
    http: httpx.AsyncClient, climber: Headers
) -> None:
    for duration in (True, "60", 60.5):
        response = await http.post(
            "/journal/entries", json=entry(duration=duration), headers=climber
        )
        assert response.status_code == 422, duration
        assert field_names(response) == {"duration"}
    session = await created(http, "/journal/entries", entry(rpe=7, duration=60), climber)
    assert (session["rpe"], session["duration"]) == (7, 60)


# --- text is stored as a reader sees it ---------------------------------------------------------


async def test_invisible_characters_are_stripped_from_what_rest_stores(
    http: httpx.AsyncClient, climber: Headers
) -> None:
    session = await created(
        http,
        "/journal/entries",
        entry(
            location=f"Block{HIDDEN}Helden",
            notes=f"family day {FAMILY}{HIDDEN}\nsent the roof",
            technicalFocus=[f"heel{HIDDEN} hooks"],
        ),
        climber,
    )
    stored = (await http.get(f"/journal/entries/{session['id']}", headers=climber)).json()
    assert stored["location"] == "BlockHelden"
    assert stored["notes"] == f"family day {FAMILY}\nsent the roof"
    assert stored["technicalFocus"] == ["heel hooks"]
    send = await created(
        http,
        "/benchmarks/sends",
        {
            "grade": "V5",
            "date": DAY0.isoformat(),
            "name": f"{HIDDEN}Roof",
            "location": "Font\u200b",
        },
        climber,
    )
    assert (send["name"], send["location"]) == ("Roof", "Font")
    profile = (await http.get("/athlete/profile", headers=climber)).json()
    changed = {**profile, "strengths": [f"\u202ecrimps{HIDDEN}"], "goalsSummary": f"V8{HIDDEN}"}
    saved = (await http.put("/athlete/profile", json=changed, headers=climber)).json()
    assert (saved["strengths"], saved["goalsSummary"]) == (["crimps"], "V8")


async def test_invisible_characters_are_stripped_from_what_the_chat_stores(
    server: LiveServer, http: httpx.AsyncClient, climber: Headers
) -> None:
    async with chat(server, climber) as socket:
        await say(
            socket, "log", f"/log gym 60min @Block{HIDDEN}Helden notes: felt{HIDDEN} {FAMILY}"
        )
        saved = await receive(socket)
        assert saved["type"] == "saved", saved
        item = saved["item"]
        assert (item["location"], item["notes"]) == ("BlockHelden", f"felt {FAMILY}")
        assert (item["duration"], item["type"]) == (60, "indoor")
        without_earlier_names(item)
        await say(socket, "send", f'/send 7a "Bi{HIDDEN}ographie" @Céüse outdoor pb')
        sent = await receive(socket)
        assert sent["type"] == "saved", sent
        assert (sent["item"]["name"], sent["item"]["significance"]) == (
            "Biographie",
            "personal-best",
        )
        assert (sent["item"]["gradeType"], sent["item"]["type"]) == ("french", "outdoor")
        without_earlier_names(sent["item"])
    stored = (await http.get(f"/journal/entries/{item['id']}", headers=climber)).json()
    assert stored["location"] == "BlockHelden"


# --- the new significance values, and the export ------------------------------------------------


async def test_personal_bests_and_project_sends_are_counted(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    headers = await sign_up(server, "significant")
    today = (await http.get("/users/profile", headers=headers)).json()["createdAt"][:10]
    for significance in ("personal-best", "project-send", "project-send", "routine"):
        body = {"grade": "V6", "date": today, "significance": significance}
        await created(http, "/benchmarks/sends", body, headers)
    summary = (await http.get("/analytics/summary", headers=headers)).json()
    sends = summary["grades"]["sends"]
    assert (sends["personalBest"], sends["projectSend"], sends["routine"]) == (1, 2, 1)
    assert {send["significance"] for send in sends["notable"]} == {"personal-best", "project-send"}


async def test_the_export_speaks_the_seeds_names(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    headers = await sign_up(server, "exporter")
    await a_session(http, headers)
    await a_send(http, headers)
    await a_plan(http, headers)
    await the_nutrition_profile(http, headers)
    export = (await http.get("/users/export", headers=headers)).json()
    without_earlier_names(export)
    assert export["journalEntries"][0]["duration"] == 90
    assert {"gradeType", "gradeNumeric", "type"} <= export["sends"][0].keys()
    assert export["nutritionProfile"]["targetWeight"] == 66
