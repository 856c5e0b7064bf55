"""Training plans in the store (`store.repos.plans`), on every engine: at most one plan active,
even when activations race, and the newest-first pages."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from store.errors import ConditionFailed, InvalidCursor
from store.records.training import TrainingPlan, TrainingPlanIn
from store.repos.plans import PlanRepo
from store.table import Table

ALICE = "alice-0001"
BOB = "bob-0002"
START = date(2026, 3, 16)
NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)


def plan(name: str, *, active: bool = True) -> TrainingPlanIn:
    return TrainingPlanIn(name=name, start_date=START, active=active)


async def active_names(repo: PlanRepo, user_id: str = ALICE) -> list[str]:
    return [p.name for p in await repo.active(user_id)]


async def test_storing_an_active_plan_deactivates_the_one_active_before(table: Table) -> None:
    repo = PlanRepo(table)
    first = await repo.create(ALICE, plan("Base"))
    assert await active_names(repo) == ["Base"]
    second = await repo.create(ALICE, plan("Power"))
    assert await active_names(repo) == ["Power"]
    stored_first = await repo.get(ALICE, first.id)
    assert stored_first.active is False
    assert stored_first.version == 2  # written back, so a client holding version 1 gets 409

    # An inactive plan leaves the active one alone.
    await repo.create(ALICE, plan("Someday", active=False))
    assert await active_names(repo) == ["Power"]

    # Updating a plan to active takes over, in the same way.
    await repo.update(ALICE, first.id, {"active": True}, expected_version=2)
    assert await active_names(repo) == ["Base"]
    assert (await repo.get(ALICE, second.id)).active is False

    # Another climber's plans are theirs: nothing of Alice's changes.
    await repo.create(BOB, plan("Bob's"))
    assert await active_names(repo) == ["Base"]
    assert await active_names(repo, BOB) == ["Bob's"]


async def test_concurrent_new_active_plans_leave_exactly_one_active(table: Table) -> None:
    repo = PlanRepo(table)
    # No plan active yet: nothing to deactivate, so only the activation item orders them.
    names = [f"Plan {n}" for n in range(6)]
    created = await asyncio.gather(*(repo.create(ALICE, plan(name)) for name in names))
    assert {p.name for p in created} == set(names)  # every one stored
    active = await repo.active(ALICE)
    assert len(active) == 1
    assert active[0].name in names
    assert len((await repo.list(ALICE)).items) == 6


async def test_concurrent_activations_of_existing_plans_leave_exactly_one_active(
    table: Table,
) -> None:
    repo = PlanRepo(table)
    plans = [await repo.create(ALICE, plan(f"Plan {n}", active=False)) for n in range(5)]
    await asyncio.gather(*(repo.update(ALICE, p.id, {"active": True}) for p in plans))
    assert len(await repo.active(ALICE)) == 1


async def test_a_stale_activation_is_refused_and_changes_nothing(table: Table) -> None:
    repo = PlanRepo(table)
    active = await repo.create(ALICE, plan("Base"))
    other = await repo.create(ALICE, plan("Next", active=False))
    await repo.update(ALICE, other.id, {"name": "Next block"}, expected_version=1)
    with pytest.raises(ConditionFailed):
        await repo.update(ALICE, other.id, {"active": True}, expected_version=1)
    assert await active_names(repo) == ["Base"]
    assert (await repo.get(ALICE, active.id)).version == 1
    assert (await repo.get(ALICE, other.id)).name == "Next block"


async def test_an_active_plan_with_a_taken_id_is_refused(table: Table) -> None:
    repo = PlanRepo(table)
    first = await repo.create(ALICE, plan("Base"))
    copy = first.model_copy(update={"name": "Copy"})
    with pytest.raises(ConditionFailed):
        await repo.insert(ALICE, copy)
    assert (await repo.get(ALICE, first.id)).name == "Base"


def stored(name: str, created: datetime, plan_id: str) -> TrainingPlan:
    return TrainingPlan(
        id=plan_id,
        name=name,
        start_date=START,
        active=False,
        created_at=created,
        updated_at=created,
    )


async def test_pages_run_newest_first_and_visit_each_plan_once(table: Table) -> None:
    repo = PlanRepo(table)
    # Two plans created in the same instant are ordered by id, so no page ever repeats one.
    instants = [NOW, NOW + timedelta(days=1), NOW + timedelta(days=1), NOW + timedelta(days=9)]
    for number, instant in enumerate(instants):
        await repo.insert(ALICE, stored(f"Plan {number}", instant, f"plan-{number}"))
    seen: list[str] = []
    cursor = None
    while True:
        page = await repo.newest_first(ALICE, limit=2, cursor=cursor)
        seen += [p.name for p in page.items]
        cursor = page.cursor
        if cursor is None:
            break
        # A plan created meanwhile (newer than every page) neither repeats nor skips one.
        later = NOW + timedelta(days=30 + len(seen))
        await repo.insert(ALICE, stored("Later", later, f"later-{len(seen)}"))
    assert seen == ["Plan 3", "Plan 2", "Plan 1", "Plan 0"]

    first = await repo.newest_first(ALICE, limit=1)
    assert first.cursor is not None
    with pytest.raises(InvalidCursor):
        await repo.newest_first(BOB, limit=1, cursor=first.cursor)
    with pytest.raises(InvalidCursor):
        await repo.newest_first(ALICE, limit=1, cursor="not-a-cursor")
