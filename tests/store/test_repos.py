"""Repositories of dated and keyed entities, on every engine (the `table` fixture)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import pytest

from store.errors import ConditionFailed, NotFound
from store.grades import Discipline, parse_grade
from store.records import (
    BenchmarkSendIn,
    GoalIn,
    GoalStatus,
    InjuryIn,
    JournalEntryIn,
    Setting,
    Significance,
    TrainingPlanIn,
)
from store.records.base import Record
from store.repos import GoalRepo, InjuryRepo, JournalRepo, PlanRepo, SendRepo
from store.repos.entity import EntityRepo
from store.table import Table

ALICE = "alice-0001"
BOB = "bob-0002"
TODAY = date(2026, 3, 15)
"""The day these tests write around (the repositories never compare it with "now")."""


def wire(record: Record) -> Any:
    """The wire form of `record`, typed loosely so tests can index into it."""
    return record.to_wire()


def entry(day: date, **changes: Any) -> JournalEntryIn:
    body: dict[str, Any] = {
        "date": day.isoformat(),
        "sessionType": "gym",
        "discipline": "boulder",
        "duration": 60,
        "rpe": 6,
        "gradesCompleted": ["V3", "V4"],
        "physicalCondition": {"soreness": {"fingers": 3}},
    }
    return JournalEntryIn.model_validate({**body, **changes})


def send(day: date, grade: str, significance: str = "routine") -> BenchmarkSendIn:
    return BenchmarkSendIn.model_validate(
        {"grade": grade, "date": day.isoformat(), "significance": significance}
    )


async def test_journal_round_trip(table: Table) -> None:
    repo = JournalRepo(table)
    created = await repo.create(ALICE, entry(TODAY, notes="felt strong", location="The Arch"))
    assert created.version == 1
    fetched = await repo.get(ALICE, created.id)
    assert fetched == created
    assert wire(fetched)["physicalCondition"]["soreness"]["fingers"] == 3
    assert [g.grade for g in fetched.grades_completed] == ["V3", "V4"]


async def test_three_years_paginate_each_entry_exactly_once(table: Table) -> None:
    repo = JournalRepo(table)
    first_day = TODAY - timedelta(days=3 * 365)
    days = [first_day + timedelta(days=offset) for offset in range(0, 3 * 365, 12)]
    # One at a time: moto (the DynamoDB stand-in) is not thread-safe for concurrent
    # transactions; real DynamoDB and SQLite are.
    gate = asyncio.Semaphore(1)

    async def add(day: date) -> str:
        async with gate:
            return (await repo.create(ALICE, entry(day))).id

    ids = dict(zip(await asyncio.gather(*(add(day) for day in days)), days, strict=True))
    await repo.create(BOB, entry(days[10]))  # another user's entry in the same range

    async def walk(**query: Any) -> list[tuple[date, str]]:
        seen: list[tuple[date, str]] = []
        cursor: str | None = None
        while True:
            page = await repo.list(ALICE, limit=7, cursor=cursor, **query)
            assert len(page.items) <= 7
            seen.extend((item.date, item.id) for item in page.items)
            cursor = page.cursor
            if cursor is None:
                return seen

    everything = await walk()
    assert sorted(item_id for _, item_id in everything) == sorted(ids)
    assert [day for day, _ in everything] == sorted(ids.values(), reverse=True)

    start, end = TODAY - timedelta(days=2 * 365), TODAY - timedelta(days=365)
    in_range = sorted(item_id for item_id, day in ids.items() if start <= day <= end)
    oldest_first = await walk(start=start, end=end, newest_first=False)
    assert sorted(item_id for _, item_id in oldest_first) == in_range
    assert len(oldest_first) == len(set(oldest_first))
    assert [day for day, _ in oldest_first] == sorted(day for day, _ in oldest_first)


async def test_another_users_id_is_not_found(table: Table) -> None:
    journal, sends, injuries = JournalRepo(table), SendRepo(table), InjuryRepo(table)
    goals, plans = GoalRepo(table), PlanRepo(table)
    mine = await journal.create(ALICE, entry(TODAY))
    my_send = await sends.create(ALICE, send(TODAY, "V6"))
    my_injury = await injuries.create(
        ALICE, InjuryIn(type="A2 pulley strain", body_part="ring finger", date=TODAY)
    )
    my_goal = await goals.create(
        ALICE, GoalIn.model_validate({"type": "grade", "description": "V8"})
    )
    my_plan = await plans.create(ALICE, TrainingPlanIn(name="Base", start_date=TODAY))
    owned: list[tuple[EntityRepo[Any, Any], str]] = [
        (journal, mine.id),
        (sends, my_send.id),
        (injuries, my_injury.id),
        (goals, my_goal.id),
        (plans, my_plan.id),
    ]
    for repo, item_id in owned:
        with pytest.raises(NotFound):
            await repo.get(BOB, item_id)
        with pytest.raises(NotFound):
            await repo.update(BOB, item_id, {}, expected_version=1)
        with pytest.raises(NotFound):
            await repo.delete(BOB, item_id)
    assert (await journal.list(BOB)).items == []
    assert (await journal.get(ALICE, mine.id)).version == 1
    with pytest.raises(NotFound):
        await journal.get(ALICE, "does-not-exist")


async def test_stale_version_conflicts_and_changes_nothing(table: Table) -> None:
    repo = JournalRepo(table)
    created = await repo.create(ALICE, entry(TODAY - timedelta(days=1)))
    updated = await repo.update(ALICE, created.id, {"rpe": 8}, expected_version=1)
    assert (updated.version, updated.rpe) == (2, 8)
    for changes in ({"rpe": 2}, {"date": (TODAY - timedelta(days=9)).isoformat()}):
        with pytest.raises(ConditionFailed):
            await repo.update(ALICE, created.id, changes, expected_version=1)
    with pytest.raises(ConditionFailed):
        await repo.delete(ALICE, created.id, expected_version=1)
    assert await repo.get(ALICE, created.id) == updated


async def test_concurrent_updates_with_one_version_let_exactly_one_win(table: Table) -> None:
    repo = JournalRepo(table)
    created = await repo.create(ALICE, entry(TODAY))
    results = await asyncio.gather(
        *(repo.update(ALICE, created.id, {"rpe": n}, expected_version=1) for n in range(5)),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, ConditionFailed) for r in results if r not in winners)
    assert (await repo.get(ALICE, created.id)).rpe == winners[0].rpe


async def test_changing_the_date_moves_the_entry(table: Table) -> None:
    repo = JournalRepo(table)
    old_day, new_day = TODAY - timedelta(days=40), TODAY - timedelta(days=3)
    created = await repo.create(ALICE, entry(old_day))
    moved = await repo.update(ALICE, created.id, {"date": new_day.isoformat()}, expected_version=1)
    assert (moved.date, moved.version, moved.id) == (new_day, 2, created.id)
    old_range = await repo.list(ALICE, start=old_day, end=old_day)
    new_range = await repo.list(ALICE, start=new_day, end=new_day)
    assert old_range.items == []
    assert [item.id for item in new_range.items] == [created.id]
    assert await repo.get(ALICE, created.id) == moved
    # The entry and its one pointer, nothing left behind at the old date.
    assert len((await table.query(f"USER#{ALICE}")).items) == 2
    await repo.delete(ALICE, created.id, expected_version=2)
    assert (await table.query(f"USER#{ALICE}")).items == []
    with pytest.raises(NotFound):
        await repo.get(ALICE, created.id)


async def test_invalid_update_writes_nothing(table: Table) -> None:
    repo = JournalRepo(table)
    created = await repo.create(ALICE, entry(TODAY))
    with pytest.raises(ValueError, match="duration"):
        await repo.update(ALICE, created.id, {"duration": 0})
    assert await repo.get(ALICE, created.id) == created
    # Read-only fields are ignored, never set: the store keeps the id and counts the version.
    kept = await repo.update(ALICE, created.id, {"version": 9, "id": "another", "duration": 75})
    assert (kept.id, kept.version, kept.duration_minutes) == (created.id, created.version + 1, 75)


async def test_sends_by_grade_and_significance(table: Table) -> None:
    repo = SendRepo(table)
    grades = ["V3", "V7", "V5", "V10", "V5"]
    for offset, grade in enumerate(grades):
        significance = "milestone" if grade == "V10" else "routine"
        await repo.create(ALICE, send(TODAY - timedelta(days=offset), grade, significance))
    await repo.create(ALICE, send(TODAY, "5.13a"))
    await repo.create(BOB, send(TODAY, "V15"))

    hardest = await repo.list_by_grade(ALICE, Discipline.BOULDER, limit=2)
    assert [s.grade for s in hardest.items] == ["V10", "V7"]
    rest = await repo.list_by_grade(ALICE, Discipline.BOULDER, cursor=hardest.cursor, limit=10)
    assert [s.grade for s in rest.items] == ["V5", "V5", "V3"]
    middle = await repo.list_by_grade(
        ALICE,
        Discipline.BOULDER,
        min_score=parse_grade("V5").score,
        max_score=parse_grade("V7").score,
        hardest_first=False,
    )
    assert [s.grade for s in middle.items] == ["V5", "V5", "V7"]
    routes = await repo.list_by_grade(ALICE, Discipline.ROUTE)
    assert [s.grade for s in routes.items] == ["5.13a"]

    milestones = await repo.list_by_significance(ALICE, Significance.MILESTONE)
    assert [s.grade for s in milestones.items] == ["V10"]

    # Upgrading a send moves it in both indexes.
    v3 = next(s for s in rest.items if s.grade == "V3")
    await repo.update(ALICE, v3.id, {"grade": "V12", "significance": "breakthrough"})
    assert (await repo.list_by_grade(ALICE, Discipline.BOULDER, limit=1)).items[0].id == v3.id
    breakthroughs = await repo.list_by_significance(ALICE, Significance.BREAKTHROUGH)
    assert [s.grade for s in breakthroughs.items] == ["V12"]
    corrected = await repo.update(ALICE, v3.id, {"grade": "5.12a"})
    assert (corrected.discipline, corrected.numeric_grade) == (
        Discipline.ROUTE,
        parse_grade("5.12a").score,
    )
    routes = await repo.list_by_grade(ALICE, Discipline.ROUTE)
    assert [s.grade for s in routes.items] == ["5.13a", "5.12a"]
    await repo.delete(ALICE, v3.id)
    assert (await repo.list_by_significance(ALICE, Significance.BREAKTHROUGH)).items == []


async def test_a_send_stores_only_the_setting_and_attempts_given(table: Table) -> None:
    repo = SendRepo(table)
    bare = await repo.create(ALICE, send(TODAY, "6C+"))
    assert (bare.setting, bare.attempts) == (None, None)
    [stored] = [
        item for item in (await table.query(f"USER#{ALICE}")).items if item.get("id") == bare.id
    ]
    assert "type" not in stored
    assert "attempts" not in stored
    assert await repo.get(ALICE, bare.id) == bare
    counted = await repo.update(ALICE, bare.id, {"attempts": 12, "type": "outdoor"})
    assert (counted.setting, counted.attempts) == (Setting.OUTDOOR, 12)

    # Sends stored when indoor and 1 attempt were the defaults keep them, through updates too.
    old = BenchmarkSendIn.model_validate(
        {"grade": "V5", "date": TODAY.isoformat(), "type": "indoor", "attempts": 1}
    )
    created = await repo.create(ALICE, old)
    assert wire(await repo.get(ALICE, created.id))["attempts"] == 1
    renamed = await repo.update(ALICE, created.id, {"name": "Blue 12"})
    assert (renamed.setting, renamed.attempts, renamed.name) == (Setting.INDOOR, 1, "Blue 12")
    hardest = await repo.list_by_grade(ALICE, Discipline.BOULDER)
    assert {s.id for s in hardest.items} == {bare.id, created.id}


async def test_goals_add_list_and_mark_achieved(table: Table) -> None:
    repo = GoalRepo(table)
    first = await repo.add(
        ALICE,
        GoalIn.model_validate(
            {
                "type": "grade",
                "description": "First V8",
                "targetGrade": "v8",
                "discipline": "boulder",
            }
        ),
    )
    second = await repo.add(
        ALICE, GoalIn.model_validate({"type": "fitness", "description": "Pull-ups"})
    )
    achieved = await repo.mark_achieved(ALICE, first.id)
    assert achieved.status is GoalStatus.ACHIEVED
    assert achieved.achieved_at is not None
    assert achieved.target_grade == "V8"
    active = await repo.list_goals(ALICE, GoalStatus.ACTIVE)
    assert [goal.id for goal in active] == [second.id]
    assert len(await repo.list_goals(ALICE)) == 2
    with pytest.raises(NotFound):
        await repo.mark_achieved(BOB, first.id)


async def test_injuries_open_and_recovered(table: Table) -> None:
    repo = InjuryRepo(table)
    onset = TODAY - timedelta(days=30)
    pulley = await repo.add(
        ALICE, InjuryIn(type="A2 pulley strain", body_part="ring finger", severity=2, date=onset)
    )
    await repo.add(ALICE, InjuryIn(type="tendinopathy", body_part="elbow", date=TODAY))
    assert {i.type for i in await repo.list_open(ALICE)} == {"A2 pulley strain", "tendinopathy"}
    recovered = await repo.mark_recovered(ALICE, pulley.id, TODAY)
    assert (recovered.recovered, recovered.recovered_date) == (True, TODAY)
    assert [i.type for i in await repo.list_open(ALICE)] == ["tendinopathy"]
    with pytest.raises(ValueError, match="recoveredDate"):
        await repo.mark_recovered(ALICE, pulley.id, onset - timedelta(days=1))


async def test_plans_round_trip_and_active(table: Table) -> None:
    repo = PlanRepo(table)
    plan = await repo.create(
        ALICE,
        TrainingPlanIn.model_validate(
            {
                "name": "Power block",
                "startDate": TODAY.isoformat(),
                "weeklyStructure": {"tuesday": {"type": "board", "intensity": "max"}},
            }
        ),
    )
    old = await repo.create(
        ALICE, TrainingPlanIn(name="Old", start_date=TODAY - timedelta(days=90), active=False)
    )
    assert await repo.get(ALICE, plan.id) == plan
    assert [p.id for p in await repo.active(ALICE)] == [plan.id]
    assert {p.id for p in (await repo.list(ALICE)).items} == {plan.id, old.id}
