"""`assemble`: the analytics read from a real table (SQLite and DynamoDB) in one wave, one
user's data only; and the demo climber's six months as a realistic fixture."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from coaching.analytics import Period, Window, compute, render_text
from context.reads import assemble
from server.demo import build_history
from store import init_table, open_table
from store.records import GoalIn, InjuryIn, JournalEntryIn, NutritionProfileIn, TrainingPlanIn
from store.records.journal import JournalEntry
from store.records.nutrition import MealIn
from store.records.sends import BenchmarkSendIn
from store.repos import (
    AthleteRepo,
    GoalRepo,
    InjuryRepo,
    JournalRepo,
    NutritionLogRepo,
    NutritionProfileRepo,
    PlanRepo,
    SendRepo,
)
from store.table import Condition as _Condition
from store.table import Item, Key, Operation, QueryRequest, Table, Update
from tests.clock import FrozenClock, at
from tests.coaching.builders import inputs, session

DEMO_BUDGET_S = 1.0
"""Generous: assembling the demo climber's analytics takes ~12-25 ms on SQLite (measured)."""


CLOCK = FrozenClock(at("2026-12-04T12:00:00"))
"""These tests run on this instant. On 2026-12-04 the demo's last week adds up to exactly
2,632.5 AU, where rounding half-even and half-up disagree: the day that showed the demo quoting
a figure the analytics rounded differently."""


class Watched(Table):
    """A real table that also records how many reads were in flight at once.

    With `expected`, each read is held until that many have been issued (or a second has
    passed): reads issued in one wave all meet, so `most` counts them however fast the engine
    answers (several reader threads may answer one before a deeper-nested one is issued); a
    read that waits for another's answer arrives only after the second."""

    def __init__(self, inner: Table, expected: int | None = None) -> None:
        self.inner = inner
        self.in_flight = 0
        self.most = 0
        self.reads = 0
        self._expected = expected
        self._met = asyncio.Event()

    async def _get(self, pk: str, sk: str) -> Item | None:
        await self._start()
        try:
            return await self.inner._get(pk, sk)
        finally:
            self.in_flight -= 1

    async def _query(self, request: QueryRequest) -> tuple[list[Item], bool]:
        await self._start()
        try:
            return await self.inner._query(request)
        finally:
            self.in_flight -= 1

    async def _start(self) -> None:
        self.reads += 1
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        if self._expected is None:
            return
        if self.reads >= self._expected:
            self._met.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._met.wait(), 1.0)

    async def _put(self, item: Item, condition: _Condition | None) -> None:
        await self.inner._put(item, condition)

    async def _update(self, operation: Update) -> Item:
        return await self.inner._update(operation)

    async def _delete(self, pk: str, sk: str, condition: _Condition | None) -> Item | None:
        return await self.inner._delete(pk, sk, condition)

    async def _batch_get(self, keys: list[Key]) -> dict[Key, Item]:
        return await self.inner._batch_get(keys)

    async def _transact(self, operations: list[Operation]) -> None:
        await self.inner._transact(operations)

    async def ping(self) -> None:
        await self.inner.ping()

    async def aclose(self) -> None:
        await self.inner.aclose()


async def seed_alice_and_bob(table: Table, today: date) -> None:
    journal = JournalRepo(table)
    for back, sent in ((20, ["V4", "V4"]), (9, ["V5", "V3"]), (2, ["V5", "V6"])):
        body = {"date": today - timedelta(days=back), "sessionType": "gym", "duration": 90,
                "rpe": 7, "gradesCompleted": sent,
                "physicalCondition": {"soreness": {"fingers": 3 + back % 3}}}  # fmt: skip
        await journal.create("alice", JournalEntryIn.model_validate(body))
    await journal.create(
        "bob",
        JournalEntryIn.model_validate(
            {
                "date": today,
                "sessionType": "gym",
                "duration": 600,
                "rpe": 10,
                "gradesCompleted": ["V12"],
            }
        ),
    )
    await SendRepo(table).create(
        "alice",
        BenchmarkSendIn(grade="V6", date=today - timedelta(days=2), significance="breakthrough"),
    )
    await GoalRepo(table).create(
        "alice", GoalIn(type="grade", description="V7", target_grade="V7", discipline="boulder")
    )
    await InjuryRepo(table).create(
        "alice",
        InjuryIn(type="A2 strain", body_part="finger", severity=1, date=today - timedelta(days=7)),
    )
    await NutritionProfileRepo(table).put(
        "alice",
        NutritionProfileIn(weight_kg=60, height_cm=165, age=30, sex="female"),
    )
    await NutritionLogRepo(table).add_meal(
        "alice", today - timedelta(days=1), MealIn(meal_type="lunch", calories=900, protein_g=50)
    )
    await PlanRepo(table).create(
        "alice",
        TrainingPlanIn(
            name="Base",
            start_date=today - timedelta(days=14),
            weekly_structure={"monday": {"type": "climb", "duration": 60}},
        ),
    )


async def test_assemble_reads_one_users_data_in_one_wave(table: Table) -> None:
    table.clock = CLOCK
    today = CLOCK().date()
    await seed_alice_and_bob(table, today)
    watched = Watched(table, expected=11)
    analytics = await assemble(watched, "alice", Period.DAYS_30, today)
    # Eleven reads (sessions, sends, hardest boulders and routes, food, the first logged session,
    # goals, injuries, plans, nutrition profile, athlete profile), all in flight before the
    # first one returned.
    assert watched.reads == 11
    assert watched.most == 11
    assert analytics.totals.sessions == 3
    assert [(m.grade, m.first_sent) for m in analytics.grades.max_grades] == [
        ("V6", today - timedelta(days=2))
    ]
    assert analytics.grades.sends.breakthrough == 1
    assert analytics.load.last_7_days.load == 630
    [goal] = analytics.goals
    assert (goal.best_grade, goal.grades_to_go) == ("V6", 1)
    [injury] = analytics.body.open_injuries
    assert injury.days_since_onset == 7
    assert analytics.nutrition.days_logged == 1
    assert analytics.nutrition.targets.calories.source == "computed"
    assert analytics.adherence is not None
    assert "V12" not in render_text(analytics)  # bob's session
    bob = await assemble(table, "bob", Period.DAYS_30, today)
    assert [m.grade for m in bob.grades.max_grades] == ["V12"]
    assert bob.goals == []
    assert bob.body.open_injuries == []


@pytest.fixture(scope="module")
async def demo(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Table, date]]:
    """The demo climber's six months in SQLite (seeding on moto would take 15-30 s; every
    repository read here is exercised on both engines above)."""
    today = CLOCK().date()
    history = build_history(today)
    data_dir = Path(tmp_path_factory.mktemp("demo"))
    url = f"sqlite:///{data_dir / 'v7.db'}"
    await init_table(url, data_dir=data_dir)
    async with open_table(url, data_dir=data_dir, clock=CLOCK) as table:
        await AthleteRepo(table).put("demo", history.profile)
        await NutritionProfileRepo(table).put("demo", history.nutrition)
        for entry in history.sessions:
            await JournalRepo(table).insert("demo", entry)
        for send in history.sends:
            await SendRepo(table).insert("demo", send)
        for goal in history.goals:
            await GoalRepo(table).insert("demo", goal)
        for item in history.injuries:
            await InjuryRepo(table).insert("demo", item)
        for plan in history.plans:
            await PlanRepo(table).insert("demo", plan)
        for day in history.food:
            await NutritionLogRepo(table).upsert("demo", day)
        yield table, today


async def test_demo_climber_reads_as_the_story_says(demo: tuple[Table, date]) -> None:
    table, today = demo
    started = time.perf_counter()
    analytics = await assemble(table, "demo", Period.DAYS_90, today)
    took = time.perf_counter() - started
    assert took < DEMO_BUDGET_S, f"assembling took {took:.3f} s"
    indoor = next(m for m in analytics.grades.max_grades if m.setting == "indoor")
    assert (indoor.discipline, indoor.grade) == ("boulder", "V7")  # the story's first V7
    assert analytics.grades.sends.breakthrough >= 1
    [shoulder] = analytics.body.open_injuries  # the A2 strain has healed
    assert (shoulder.body_part, shoulder.caps) == ("shoulder", None)
    assert analytics.body.recovered_injuries == 1
    outdoor_goal = next(g for g in analytics.goals if "outdoors" in g.description)
    assert outdoor_goal.named_setting == "outdoor"
    assert outdoor_goal.reached is False
    # The 7 days include today (issue 13), and the demo logs meals up to yesterday.
    assert analytics.nutrition.days_logged == 6
    targets = analytics.nutrition.targets
    assert targets.calories.source == "computed"  # the demo sets no targets of its own
    # 680 + 1,100 − 145 + 5 = 1,640; × 1.725 (active) = 2,829 → 2,830; 1.6 × 68 = 108.8 → 109.
    assert (targets.calories.value, targets.protein_g.value) == (2830, 109)
    assert analytics.adherence is not None
    assert analytics.adherence.plan_name.startswith("Power block")
    assert len(analytics.load.weeks) >= 13


async def test_demo_load_matches_the_figures_the_demo_coach_quoted(
    demo: tuple[Table, date],
) -> None:
    """The demo's last chat message quotes the 7 days to yesterday and their 4-week average,
    computed independently by the demo builder."""
    table, today = demo
    quoted = build_history(today).chat[-1].content
    analytics = await assemble(table, "demo", Period.DAYS_30, today - timedelta(days=1))
    jump = analytics.load.jump
    assert f"add up to {jump.acute:,.0f} AU" in quoted
    # The analytics' own sentence rounds as its figures do (2,632.5 AU reads 2,633 everywhere).
    assert f"{jump.acute:,.0f} AU this week" in jump.summary
    chronic = float(quoted.split("4-week average of ")[1].split(" AU")[0].replace(",", ""))
    assert abs(jump.chronic - chronic) <= 0.5


def test_three_years_of_daily_sessions_compute_in_linear_time() -> None:
    """Computing is O(n): a year's analytics from three years of daily sessions (1,095) cost
    about three times what they cost from one year's (a quadratic pass would cost nine). Timed
    against itself, fastest of three runs each, so a busy machine slows both sides alike; the
    speed itself is measured in bench/."""
    today = date(2026, 3, 15)
    entries = [
        session(today - timedelta(days=back), 60 + back % 60, 3 + back % 7,
                sent=["V3", {"grade": "V4", "count": 2}, "V5"], tried=["V6"],
                physicalCondition={"soreness": {"fingers": back % 8}})
        for back in range(3 * 365)
    ]  # fmt: skip
    window = Window(Period.YEAR, today)

    def fastest(sessions: list[JournalEntry]) -> float:
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            compute(inputs(sessions), window)
            runs.append(time.perf_counter() - started)
        return min(runs)

    analytics = compute(inputs(entries), window)
    assert analytics.totals.sessions == 365
    assert analytics.grades.pyramids[0].rows[0].count == 365
    one_year, three_years = fastest(entries[:365]), fastest(entries)
    assert three_years < 6 * one_year, f"{three_years:.3f} s against {one_year:.3f} s"
