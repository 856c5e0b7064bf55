"""Whole-record writes on a version and checked restores (`store.repos.versioned`), on every
engine."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from store.errors import ConditionFailed
from store.records import AthleteProfile, Meal, MealType, NutritionLog
from store.repos import AthleteRepo, NutritionLogRepo
from store.repos.versioned import athlete_profile, fingerprint, nutrition_log
from store.table import Table

ALICE = "alice-0001"
BOB = "bob-0002"
DAY = date(2026, 3, 15)
NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)


def day_log(hydration_ml: float = 0, meals: int = 0) -> NutritionLog:
    eaten = [Meal(meal_type=MealType.SNACK, calories=100) for _ in range(meals)]
    return NutritionLog(date=DAY, hydration_ml=hydration_ml, meals=eaten, updated_at=NOW)


async def test_writes_are_conditioned_on_the_version_read(table: Table) -> None:
    repo = nutrition_log(table, DAY)
    assert await repo.read(ALICE) is None
    first = await repo.write(ALICE, day_log(500), None)
    assert first.version == 1
    with pytest.raises(ConditionFailed):
        await repo.write(ALICE, day_log(900), None)
    second = await repo.write(ALICE, day_log(750), 1)
    assert second.version == 2
    with pytest.raises(ConditionFailed):
        await repo.write(ALICE, day_log(900), 1)
    assert await repo.read(ALICE) == second
    assert await repo.read(BOB) is None
    # The same item the nutrition repository reads, at `NUTRITION#{date}`.
    assert await NutritionLogRepo(table).get(ALICE, DAY) == second
    assert await table.get("USER#" + ALICE, "NUTRITION#2026-03-15") is not None


async def test_restore_deletes_a_created_item_while_unchanged(table: Table) -> None:
    repo = nutrition_log(table, DAY)
    created = await repo.write(ALICE, day_log(500), None)
    await repo.restore(ALICE, None, fingerprint(created.to_wire()))
    assert await repo.read(ALICE) is None


async def test_restore_puts_the_previous_record_back(table: Table) -> None:
    repo = nutrition_log(table, DAY)
    first = await repo.write(ALICE, day_log(500, meals=1), None)
    second = await repo.write(ALICE, day_log(500, meals=2), first.version)
    await repo.restore(ALICE, first.to_wire(), fingerprint(second.to_wire()))
    restored = await repo.read(ALICE)
    assert restored is not None
    assert restored.version == 3
    assert fingerprint(restored.to_wire()) == fingerprint(first.to_wire())


async def test_restore_refuses_a_changed_missing_or_other_users_item(table: Table) -> None:
    repo = nutrition_log(table, DAY)
    with pytest.raises(ConditionFailed):
        await repo.restore(ALICE, None, fingerprint(day_log(500).to_wire()))
    first = await repo.write(ALICE, day_log(500), None)
    after = fingerprint(first.to_wire())
    changed = await repo.write(ALICE, day_log(800), first.version)
    with pytest.raises(ConditionFailed):
        await repo.restore(ALICE, None, after)
    with pytest.raises(ConditionFailed):
        await repo.restore(BOB, None, fingerprint(changed.to_wire()))
    assert await repo.read(ALICE) == changed


async def test_the_athlete_profile_is_the_profile_repositorys_item(table: Table) -> None:
    repo = athlete_profile(table)
    written = await repo.write(ALICE, AthleteProfile(age=31, updated_at=NOW), None)
    assert await AthleteRepo(table).find(ALICE) == written
    await repo.restore(ALICE, None, fingerprint(written.to_wire()))
    assert await AthleteRepo(table).find(ALICE) is None


def test_the_fingerprint_ignores_server_fields_only() -> None:
    wire = day_log(500).to_wire()
    same = {**wire, "version": 7, "updatedAt": "2027-01-01T00:00:00Z"}
    assert fingerprint(same) == fingerprint(wire)
    assert fingerprint({**wire, "hydrationMl": 501}) != fingerprint(wire)
