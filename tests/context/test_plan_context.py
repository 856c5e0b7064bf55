"""The coach is shown today's planned session and this week of the active plan, and the offline
coach says what the plan holds today when asked, in the plan's own figures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from coaching.offline import AnalystModel
from context.assembly import CoachContext
from core.caller import Caller
from handlers.proposals import PROPOSE_TOOL
from store import init_table, open_table
from store.records import TrainingPlanIn
from store.repos import PlanRepo
from store.table import Table

SUNDAY = date(2026, 3, 15)
NOON = datetime(2026, 3, 15, 12, tzinfo=UTC)
POWER_DAY = {
    "type": "power",
    "focus": "limit bouldering",
    "duration": 75,
    "intensity": "high",
    "exercises": [
        {
            "exerciseId": "limit-bouldering",
            "name": "Limit bouldering",
            "sets": 5,
            "reps": 4,
            "restSeconds": 180,
        }
    ],
}


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[Table]:
    url = f"sqlite:///{tmp_path / 'v7.db'}"
    await init_table(url, data_dir=tmp_path)
    async with open_table(url, data_dir=tmp_path) as table:
        yield table


async def _plan(table: Table, sunday: dict[str, object]) -> None:
    await PlanRepo(table).create(
        "alice",
        TrainingPlanIn.model_validate(
            {
                "name": "Spring power",
                "startDate": "2026-03-09",
                "weeklyStructure": {
                    "tuesday": {"type": "endurance", "duration": 90},
                    "sunday": sunday,
                },
            }
        ),
    )


def _context(table: Table) -> CoachContext:
    return CoachContext(table, clock=lambda: NOON, tools=[PROPOSE_TOOL])


async def test_the_prompt_names_todays_planned_session(sqlite: Table) -> None:
    await _plan(sqlite, POWER_DAY)
    assembled = await _context(sqlite).assemble(Caller("alice"), "What should I train today?")
    text = "\n".join(message.content for message in assembled.prompt.messages)
    assert (
        "Today (Sunday) is a power day (<climber_text>limit bouldering</climber_text>), "
        "75 min at high intensity." in text
    )
    assert "- <climber_text>Limit bouldering</climber_text>: 5 × 4, 180 s rest" in text
    assert "Tue 10 Mar: endurance, 90 min, low" in text
    assert "Sun 15 Mar: power, 75 min, high" in text
    plan = assembled.prompt.facts["plan"]
    assert plan["today"]["date"] == SUNDAY.isoformat()
    assert plan["today"]["type"] == "power"


async def test_without_a_plan_the_prompt_says_so(sqlite: Table) -> None:
    assembled = await _context(sqlite).assemble(Caller("alice"), "What should I train today?")
    text = "\n".join(message.content for message in assembled.prompt.messages)
    assert "No active training plan." in text
    assert assembled.prompt.facts["plan"] is None


async def test_the_offline_coach_says_todays_session_when_asked(sqlite: Table) -> None:
    await _plan(sqlite, POWER_DAY)
    context = _context(sqlite)
    asked = await context.assemble(Caller("alice"), "Should I train or rest today?")
    reply = AnalystModel().reply(asked.prompt).text
    # Train or rest: the direct answer names the choice and the plan's day, the next step the
    # session as the plan doses it.
    assert reply.startswith(
        'Offline coach · Train today: your plan "Spring power" has a power day (limit '
        "bouldering), 75 min."
    )
    assert "Next: Limit bouldering: 5 × 4, 180 s rest." in reply
    assert "`/plan done`" in reply
    unrelated = await context.assemble(Caller("alice"), "Any tips for heel hooks on slab?")
    assert "Spring power" not in AnalystModel().reply(unrelated.prompt).text


async def test_the_offline_coach_says_a_rest_day_is_a_rest_day(sqlite: Table) -> None:
    await _plan(sqlite, {"type": "rest"})
    asked = await _context(sqlite).assemble(Caller("alice"), "Should I train today?")
    reply = AnalystModel().reply(asked.prompt).text
    assert reply.startswith('Offline coach · No — rest today: your plan "Spring power" has a rest')
    assert "/plan done" not in reply
