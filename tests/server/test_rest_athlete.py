"""`/athlete/profile` and `/athlete/goals` through the real protocol (live server, httpx)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.server.helpers import Headers, field_names, sign_up
from tests.server.live import LiveServer

PROFILE = "/athlete/profile"
GOALS = "/athlete/goals"


@pytest.fixture(scope="module")
async def alice(server: LiveServer) -> Headers:
    return await sign_up(server, "alice")


@pytest.fixture(scope="module")
async def bob(server: LiveServer) -> Headers:
    return await sign_up(server, "bob")


def profile(**fields: Any) -> dict[str, Any]:
    return {
        "age": 31,
        "weight": 68.5,
        "heightCm": 176,
        "yearsClimbing": 6,
        "currentGrades": {"indoor": {"boulder": "v6"}, "outdoor": {"sport": "5.12a"}},
        "strengths": ["crimps"],
        "weaknesses": ["slab"],
        **fields,
    }


def goal(**fields: Any) -> dict[str, Any]:
    return {
        "type": "grade",
        "description": "Send a V8 boulder",
        "targetGrade": "v8",
        "discipline": "boulder",
        "targetDate": "2027-06-30",
        **fields,
    }


async def test_the_athlete_profile_is_empty_until_saved_then_versioned(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    carol = await sign_up(server, "carol")
    empty = await http.get(PROFILE, headers=carol)
    assert empty.status_code == 200
    assert empty.json()["version"] == 0
    assert empty.json()["strengths"] == []
    assert "age" not in empty.json()

    assert (await http.put(PROFILE, json=profile(), headers=carol)).status_code == 428
    created = await http.put(PROFILE, json={**profile(), "version": 0}, headers=carol)
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["version"] == 1
    assert body["currentGrades"]["indoor"]["boulder"] == "V6"
    assert body["currentGrades"]["outdoor"]["sport"] == "5.12a"
    assert (await http.get(PROFILE, headers=carol)).json() == body

    # A second "create" (version 0) would overwrite what the first wrote: a conflict.
    again = await http.put(PROFILE, json={**profile(age=40), "version": 0}, headers=carol)
    assert again.status_code == 409
    updated = await http.put(PROFILE, json={**profile(age=32), "version": 1}, headers=carol)
    assert updated.status_code == 200
    assert (updated.json()["age"], updated.json()["version"]) == (32, 2)
    stale = await http.put(PROFILE, json={**profile(age=50), "version": 1}, headers=carol)
    assert stale.status_code == 409
    assert (await http.get(PROFILE, headers=carol)).json()["age"] == 32


async def test_each_climber_sees_only_their_own_profile(
    http: httpx.AsyncClient, alice: Headers, bob: Headers
) -> None:
    current = (await http.get(PROFILE, headers=alice)).json()
    saved = await http.put(
        PROFILE,
        json={**profile(weaknesses=["alices secret"]), "version": current["version"]},
        headers=alice,
    )
    assert saved.status_code == 200
    bobs = (await http.get(PROFILE, headers=bob)).json()
    assert "alices secret" not in bobs["weaknesses"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"age": 5}, "age"),
        ({"currentGrades": {"indoor": {"boulder": "5.11a"}}}, "currentGrades.indoor.boulder"),
        ({"strengths": [""]}, "strengths.0"),
        ({"strengths": ["\u200b"]}, "strengths.0"),  # nothing left once the invisible goes
        ({"weight": "70"}, "weight"),
    ],
)
async def test_an_invalid_profile_is_refused_with_the_field_named(
    http: httpx.AsyncClient, alice: Headers, change: dict[str, Any], field: str
) -> None:
    before = (await http.get(PROFILE, headers=alice)).json()
    response = await http.put(
        PROFILE, json={**profile(), **change, "version": before["version"]}, headers=alice
    )
    assert response.status_code == 422
    assert field in field_names(response)
    assert (await http.get(PROFILE, headers=alice)).json() == before


async def test_goals_round_trip_and_filter_by_status(
    http: httpx.AsyncClient, server: LiveServer
) -> None:
    dave = await sign_up(server, "dave")
    assert (await http.get(GOALS, headers=dave)).json() == {"items": []}
    first = await http.post(GOALS, json=goal(), headers=dave)
    assert first.status_code == 201, first.text
    created = first.json()
    assert (created["targetGrade"], created["status"], created["version"]) == ("V8", "active", 1)
    second = (await http.post(GOALS, json=goal(type="fitness", description="10 pull-ups",
                                                targetGrade=None, discipline=None),
                               headers=dave)).json()  # fmt: skip

    listed = (await http.get(GOALS, headers=dave)).json()["items"]
    assert [item["id"] for item in listed] == [created["id"], second["id"]]  # oldest first
    url = f"{GOALS}/{created['id']}"
    assert (await http.get(url, headers=dave)).json() == created

    done = await http.put(url, json={**goal(status="achieved"), "version": 1}, headers=dave)
    assert done.status_code == 200
    assert done.json()["status"] == "achieved"
    achieved = (await http.get(GOALS, params={"status": "achieved"}, headers=dave)).json()
    assert [item["id"] for item in achieved["items"]] == [created["id"]]
    active = (await http.get(GOALS, params={"status": "active"}, headers=dave)).json()
    assert [item["id"] for item in active["items"]] == [second["id"]]
    bogus = await http.get(GOALS, params={"status": "someday"}, headers=dave)
    assert bogus.status_code == 422
    assert "status" in field_names(bogus)

    assert (await http.put(url, json=goal(), headers=dave)).status_code == 428
    stale = await http.put(url, json={**goal(description="x"), "version": 1}, headers=dave)
    assert stale.status_code == 409
    assert (await http.delete(url, headers=dave)).status_code == 204
    assert (await http.delete(url, headers=dave)).status_code == 404
    remaining = (await http.get(GOALS, headers=dave)).json()["items"]
    assert [item["id"] for item in remaining] == [second["id"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"targetGrade": "5.12a"}, "body"),  # a route grade for a boulder goal
        ({"type": "dream"}, "type"),
        ({"description": ""}, "description"),
        ({"description": "\u200b\u202e"}, "description"),
    ],
)
async def test_an_invalid_goal_is_refused_with_the_field_named(
    http: httpx.AsyncClient, alice: Headers, change: dict[str, Any], field: str
) -> None:
    response = await http.post(GOALS, json={**goal(), **change}, headers=alice)
    assert response.status_code == 422
    assert field in field_names(response)


async def test_another_users_goal_is_not_found_and_stays_unchanged(
    http: httpx.AsyncClient, alice: Headers, bob: Headers
) -> None:
    created = (await http.post(GOALS, json=goal(), headers=alice)).json()
    url = f"{GOALS}/{created['id']}"
    assert (await http.get(url, headers=bob)).status_code == 404
    put = await http.put(url, json={**goal(status="abandoned"), "version": 1}, headers=bob)
    assert put.status_code == 404
    assert (await http.delete(url, headers=bob)).status_code == 404
    assert (await http.get(url, headers=alice)).json() == created
    assert created["id"] not in {
        g["id"] for g in (await http.get(GOALS, headers=bob)).json()["items"]
    }


async def test_athlete_endpoints_need_a_valid_token(http: httpx.AsyncClient) -> None:
    bad = {"Authorization": "Bearer garbage"}
    for response in (
        await http.get(PROFILE),
        await http.put(PROFILE, json={**profile(), "version": 0}, headers=bad),
        await http.get(GOALS, headers=bad),
        await http.post(GOALS, json=goal()),
        await http.delete(f"{GOALS}/abc", headers=bad),
    ):
        assert response.status_code == 401
