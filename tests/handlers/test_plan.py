"""`/plan`: a generated plan the climber sees, follows and marks done in the chat; `/profile
days` sets the days it trains on."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from coaching.analytics.adherence import FITS, LOGGED_AS
from store.records.training import DayType
from store.repos import AthleteRepo, JournalRepo, PlanRepo
from tests.handlers.conftest import Harness

MONDAY = date(2026, 3, 16)
"""The Monday after the harness's Wednesday: where a plan made that week starts."""


async def _to(chat: Harness, day: date, hour: int = 9) -> None:
    """Move the harness's clock to `hour`:00 UTC of `day` (the climber's zone is UTC)."""
    now = chat.clock()
    target = now.replace(year=day.year, month=day.month, day=day.day, hour=hour, minute=0)
    chat.clock.advance(target - now)


async def _plans(chat: Harness, user: str = "alice") -> list[Any]:
    return (await PlanRepo(chat.table).list(user)).items


async def test_profile_days_are_set_shown_and_undone(chat: Harness) -> None:
    saved = await chat.saved("/profile days mon wed fri sat")
    assert saved.item["trainingDays"] == ["monday", "wednesday", "friday", "saturday"]
    shown = await chat.reply("/profile")
    assert "Training days: Mon, Wed, Fri, Sat" in shown.text
    again = await chat.saved("/profile training days Tue, Thu weight 60kg")
    assert again.item["trainingDays"] == ["tuesday", "thursday"]
    await chat.saved("/undo")
    profile = await AthleteRepo(chat.table).get("alice")
    assert profile.training_days == ["monday", "wednesday", "friday", "saturday"]


async def test_profile_days_that_are_not_weekdays_are_refused(chat: Harness) -> None:
    error = await chat.error("/profile days mon funday")
    assert error.code == "invalid_entry"
    assert "'funday' is not a weekday" in error.message
    assert await chat.user_items() == []


async def test_without_a_plan_plan_points_to_plan_new(chat: Harness) -> None:
    reply = await chat.reply("/plan")
    assert "no active training plan" in reply.text
    assert "/plan new" in reply.text


async def test_a_free_climber_is_told_what_pro_adds(chat: Harness) -> None:
    error = await chat.error("/plan new V8 by 2027-06-30")
    assert error.code == "tier_required"
    assert "Pro" in error.message
    assert "periodised plan" in error.message
    assert await chat.user_items() == []


async def test_custom_choices_are_premium(chat: Harness) -> None:
    error = await chat.error("/plan new days mon wed emphasis fingers", tier="pro")
    assert error.code == "tier_required"
    assert "Premium" in error.message
    assert await _plans(chat) == []
    saved = await chat.saved("/plan new days mon wed emphasis fingers", tier="premium")
    trained = {
        name
        for week in saved.item["weeks"]
        for name, day in week["days"].items()
        if day["type"] != "rest"
    }
    assert trained <= {"monday", "wednesday"}
    assert saved.item["generated"]["emphasis"] == "fingers"


async def test_plan_new_saves_the_plan_aimed_at_the_goal_named(chat: Harness) -> None:
    await chat.saved("/profile days mon wed fri sat years 5 boulder V6")
    saved = await chat.saved("/plan new V8 by 2027-06-30", tier="pro")
    assert saved.kind == "plan"
    item = saved.item
    assert item["active"] is True
    assert item["startDate"] == MONDAY.isoformat()
    assert item["goals"] == ["Climb V8 boulder"]
    assert "V8" in item["name"]
    trained = {
        name
        for week in item["weeks"]
        for name, day in week["days"].items()
        if day["type"] != "rest"
    }
    assert trained <= {"monday", "wednesday", "friday", "saturday"}
    stored = await PlanRepo(chat.table).get("alice", item["id"])
    assert stored.to_wire() == item
    # The goal aims this plan only: no /goal entry is written.
    assert not [i for i in await chat.user_items() if str(i["sk"]).startswith("GOAL#")]


async def test_a_new_plan_replaces_the_active_one_and_undo_brings_it_back(chat: Harness) -> None:
    first = await chat.saved("/plan new", tier="pro")
    second = await chat.saved("/plan new V7", tier="pro")
    plans = {plan.id: plan.active for plan in await _plans(chat)}
    assert plans == {first.item["id"]: False, second.item["id"]: True}
    undone = await chat.saved("/undo")
    assert undone.item == {"undone": "plan", "id": second.item["id"]}
    plans = {plan.id: plan.active for plan in await _plans(chat)}
    assert plans == {first.item["id"]: True}
    shown = await chat.reply("/plan")
    assert first.item["name"] in shown.text


async def test_plan_shows_this_week_and_todays_session_with_exercises(chat: Harness) -> None:
    await chat.saved("/profile days mon wed fri sat years 5 boulder V6")
    saved = await chat.saved("/plan new V8 by 2027-06-30", tier="pro")
    before = await chat.reply("/plan")
    assert "Your plan starts Mon 16 Mar; nothing is planned today." in before.text
    await _to(chat, MONDAY)
    reply = await chat.reply("/plan")
    week = reply.data and reply.data["week"]
    assert week is not None
    assert week["planId"] == saved.item["id"]
    assert week["weekStart"] == MONDAY.isoformat()
    assert [day["date"] for day in week["days"]] == [
        (MONDAY + timedelta(days=n)).isoformat() for n in range(7)
    ]
    today = week["today"]
    planned = saved.item["weeks"][0]["days"]["monday"]
    assert today["type"] == planned["type"] != "rest"
    assert today["duration"] == planned["duration"]
    assert today["exercises"] == planned["exercises"]
    assert today["exercises"]
    assert (
        f"Today (Monday) is a {planned['type']} day" in reply.text
        or f"Today (Monday) is an {planned['type']} day" in reply.text
    )
    assert f"{planned['duration']} min" in reply.text
    assert planned["exercises"][0]["name"] in reply.text
    assert "Mon 16 Mar" in reply.text
    assert "Sun 22 Mar: rest" in reply.text


async def test_plan_done_logs_todays_session_and_adherence_counts_it(chat: Harness) -> None:
    await chat.saved("/profile days mon wed fri sat years 5 boulder V6")
    saved = await chat.saved("/plan new", tier="pro")
    planned = saved.item["weeks"][0]["days"]["monday"]
    await _to(chat, MONDAY)
    done = await chat.saved("/plan done rpe 7")
    assert done.kind == "session"
    kind = DayType(planned["type"])
    assert done.item["sessionType"] == LOGGED_AS[kind].value
    assert done.item["duration"] == planned["duration"]
    assert done.item["date"] == MONDAY.isoformat()
    assert done.item["rpe"] == 7
    again = await chat.error("/plan done")
    assert again.code == "invalid_entry"
    assert "already logged" in again.message
    assert len((await JournalRepo(chat.table).list("alice")).items) == 1
    stats = await chat.reply("/stats")
    adherence = stats.data and stats.data["adherence"]
    assert adherence is not None
    assert (adherence["plannedDays"], adherence["doneDays"], adherence["asPlannedDays"]) == (
        1,
        1,
        1,
    )
    assert "Plan week of 2026-03-16: 1 of 1 planned day trained, 1 as planned" in stats.text


async def test_plan_done_on_a_rest_day_writes_nothing(chat: Harness) -> None:
    await chat.saved("/profile days mon wed fri sat")
    await chat.saved("/plan new", tier="pro")
    await _to(chat, MONDAY + timedelta(days=1))  # a Tuesday: not a training day
    error = await chat.error("/plan done")
    assert error.code == "invalid_entry"
    assert "Today (Tuesday) is a rest day" in error.message
    assert (await JournalRepo(chat.table).list("alice")).items == []


async def test_a_session_logged_with_log_on_a_planned_day_counts(chat: Harness) -> None:
    await chat.saved("/profile days mon wed fri sat")
    saved = await chat.saved("/plan new", tier="pro")
    kind = DayType(saved.item["weeks"][0]["days"]["monday"]["type"])
    await _to(chat, MONDAY)
    logged = sorted(FITS[kind])[0]
    await chat.saved(f"/log {logged.value} 60min rpe 6")
    await _to(chat, MONDAY + timedelta(days=1))
    stats = await chat.reply("/stats")
    adherence = stats.data and stats.data["adherence"]
    assert adherence is not None
    assert (adherence["plannedDays"], adherence["doneDays"]) == (1, 1)
