"""`/analytics/summary|progress|trends` through a live server: computed figures, the series a
chart draws, validation (422), authentication (401) and one user's data only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.clock import FrozenClock, at
from tests.server.helpers import Headers, sign_up
from tests.server.live import LiveServer, live_server

CLOCK = FrozenClock(at("2026-12-04T12:00:00"))
"""The server's clock in this module: the figures below are computed for this day."""
TODAY = CLOCK().date()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(Path(tmp_path_factory.mktemp("server")), clock=CLOCK) as live:
        yield live


def entry(back: int, minutes: int, rpe: float, sent: list[str], **fields: Any) -> dict[str, Any]:
    return {
        "date": (TODAY - timedelta(days=back)).isoformat(),
        "sessionType": "gym",
        "discipline": "boulder",
        "duration": minutes,
        "rpe": rpe,
        "gradesCompleted": sent,
        **fields,
    }


@pytest.fixture(scope="module")
async def alice(server: LiveServer) -> Headers:
    headers = await sign_up(server, "alice")
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        for body in (
            entry(1, 90, 7, ["V4", "V5", "V5"]),
            entry(3, 60, 8, ["V4", "V6"]),
            entry(40, 120, 6, ["V3", "V3"]),
            entry(2, 180, 5, ["5.11a"], discipline="sport", type="outdoor"),
        ):
            response = await http.post("/journal/entries", json=body, headers=headers)
            assert response.status_code == 201, response.text
    return headers


async def get(http: httpx.AsyncClient, path: str, headers: Headers) -> dict[str, Any]:
    response = await http.get(path, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_summary_has_every_figure_in_camel_case(
    http: httpx.AsyncClient, alice: Headers
) -> None:
    body = await get(http, "/analytics/summary?period=30d", alice)
    assert (body["period"], body["end"]) == ("30d", TODAY.isoformat())
    assert body["totals"]["sessions"] == 3  # the 40-day-old session is outside
    tops = {(m["discipline"], m["type"]): m["grade"] for m in body["grades"]["maxGrades"]}
    assert tops == {("boulder", "indoor"): "V6", ("route", "outdoor"): "5.11a"}
    assert body["load"]["last7Days"]["load"] == 630 + 480 + 900
    assert "jump" in body["load"]
    assert {t["part"] for t in body["body"]["soreness"]} == {
        "fingers", "forearms", "shoulders", "back", "legs"
    }  # fmt: skip
    assert body["nutrition"]["daysLogged"] == 0
    assert "adherence" not in body  # no plan
    year = await get(http, "/analytics/summary?period=1y", alice)
    assert year["totals"]["sessions"] == 4
    assert (await get(http, "/analytics/summary", alice))["period"] == "30d"


async def test_progress_series_for_the_charts(http: httpx.AsyncClient, alice: Headers) -> None:
    load = await get(http, "/analytics/progress?metric=weekly_load&period=90d", alice)
    assert (load["metric"], load["unit"]) == ("weekly_load", "AU")
    weeks = [date.fromisoformat(p["weekStart"]) for p in load["points"]]
    assert weeks == sorted(weeks)
    assert all(week.weekday() == 0 for week in weeks)
    assert sum(p["value"] for p in load["points"]) == 630 + 480 + 900 + 720
    sessions = await get(http, "/analytics/progress?metric=sessions&period=90d", alice)
    assert sum(p["value"] for p in sessions["points"]) == 4
    volume = await get(http, "/analytics/progress?metric=volume&period=90d", alice)
    assert volume["unit"] == "minutes"
    assert sum(p["value"] for p in volume["points"]) == 450
    assert sum(p["climbs"] for p in volume["points"]) == 8
    grades = await get(http, "/analytics/progress?metric=max_grade&period=90d", alice)
    assert "points" not in grades
    boulder = next(s for s in grades["maxGrade"] if s["discipline"] == "boulder")
    assert boulder["points"][-1]["grade"] in ("V5", "V6")
    assert max(p["score"] for p in boulder["points"]) == 71  # V6
    pyramid = await get(http, "/analytics/progress?metric=pyramid&period=30d", alice)
    indoor = next(p for p in pyramid["pyramids"] if p["discipline"] == "boulder")
    assert [(r["grade"], r["count"], r.get("target")) for r in indoor["rows"][:3]] == [
        ("V6", 1, 2),
        ("V5", 2, 4),
        ("V4", 2, 8),
    ]


async def test_trends_week_over_week(http: httpx.AsyncClient, alice: Headers) -> None:
    body = await get(http, "/analytics/trends", alice)
    assert body["end"] == TODAY.isoformat()
    assert body["sessions"]["thisWeek"] == 3
    assert body["sessions"]["lastWeek"] == 0
    assert body["load"]["thisWeek"] == 630 + 480 + 900
    assert body["maxGrade"][0]["thisWeek"] == "V6"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/analytics/summary?period=7d", "period"),
        ("/analytics/summary?period=", "period"),
        ("/analytics/summary?periode=30d", "periode"),
        ("/analytics/progress?period=30d", "metric"),
        ("/analytics/progress?metric=vibes&period=30d", "metric"),
        ("/analytics/progress?metric=sessions&period=2y", "period"),
        ("/analytics/trends?period=30d", "period"),
    ],
)
async def test_invalid_queries_are_422_with_the_field(
    http: httpx.AsyncClient, alice: Headers, query: str, field: str
) -> None:
    response = await http.get(query, headers=alice)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_entry"
    assert [item["field"] for item in error["fields"]] == [field]


@pytest.mark.parametrize(
    "path", ["/analytics/summary", "/analytics/progress?metric=sessions", "/analytics/trends"]
)
async def test_a_token_is_required(http: httpx.AsyncClient, path: str) -> None:
    assert (await http.get(path)).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert (await http.get(path, headers=bad)).status_code == 401


async def test_another_user_sees_only_their_own(
    http: httpx.AsyncClient, server: LiveServer, alice: Headers
) -> None:
    bob = await sign_up(server, "bob")
    body = await get(http, "/analytics/summary?period=1y", bob)
    assert body["totals"]["sessions"] == 0
    assert body["grades"]["maxGrades"] == []
    assert body["goals"] == []
