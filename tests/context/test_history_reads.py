"""How long a climber has logged, read from a real table (SQLite and DynamoDB): the first
logged session is one query in the analytics' read wave, whatever window the analytics read,
and the 7 days of nutrition include today's meals (issue 13)."""

from __future__ import annotations

from datetime import date, timedelta

from coaching.analytics import Period, render_text
from context.reads import assemble
from store.records import JournalEntryIn
from store.records.nutrition import MealIn
from store.repos import JournalRepo, NutritionLogRepo
from store.table import Table
from tests.clock import FrozenClock, at
from tests.coaching.builders import session

CLOCK = FrozenClock(at("2026-12-04T12:00:00"))
TODAY = date(2026, 12, 4)


async def log(table: Table, user: str, day: date, minutes: int, rpe: int) -> None:
    body = {"date": day, "sessionType": "gym", "duration": minutes, "rpe": rpe}
    await JournalRepo(table).create(user, JournalEntryIn.model_validate(body))


async def test_a_new_climbers_first_session_reads_as_no_jump_and_says_when(table: Table) -> None:
    table.clock = CLOCK
    await log(table, "newbie", TODAY, 120, 7)  # 840 AU on sign-up day
    # Someone else's year of history is not the new climber's.
    await JournalRepo(table).insert("veteran", session(TODAY - timedelta(days=365), 60, 5))
    analytics = await assemble(table, "newbie", Period.DAYS_30, TODAY)
    assert analytics.history.first_log == TODAY
    assert analytics.history.baseline_ready_on == date(2026, 12, 25)
    jump = analytics.load.jump
    assert (jump.ratio, jump.change_percent, jump.ewma_ratio) == (None, None, None)
    text = render_text(analytics)
    assert "Load, last 7 days: 840 AU" in text
    assert "Load comparisons start on 25 December, three weeks after your first log" in text
    assert "%" not in text  # no percentage of a baseline that does not exist


async def test_a_first_log_older_than_the_window_read_is_history(table: Table) -> None:
    """The analytics read 84 days of sessions; the first one, 200 days ago, is still found
    (one query, oldest first), so this week is compared with the baseline."""
    table.clock = CLOCK
    journal = JournalRepo(table)
    await journal.insert("alice", session(TODAY - timedelta(days=200), 60, 5))
    assert await journal.first_day("alice") == TODAY - timedelta(days=200)
    assert await journal.first_day("nobody") is None
    for back in (20, 13, 6, 2):
        await log(table, "alice", TODAY - timedelta(days=back), 60, 5)
    analytics = await assemble(table, "alice", Period.DAYS_30, TODAY)
    assert analytics.history.enough_for_baseline
    assert analytics.history.first_log == TODAY - timedelta(days=200)
    jump = analytics.load.jump
    # 600 AU this week over (300 + 300 + 600 + 0) / 4 = 300 AU a week.
    assert (jump.acute, jump.chronic, jump.ratio, jump.band) == (600, 300, 2.0, "sharp_jump")
    assert "jumped 100 % over your 4-week baseline" in render_text(analytics)


async def test_todays_meal_counts_in_the_seven_days(table: Table) -> None:
    table.clock = CLOCK
    meals = NutritionLogRepo(table)
    await meals.add_meal("alice", TODAY, MealIn(meal_type="lunch", calories=650, protein_g=35))
    old = TODAY - timedelta(days=7)
    await meals.add_meal("alice", old, MealIn(meal_type="lunch", calories=3000, protein_g=90))
    analytics = await assemble(table, "alice", Period.DAYS_30, TODAY)
    food = analytics.nutrition
    assert (food.start, food.end, food.days_logged) == (TODAY - timedelta(days=6), TODAY, 1)
    assert food.rows[0].average == 650
