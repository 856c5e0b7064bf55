"""Each tier's gates through REST and the socket, on one live server whose settings give a
`scripted://` model to each name the shipped tier file uses (`V7_MODEL` "default",
`V7_STRONG_MODEL` "strong", `V7_QUICK_MODEL` "quick"), and whose tier file gives Pro a quick
model by URL:

* which model answers: the tier's coaching model for coaching (Premium's the strong one), its
  quick model for a short answer (a grade conversion), a URL in the tier file as written;
* analytics: free gets the basic view (advanced figures null, `withheld` saying what Pro adds)
  and `tier_required` for the year and for week-over-week trends; Pro and Premium get it all,
  in `/analytics/*` and in `/stats` alike;
* a downgrade by `v7 users set-tier` takes effect at once on REST and on an open socket,
  deletes nothing, and upgrading again gives the views back.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection

from store.records.user import Tier
from tests.clock import FrozenClock, at
from tests.server.helpers import Headers, set_tier, sign_up
from tests.server.live import LiveServer, live_server
from tests.server.media.helpers import JPEG, sign, storage, upload
from tests.server.pair import chat, receive, say, user_id_of

ROOT = Path(__file__).resolve().parents[2]
PACKAGED = ROOT / "quotas" / "tiers.toml"
CLOCK = FrozenClock(at("2026-12-02T10:00:00"))
"""The server's instant: everything it decides (token lifetimes, media links, "today") reads it."""
TODAY = CLOCK().date()
Frame = dict[str, Any]


def scripted(name: str) -> str:
    return f"scripted://?ttft_ms=0&tokens_per_s=0&tokens=3&name={name}"


PRO_QUICK = scripted("pro-quick")


def tier_file(directory: Path) -> Path:
    """The shipped tier file (models by name), but Pro's quick model given by URL."""
    text = PACKAGED.read_text(encoding="utf-8")
    start = text.index("[pro]\n")
    end = text.index("[", start + len("[pro]\n"))
    body = text[start:end].replace('quick_model = "quick"', f'quick_model = "{PRO_QUICK}"')
    assert body != text[start:end], "the shipped [pro] table no longer says quick_model"
    text = text[:start] + body + text[end:]
    path = directory / "tiers.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    directory = Path(tmp_path_factory.mktemp("tiers"))
    with live_server(
        directory / "data",
        clock=CLOCK,
        model=scripted("server-default"),
        strong_model=scripted("server-strong"),
        quick_model=scripted("server-quick"),
        tiers_file=tier_file(directory),
    ) as live:
        yield live


async def logged(server: LiveServer, headers: Headers) -> None:
    """Two sessions this week (one on the hangboard), one a fortnight ago and one 40 days ago
    (history enough for week-over-week comparisons)."""
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        for back, kind, minutes in (
            (0, "gym", 90),
            (2, "hangboard", 30),
            (16, "gym", 60),
            (40, "gym", 60),
        ):
            body = {
                "date": (TODAY - timedelta(days=back)).isoformat(),
                "sessionType": kind,
                "discipline": "boulder",
                "duration": minutes,
                "rpe": 7,
                "gradesCompleted": ["V4", "V5"],
            }
            response = await http.post("/journal/entries", json=body, headers=headers)
            assert response.status_code == 201, response.text


async def answered_by(socket: ClientConnection, say_id: str, text: str) -> str:
    """The model named by the `stream.start` of the reply to `text` (read to its end)."""
    await say(socket, say_id, text)
    model = ""
    while True:
        frame = await receive(socket, timeout=10)
        if frame["type"] == "error":
            raise AssertionError(frame)
        if frame["type"] == "stream.start" and frame["reply_to"] == say_id:
            model = frame["model"]
        if frame["type"] == "stream.end" and model:
            return model


async def command(socket: ClientConnection, say_id: str, text: str) -> Frame:
    """The `reply` or `error` frame answering the slash command `text`."""
    await say(socket, say_id, text)
    while True:
        frame = await receive(socket, timeout=10)
        if frame.get("reply_to") == say_id and frame["type"] in ("reply", "error"):
            return frame


COACHING = "How should I plan my training this week?"
SHORT = "What grade is 7a in the V scale?"


@pytest.mark.parametrize(
    ("tier", "coaching", "short"),
    [
        (Tier.FREE, "server-default", "server-quick"),
        (Tier.PRO, "server-default", "pro-quick"),
        (Tier.PREMIUM, "server-strong", "server-quick"),
    ],
)
async def test_each_tier_is_answered_by_its_models(
    server: LiveServer, tier: Tier, coaching: str, short: str
) -> None:
    headers = await sign_up(server, f"models-{tier}", tier=tier)
    async with chat(server, headers) as socket:
        assert await answered_by(socket, "c1", COACHING) == coaching
        assert await answered_by(socket, "c2", SHORT) == short


async def get(http: httpx.AsyncClient, path: str, headers: Headers, status: int = 200) -> Any:
    response = await http.get(path, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


async def assert_basic(http: httpx.AsyncClient, headers: Headers) -> None:
    """The free tier's analytics over REST: basic figures, what Pro adds, refusals."""
    summary = await get(http, "/analytics/summary?period=90d", headers)
    assert summary["totals"]["sessions"] == 4  # the basic figures are all there
    assert summary["load"]["last7Days"]["load"] == 7 * 120
    withheld = summary["withheld"]
    assert withheld["tier"] == "pro"
    assert withheld["message"].startswith("Pro adds week-over-week trends")
    jump, week = summary["load"]["jump"], summary["load"]["last7Days"]
    # Withheld figures are null, and null fields are left out of the wire.
    assert not {"ratio", "ewmaRatio", "band", "changePercent"} & set(jump)
    assert not {"monotony", "strain"} & set(week)
    assert "fingerLast7Days" not in summary["load"]
    assert all("fingerSessions" not in row for row in summary["load"]["weeks"])
    trends = summary["trends"]
    assert trends["sessions"]["thisWeek"] == 2
    assert "lastWeek" not in trends["sessions"]
    assert trends["comparable"] is False
    for path in (
        "/analytics/summary?period=1y",
        "/analytics/progress?metric=weekly_load&period=1y",
        "/analytics/trends",
    ):
        error = (await get(http, path, headers, 403))["error"]
        assert (error["code"], error["feature"], error["required_tier"]) == (
            "tier_required",
            "advanced_analytics",
            "pro",
        )
        assert "Pro adds" in error["message"]
    chart = await get(http, "/analytics/progress?metric=weekly_load&period=90d", headers)
    assert sum(point["value"] for point in chart["points"]) == 7 * 240


async def assert_advanced(http: httpx.AsyncClient, headers: Headers) -> None:
    summary = await get(http, "/analytics/summary?period=1y", headers)
    assert "withheld" not in summary
    assert summary["load"]["fingerLast7Days"]["hangboardSessions"] == 1
    assert summary["load"]["last7Days"]["monotony"] is not None
    assert summary["load"]["jump"]["ratio"] > 0
    trends = await get(http, "/analytics/trends", headers)
    assert trends["sessions"]["thisWeek"] == 2
    assert trends["sessions"]["lastWeek"] == 0


@pytest.mark.parametrize("tier", [Tier.FREE, Tier.PRO, Tier.PREMIUM])
async def test_analytics_are_the_tiers_over_rest_and_stats(server: LiveServer, tier: Tier) -> None:
    # Logged while Premium (free allows 3 entries a week), then moved to the tier under test.
    headers = await sign_up(server, f"analytics-{tier}")
    await logged(server, headers)
    await set_tier(server, await user_id_of(server, headers), tier)
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        if tier is Tier.FREE:
            await assert_basic(http, headers)
        else:
            await assert_advanced(http, headers)
    async with chat(server, headers) as socket:
        stats = await command(socket, "s1", "/stats 90d")
        year = await command(socket, "s2", "/stats 1y")
    text = stats["text"]
    if tier is Tier.FREE:
        assert "Pro adds week-over-week trends" in text
        assert "Finger load" not in text
        assert "training monotony" not in text
        assert "acute:chronic 0" not in text
        assert stats["data"]["withheld"]["tier"] == "pro"
        assert (year["type"], year["code"]) == ("error", "tier_required")
        assert "Pro adds" in year["message"]
    else:
        assert "Finger load, last 7 days" in text
        assert "Pro adds" not in text
        assert year["type"] == "reply"


async def set_tier_by_cli(server: LiveServer, email: str, tier: str) -> None:
    """`v7 users set-tier EMAIL TIER` as an operator runs it: its own process, same store."""
    env = {**os.environ, "V7_DATA_DIR": str(server.settings.data_dir), "PYTHONPATH": str(ROOT)}
    for name in ("V7_STORE_URL", "V7_REDIS_URL"):
        env.pop(name, None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server.cli", "users", "set-tier", email, tier, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert f"now on the {tier} tier" in out.decode()


async def test_a_downgrade_gates_at_once_and_deletes_nothing(server: LiveServer) -> None:
    headers = await sign_up(server, "downgraded", tier=Tier.PRO)
    await logged(server, headers)
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        email = (await get(http, "/users/profile", headers))["email"]
        plan = await http.post("/training/generate-plan", json={}, headers=headers)
        assert plan.status_code == 201, plan.text
        entries = await get(http, "/journal/entries", headers)
        entry_id = entries["items"][0]["id"]
        photo = await upload(http, headers, entry_id, JPEG)
        await assert_advanced(http, headers)
        before = await get(http, "/users/export", headers)

        async with chat(server, headers) as socket:
            await set_tier_by_cli(server, email, "free")
            # The open socket reads the account per say: the next /stats is already basic.
            stats = await command(socket, "s1", "/stats")
            assert "Pro adds" in stats["text"]
            refused = await command(socket, "s2", "/plan new")
            assert (refused["type"], refused["code"]) == ("error", "tier_required")

        # REST, at once: the gated features refuse, the data is all still there.
        await assert_basic(http, headers)
        generated = await http.post("/training/generate-plan", json={}, headers=headers)
        assert generated.json()["error"]["code"] == "tier_required"
        more_media = await sign(http, headers, entry_id)
        assert more_media.json()["error"]["code"] == "tier_required"
        plans = await get(http, "/training/plans", headers)
        assert [item["id"] for item in plans["items"]] == [plan.json()["id"]]
        media = await get(http, f"/journal/entries/{entry_id}/media", headers)
        assert [item["id"] for item in media["items"]] == [photo["id"]]
        assert (await storage(http, headers))["usedBytes"] == len(JPEG)
        after = await get(http, "/users/export", headers)
        for kind in ("journalEntries", "trainingPlans", "media"):
            ids = [item["id"] for item in after[kind]]
            assert ids == [item["id"] for item in before[kind]] != [], kind

        # Upgrading again restores the views.
        await set_tier_by_cli(server, email, "pro")
        await assert_advanced(http, headers)
        again = await http.post(
            "/training/generate-plan", json={"activate": False}, headers=headers
        )
        assert again.status_code == 201, again.text
