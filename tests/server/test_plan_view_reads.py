"""What the web UI's plan view relies on, through a live server: `POST /training/generate-plan`
makes a Pro climber's plan from their own data (phases, weeks, each day's exercises and reason)
and makes it the active one; `GET /training/plans` lists plans newest first with the active one
marked; a Free climber is refused with `tier_required` and nothing is written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from store.records.user import Tier
from tests.clock import FrozenClock, at
from tests.server.helpers import Headers, sign_up
from tests.server.live import LiveServer, live_server

MONDAY = FrozenClock(at("2026-12-07T10:00:00"))
"""A Monday in UTC and in Europe/Berlin (where `make test-dates` may move the climbers): the
plan starts today."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(Path(tmp_path_factory.mktemp("server")), clock=MONDAY) as live:
        yield live


async def plans(http: httpx.AsyncClient, headers: Headers) -> dict[str, Any]:
    response = await http.get("/training/plans", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_pro_climber_generates_a_plan_that_becomes_the_active_one(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers = await sign_up(server, "pro", tier=Tier.PRO)
    assert await plans(http, headers) == {"items": [], "cursor": None}

    first = await http.post("/training/generate-plan", json={}, headers=headers)
    assert first.status_code == 201, first.text
    plan = first.json()
    assert plan["active"] is True
    assert plan["startDate"] == "2026-12-07"  # today, a Monday
    assert [phase["name"] for phase in plan["phases"]][-1] == "Rest"
    today = plan["weeks"][0]["days"]["monday"]
    training = [d for w in plan["weeks"] for d in w["days"].values() if d["type"] != "rest"]
    assert training, "a plan trains on some days"
    assert all(day["reason"] and day["exercises"] for day in training)
    assert today["reason"]

    MONDAY.advance(timedelta(minutes=1))  # a minute later: the newer plan lists first
    second = (await http.post("/training/generate-plan", json={}, headers=headers)).json()
    listed = await plans(http, headers)
    assert [item["id"] for item in listed["items"]] == [second["id"], plan["id"]]
    assert [item["active"] for item in listed["items"]] == [True, False]
    assert listed["cursor"] is None


async def test_a_free_climber_is_told_plans_come_with_pro_and_nothing_is_written(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers = await sign_up(server, "free", tier=Tier.FREE)
    refused = await http.post("/training/generate-plan", json={}, headers=headers)
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "tier_required"
    assert "Pro" in error["message"]
    assert await plans(http, headers) == {"items": [], "cursor": None}


async def test_plans_are_the_callers_own(server: LiveServer, http: httpx.AsyncClient) -> None:
    assert (await http.get("/training/plans")).status_code == 401
    assert (await http.post("/training/generate-plan", json={})).status_code == 401
    alice = await sign_up(server, "alice", tier=Tier.PREMIUM)
    bob = await sign_up(server, "bob", tier=Tier.PREMIUM)
    made = await http.post("/training/generate-plan", json={}, headers=alice)
    assert made.status_code == 201, made.text
    assert (await plans(http, bob))["items"] == []
