"""What a plan is generated from (`context.plans`), read from a real table on every engine."""

from __future__ import annotations

from datetime import date

from context.plans import plan_inputs, plan_library
from store.seed import ReferenceData, load_reference, seed_reference
from store.table import Table

TODAY = date(2026, 3, 11)


async def test_a_table_without_a_seeded_library_plans_from_the_packaged_one(
    table: Table,
) -> None:
    packaged = load_reference().exercises
    # In id order, as a seeded table lists them: the library's order never changes a plan.
    assert [e.id for e in await plan_library(table)] == sorted(e.id for e in packaged)


async def test_a_seeded_library_is_the_one_plans_use(table: Table) -> None:
    packaged = load_reference()
    few = packaged.exercises[:3]
    await seed_reference(table, ReferenceData(exercises=few, templates=packaged.templates))
    assert {e.id for e in await plan_library(table)} == {e.id for e in few}


async def test_a_climber_with_nothing_logged_gets_inputs_that_assume_nothing(
    table: Table,
) -> None:
    inputs = await plan_inputs(table, "new-0001", TODAY)
    assert inputs.today == TODAY
    assert (inputs.years_climbing, inputs.level, inputs.training_days) == (None, None, None)
    assert (inputs.goal, inputs.injuries, inputs.recent_weekly_load) == (None, (), None)
