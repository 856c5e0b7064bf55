"""`/nutrition/profile`, `/nutrition/logs` and `/nutrition/insights` through the real protocol:
a live server on loopback on each store engine, and httpx. Dates are the climber's own, counted
from the server's clock, so the tests pass on any date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from grammar.dates import local_today
from tests.conftest import ENGINES
from tests.server.helpers import CLIMBER_ZONE, Headers, entry, field_names, sign_up
from tests.server.live import LiveServer, live_server_on

PROFILE = "/nutrition/profile"
LOGS = "/nutrition/logs"
INSIGHTS = "/nutrition/insights"


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str
) -> Iterator[LiveServer]:
    """A live server on each store engine (SQLite, DynamoDB through moto)."""
    folder = Path(tmp_path_factory.mktemp("nutrition"))
    with live_server_on(str(request.param), folder, moto_endpoint) as live:
        yield live


@pytest.fixture
def today(server: LiveServer) -> date:
    return local_today(server.clock(), CLIMBER_ZONE)


def climber(**fields: Any) -> dict[str, Any]:
    """The worked example: 68 kg, 170 cm, 30, female, moderately active, maintaining."""
    return {
        "weight": 68,
        "heightCm": 170,
        "age": 30,
        "sex": "female",
        "activityLevel": "moderate",
        "goal": "maintain",
        **fields,
    }


def day_log(day: date, **fields: Any) -> dict[str, Any]:
    return {
        "date": day.isoformat(),
        "meals": [
            {"mealType": "breakfast", "name": "oats", "calories": 500, "proteinG": 25,
             "carbsG": 70, "fatG": 12},
            {"mealType": "dinner", "calories": 900, "proteinG": 45, "carbsG": 100, "fatG": 30},
        ],
        "hydrationMl": 2000,
        "supplements": ["creatine"],
        **fields,
    }  # fmt: skip


def refused(response: httpx.Response, field: str) -> str:
    """What a 422 says about `field` (which it must name)."""
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_entry"
    assert field in field_names(response), error
    return " ".join(item["message"] for item in error["fields"] if item["field"] == field)


async def logged(http: httpx.AsyncClient, headers: Headers, body: dict[str, Any]) -> Any:
    response = await http.post(LOGS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def days_listed(http: httpx.AsyncClient, headers: Headers, **params: str) -> list[str]:
    response = await http.get(LOGS, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [log["date"] for log in response.json()["items"]]


async def test_every_nutrition_endpoint_refuses_a_missing_token(http: httpx.AsyncClient) -> None:
    calls = [
        http.get(PROFILE),
        http.put(PROFILE, json={**climber(), "version": 0}),
        http.get(LOGS),
        http.post(LOGS, json=day_log(date(2025, 3, 1))),
        http.get(f"{LOGS}/2025-03-01"),
        http.put(f"{LOGS}/2025-03-01", json={**day_log(date(2025, 3, 1)), "version": 0}),
        http.delete(f"{LOGS}/2025-03-01"),
        http.get(INSIGHTS),
    ]
    for call in calls:
        response = await call
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"


async def test_an_empty_profile_says_what_its_targets_need(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers = await sign_up(server, "newcomer")
    response = await http.get(PROFILE, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["version"], body["goal"], body["activityLevel"]) == (0, "maintain", "moderate")
    daily = body["daily"]
    assert daily["calories"]["source"] == "missing"
    assert daily["calories"]["value"] is None
    assert daily["bmr"] is None
    assert "weight" in daily["proteinG"]["how"]
    assert set(daily["missing"]) == {"weight", "heightCm", "age", "sex"}


async def test_the_profile_round_trips_with_targets_computed_from_it_and_the_log(
    server: LiveServer, http: httpx.AsyncClient, today: date
) -> None:
    headers = await sign_up(server, "worked-example")
    assert (await http.put(PROFILE, json=climber(), headers=headers)).status_code == 428
    saved = await http.put(PROFILE, json={**climber(), "version": 0}, headers=headers)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert (body["version"], body["weight"], body["sex"]) == (1, 68, "female")
    daily = body["daily"]
    # Mifflin–St Jeor: 10 × 68 + 6.25 × 170 − 5 × 30 − 161 = 1,431.5 → 1,432; × 1.55 → 2,220.
    assert (daily["bmr"], daily["maintenance"]) == (1432, 2220)
    assert daily["calories"] == {
        "nutrient": "calories", "value": 2220, "unit": "kcal", "source": "computed",
        "how": daily["calories"]["how"],
    }  # fmt: skip
    assert "1.55" in daily["calories"]["how"]
    assert daily["proteinG"]["value"] == 109  # 1.6 g/kg × 68 kg
    assert daily["waterMl"]["value"] == 2900  # 35 ml/kg × 68 + 500 ml × 1 h typical, to 50 ml
    assert daily["training"]["logged"] is False
    assert daily["missing"] == []
    energy = 4 * daily["proteinG"]["value"] + 4 * daily["carbsG"]["value"]
    assert abs(energy + 9 * daily["fatG"]["value"] - 2220) < 10
    assert (await http.get(PROFILE, headers=headers)).json() == body

    # Two hours of training this week: 0.29 h a day raises the water target.
    session = entry(today, duration=120)
    assert (await http.post("/journal/entries", json=session, headers=headers)).status_code == 201
    trained = (await http.get(PROFILE, headers=headers)).json()["daily"]
    assert trained["training"] == {
        "hoursPerDay": 0.29, "logged": True,
        "start": (today - timedelta(days=6)).isoformat(), "end": today.isoformat(),
    }  # fmt: skip
    assert trained["waterMl"]["value"] == 2550
    assert trained["calories"]["value"] == 2220


async def test_own_targets_replace_the_computed_ones(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers = await sign_up(server, "own-targets")
    own = climber(targets={"calories": 2600, "proteinG": 140})
    response = await http.put(PROFILE, json={**own, "version": 0}, headers=headers)
    assert response.status_code == 200, response.text
    daily = response.json()["daily"]
    assert (daily["calories"]["value"], daily["calories"]["source"]) == (2600, "yours")
    assert (daily["proteinG"]["value"], daily["proteinG"]["source"]) == (140, "yours")
    assert (daily["waterMl"]["value"], daily["waterMl"]["source"]) == (2900, "computed")
    assert response.json()["targets"] == {"calories": 2600, "proteinG": 140}


async def test_profile_writes_need_the_version_last_read(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers = await sign_up(server, "versions")
    assert (await http.put(PROFILE, json={**climber(), "version": 0}, headers=headers)).is_success
    again = await http.put(PROFILE, json={**climber(age=40), "version": 0}, headers=headers)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    updated = await http.put(PROFILE, json={**climber(age=31), "version": 1}, headers=headers)
    assert (updated.json()["age"], updated.json()["version"]) == (31, 2)
    stale = await http.put(PROFILE, json={**climber(age=50), "version": 1}, headers=headers)
    assert stale.status_code == 409
    assert (await http.get(PROFILE, headers=headers)).json()["age"] == 31


@pytest.mark.parametrize(
    ("legacy", "goal", "calories"),
    [("performance", "maintain", 2220), ("gain", "bulk", 2440), ("lose", "cut", 2000)],
)
async def test_legacy_goal_names_are_read_as_the_seeds(
    server: LiveServer, http: httpx.AsyncClient, legacy: str, goal: str, calories: int
) -> None:
    headers = await sign_up(server, f"goal-{legacy}")
    response = await http.put(PROFILE, json={**climber(goal=legacy), "version": 0}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["goal"] == goal
    assert response.json()["daily"]["calories"]["value"] == calories


async def test_an_impossible_profile_is_refused_field_by_field(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers = await sign_up(server, "impossible")
    body = {**climber(weight=5, age=3, goal="starve"), "version": 0}
    response = await http.put(PROFILE, json=body, headers=headers)
    refused(response, "weight")
    assert field_names(response) == {"weight", "age", "goal"}
    assert (await http.get(PROFILE, headers=headers)).json()["version"] == 0


async def test_a_day_is_logged_once_and_its_totals_are_computed(
    server: LiveServer, http: httpx.AsyncClient, today: date
) -> None:
    headers = await sign_up(server, "logger")
    day = today - timedelta(days=1)
    created = await logged(http, headers, day_log(day))
    assert (created["version"], created["date"]) == (1, day.isoformat())
    assert all(meal["id"] for meal in created["meals"])
    assert created["totals"] == {
        "calories": 1400, "proteinG": 70, "carbsG": 170, "fatG": 42, "meals": 2,
        "mealsWith": {"calories": 2, "proteinG": 2, "carbsG": 2, "fatG": 2},
    }  # fmt: skip
    assert created["supplements"] == ["creatine"]

    again = await http.post(LOGS, json=day_log(day, hydrationMl=3000), headers=headers)
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "conflict"
    assert f"PUT {LOGS}/{day.isoformat()}" in error["message"]
    assert "version" in error["message"]
    assert (await http.get(f"{LOGS}/{day.isoformat()}", headers=headers)).json() == created


async def test_what_only_the_server_sets_is_ignored_in_a_new_log(
    server: LiveServer, http: httpx.AsyncClient, today: date
) -> None:
    headers = await sign_up(server, "forger")
    forged = {"totals": {"calories": 100, "meals": 1}, "version": 7, "id": "mine"}
    response = await http.post(LOGS, json={**day_log(today), **forged}, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["totals"]["calories"], body["totals"]["meals"], body["version"]) == (1400, 2, 1)
    assert "id" not in body
    unknown = await http.post(LOGS, json={**day_log(today), "mood": "good"}, headers=headers)
    assert "not permitted" in refused(unknown, "mood")


async def test_a_meal_without_carbs_leaves_them_not_logged(
    server: LiveServer, http: httpx.AsyncClient, today: date
) -> None:
    headers = await sign_up(server, "no-carbs")
    meals = [{"mealType": "lunch", "calories": 600, "proteinG": 40}]
    created = await logged(http, headers, {"date": today.isoformat(), "meals": meals})
    (meal,) = created["meals"]
    assert "carbsG" not in meal
    assert "fatG" not in meal
    totals = created["totals"]
    assert (totals["calories"], totals["proteinG"]) == (600, 40)
    assert "carbsG" not in totals
    assert totals["mealsWith"]["carbsG"] == 0
    assert totals["mealsWith"]["calories"] == 1


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"meals": [{"mealType": "dinner", "calories": 20000}]}, "meals.0.calories", "5000"),
        ({"meals": [{"mealType": "dinner", "calories": 300, "proteinG": 200}]}, "meals.0",
         "more than the meal's 300 kcal"),
        ({"meals": [{"mealType": "snack", "fatG": -5}]}, "meals.0.fatG", "greater than"),
        ({"hydrationMl": 50000}, "hydrationMl", "20000"),
        ({"meals": [{"mealType": "second breakfast"}]}, "meals.0.mealType", "breakfast"),
    ],
)  # fmt: skip
async def test_absurd_values_are_refused_with_the_field_named(
    server: LiveServer,
    http: httpx.AsyncClient,
    today: date,
    change: dict[str, Any],
    field: str,
    words: str,
) -> None:
    headers = await sign_up(server, "absurd")
    day = today.isoformat()
    body = day_log(today, **change)
    assert words in refused(await http.post(LOGS, json=body, headers=headers), field)
    put = await http.put(f"{LOGS}/{day}", json={**body, "version": 0}, headers=headers)
    assert words in refused(put, field)
    assert await days_listed(http, headers) == []


async def test_a_day_in_the_future_is_refused(
    server: LiveServer, http: httpx.AsyncClient, today: date
) -> None:
    headers = await sign_up(server, "time-traveller")
    later = today + timedelta(days=3)
    message = refused(await http.post(LOGS, json=day_log(later), headers=headers), "date")
    assert f"{later.isoformat()} is in the future" in message
    put = await http.put(
        f"{LOGS}/{later.isoformat()}", json={**day_log(later), "version": 0}, headers=headers
    )
    assert "is in the future" in refused(put, "date")
    assert await days_listed(http, headers, to=later.isoformat()) == []


async def test_a_day_is_replaced_on_the_version_last_read(
    server: LiveServer, http: httpx.AsyncClient, today: date
) -> None:
    headers = await sign_up(server, "replacer")
    day = today - timedelta(days=2)
    url = f"{LOGS}/{day.isoformat()}"
    created = await http.put(url, json={**day_log(day), "version": 0}, headers=headers)
    assert created.status_code == 200, created.text
    assert created.json()["version"] == 1

    assert (await http.put(url, json=day_log(day), headers=headers)).status_code == 428
    lighter = day_log(day, meals=[{"mealType": "snack", "calories": 250}], hydrationMl=2500)
    replaced = await http.put(url, json={**lighter, "version": 1}, headers=headers)
    assert replaced.status_code == 200, replaced.text
    body = replaced.json()
    assert (body["version"], body["hydrationMl"], len(body["meals"])) == (2, 2500, 1)
    assert body["totals"]["calories"] == 250
    assert "proteinG" not in body["totals"]
    stale = await http.put(url, json={**day_log(day), "version": 1}, headers=headers)
    assert stale.status_code == 409
    assert (await http.get(url, headers=headers)).json() == body

    other = day - timedelta(days=1)
    moved = await http.put(url, json={**day_log(other), "version": 2}, headers=headers)
    assert "not the day in the path" in refused(moved, "date")
    nonsense = await http.put(
        f"{LOGS}/yesterday", json={**day_log(day), "version": 2}, headers=headers
    )
    assert "not a calendar date" in refused(nonsense, "date")
    client_totals = {**day_log(day), "totals": {"calories": 1}, "version": 2}
    ignored = await http.put(url, json=client_totals, headers=headers)
    assert ignored.status_code == 200, ignored.text
    assert ignored.json()["totals"]["calories"] == 1400  # computed from the meals, never taken


async def test_logs_are_listed_by_day_or_range_oldest_first(
    server: LiveServer, http: httpx.AsyncClient, today: date
) -> None:
    headers = await sign_up(server, "lister")
    days = [today - timedelta(days=back) for back in (1, 10, 3, 0)]
    for day in days:
        await logged(http, headers, day_log(day))
    iso = [day.isoformat() for day in sorted(days)]

    asked = {"from": iso[0], "to": iso[-1]}
    assert await days_listed(http, headers, **asked) == iso
    # By default, the 7 days to today: ten days ago is left out.
    assert await days_listed(http, headers) == iso[1:]
    assert await days_listed(http, headers, date=iso[2]) == [iso[2]]
    nothing = (today - timedelta(days=2)).isoformat()
    assert await days_listed(http, headers, date=nothing) == []
    # `to` alone: the 7 days to it.
    assert await days_listed(http, headers, to=iso[1]) == [iso[1]]


@pytest.mark.parametrize("path", [LOGS, INSIGHTS])
async def test_a_range_must_be_forwards_and_at_most_a_year(
    server: LiveServer, http: httpx.AsyncClient, today: date, path: str
) -> None:
    headers = await sign_up(server, "ranges")
    week_ago = (today - timedelta(days=7)).isoformat()
    backwards = await http.get(path, params={"from": today.isoformat(), "to": week_ago},
                               headers=headers)  # fmt: skip
    assert "is after `to`" in refused(backwards, "from")
    long = {"from": (today - timedelta(days=366)).isoformat(), "to": today.isoformat()}
    message = refused(await http.get(path, params=long, headers=headers), "to")
    assert "367 days" in message
    assert "at most 366 days" in message
    year = {"from": (today - timedelta(days=365)).isoformat(), "to": today.isoformat()}
    assert (await http.get(path, params=year, headers=headers)).status_code == 200
    refused(await http.get(path, params={"form": week_ago}, headers=headers), "form")
    refused(await http.get(path, params={"to": "2026-02-30"}, headers=headers), "to")


async def test_a_day_cannot_be_asked_for_with_a_range(
    server: LiveServer, http: httpx.AsyncClient, today: date
) -> None:
    headers = await sign_up(server, "day-and-range")
    both = {"date": today.isoformat(), "from": today.isoformat()}
    assert "not both" in refused(await http.get(LOGS, params=both, headers=headers), "date")


async def test_insights_weigh_the_logged_days_against_the_targets(
    server: LiveServer, http: httpx.AsyncClient, today: date
) -> None:
    headers = await sign_up(server, "insightful")
    assert (await http.put(PROFILE, json={**climber(), "version": 0}, headers=headers)).is_success
    first, second = today - timedelta(days=2), today - timedelta(days=1)
    await logged(http, headers, {
        "date": first.isoformat(), "hydrationMl": 2000,
        "meals": [{"mealType": "lunch", "calories": 2000, "proteinG": 100}],
    })  # fmt: skip
    await logged(http, headers, {
        "date": second.isoformat(), "hydrationMl": 3000,
        "meals": [{"mealType": "lunch", "calories": 2400, "proteinG": 120, "carbsG": 300}],
    })  # fmt: skip
    # A session two days ago, under 80 % of the calorie target? 2,000 of 2,220 is not.
    session = entry(first, duration=60, rpe=7)
    assert (await http.post("/journal/entries", json=session, headers=headers)).status_code == 201

    asked = {"from": first.isoformat(), "to": second.isoformat()}
    response = await http.get(INSIGHTS, params=asked, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["start"], body["end"], body["daysLogged"]) == (asked["from"], asked["to"], 2)
    rows = {row["nutrient"]: row for row in body["rows"]}
    assert rows["calories"] == {
        "nutrient": "calories", "unit": "kcal", "average": 2200, "daysLogged": 2,
        "target": 2220, "percent": 99, "daysUnder": 1,
    }  # fmt: skip
    assert (rows["protein_g"]["average"], rows["protein_g"]["target"]) == (110, 109)
    # Carbs were logged on one day only: averaged over that day, not over two.
    assert (rows["carbs_g"]["average"], rows["carbs_g"]["daysLogged"]) == (300, 1)
    assert (rows["water_ml"]["average"], rows["water_ml"]["daysLogged"]) == (2500, 2)
    assert body["proteinGPerKg"] == 1.62
    assert body["proteinRangeG"] == [109, 150]
    assert (body["trainingDaysLogged"], body["underFuelledTrainingDays"]) == (1, 0)
    assert body["flags"] == []
    assert [day["date"] for day in body["days"]] == [asked["from"], asked["to"]]
    assert body["days"][0]["trainingMinutes"] == 60
    assert body["days"][0]["trainingLoad"] == 420
    # Computed figures say null for what was never logged (a stored meal leaves it out).
    assert body["days"][0]["carbsG"] is None
    assert body["targets"]["calories"]["value"] == 2220

    week = (await http.get(INSIGHTS, headers=headers)).json()
    assert (week["end"], week["daysLogged"], len(week["days"])) == (today.isoformat(), 2, 7)
    later = (today + timedelta(days=1)).isoformat()
    future = await http.get(INSIGHTS, params={"to": later}, headers=headers)
    assert f"{later} is in the future" in refused(future, "to")


async def test_another_climbers_days_are_never_seen_or_touched(
    server: LiveServer, http: httpx.AsyncClient, today: date
) -> None:
    alice, bob = await sign_up(server, "alice"), await sign_up(server, "bob")
    day = today.isoformat()
    alices = await logged(http, alice, day_log(today))
    assert (await http.put(PROFILE, json={**climber(), "version": 0}, headers=alice)).is_success

    assert await days_listed(http, bob) == []
    assert await days_listed(http, bob, date=day) == []
    for response in (
        await http.get(f"{LOGS}/{day}", headers=bob),
        await http.delete(f"{LOGS}/{day}", headers=bob),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    stale = await http.put(f"{LOGS}/{day}", json={**day_log(today), "version": 1}, headers=bob)
    assert stale.status_code == 409
    assert (await http.get(PROFILE, headers=bob)).json()["version"] == 0
    assert (await http.get(INSIGHTS, headers=bob)).json()["daysLogged"] == 0
    # Bob's own day beside Alice's: each sees only theirs.
    bobs = await http.put(
        f"{LOGS}/{day}", json={**day_log(today, hydrationMl=900), "version": 0}, headers=bob
    )
    assert bobs.status_code == 200, bobs.text
    assert (await http.get(f"{LOGS}/{day}", headers=alice)).json() == alices
    assert [log["hydrationMl"] for log in
            (await http.get(LOGS, headers=bob)).json()["items"]] == [900]  # fmt: skip


async def test_a_deleted_day_is_gone(
    server: LiveServer, http: httpx.AsyncClient, today: date
) -> None:
    headers = await sign_up(server, "deleter")
    day = (today - timedelta(days=4)).isoformat()
    await logged(http, headers, day_log(date.fromisoformat(day)))
    deleted = await http.delete(f"{LOGS}/{day}", headers=headers)
    assert deleted.status_code == 204
    assert (await http.get(f"{LOGS}/{day}", headers=headers)).status_code == 404
    assert (await http.delete(f"{LOGS}/{day}", headers=headers)).status_code == 404
    assert await days_listed(http, headers, date=day) == []
    # The day is free again: a new log of it is a create.
    assert (await logged(http, headers, day_log(date.fromisoformat(day))))["version"] == 1
