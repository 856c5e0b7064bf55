"""What the server tests share: accounts on a live server, and request bodies."""

from __future__ import annotations

import os
import uuid
from datetime import date
from typing import Any

import httpx

from store import open_table
from store.records.user import Subscription, Tier
from store.repos.users import UserRepo
from tests.server.live import LiveServer

Headers = dict[str, str]
DAY0 = date(2025, 3, 1)
PASSWORD = "correct horse 9"
CLIMBER_ZONE = os.environ.get("V7_TEST_CLIMBER_TZ", "UTC")
"""Where the test climbers live (`make test-dates` moves them, e.g. to Europe/Berlin)."""


async def sign_up(server: LiveServer, name: str, *, tier: Tier = Tier.PREMIUM) -> Headers:
    """A fresh account's bearer header. Premium by default so that tests of other behaviour
    are not cut short by the free tier's three journal entries a week."""
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        response = await client.post(
            "/auth/signup",
            json={
                "email": f"{name}-{uuid.uuid4().hex[:8]}@example.com",
                "password": PASSWORD,
                "name": name,
            },
        )
    assert response.status_code == 201, response.text
    user_id = response.json()["userId"]
    if tier is not Tier.FREE:
        await set_tier(server, user_id, tier)
    if CLIMBER_ZONE != "UTC":
        await move_to(server, user_id, CLIMBER_ZONE)
    return {"Authorization": f"Bearer {response.json()['tokens']['accessToken']}"}


async def set_tier(server: LiveServer, user_id: str, tier: Tier) -> None:
    """Change the subscription in the live server's store, as `v7 users set-tier` does."""
    settings = server.settings
    async with open_table(
        settings.resolved_store_url, data_dir=settings.data_dir, clock=server.clock
    ) as table:
        await UserRepo(table).set_subscription(user_id, Subscription(tier=tier))


async def move_to(server: LiveServer, user_id: str, zone: str) -> None:
    """Set the climber's time zone in the live server's store (their profile's preference)."""
    settings = server.settings
    async with open_table(
        settings.resolved_store_url, data_dir=settings.data_dir, clock=server.clock
    ) as table:
        await UserRepo(table).update(user_id, {"preferences": {"timezone": zone}})


def entry(day: date = DAY0, **fields: Any) -> dict[str, Any]:
    return {
        "date": day.isoformat(),
        "sessionType": "gym",
        "discipline": "boulder",
        "duration": 90,
        "rpe": 7,
        "gradesCompleted": ["v4", {"grade": "V5", "count": 2}],
        "gradesAttempted": ["V6"],
        "physicalCondition": {"energy": 6, "soreness": {"fingers": 3}},
        "notes": "crimps felt strong",
        **fields,
    }


def field_names(response: httpx.Response) -> set[str]:
    error = response.json()["error"]
    return {item["field"] for item in error.get("fields", [])}
