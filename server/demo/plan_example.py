"""The README's worked example: the plan generated for the demo climber, injured and not.

`python -m server.demo.plan_example [YYYY-MM-DD]` seeds the demo history of that day into a
throw-away SQLite table, reads the generator's inputs the way `POST /training/generate-plan`
does (`context.plans.plan_inputs`) and prints both plans as Markdown: once as the demo climber
is (an open, ungraded left shoulder strain) and once with that strain marked recovered. A test
checks that the README shows exactly this output for the README's date, so the example cannot
drift from the generator.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

from coaching.plans import generate
from coaching.plans.view import exercise_text
from context.plans import plan_inputs, plan_library
from server.demo import build_history, write_history
from store import init_table, open_table
from store.records import Injury, TrainingPlanIn
from store.records.common import WEEKDAY_NAMES
from store.records.training import DayPlan

EXAMPLE_DAY = date(2026, 12, 4)
"""The day the README's example was generated on (a Friday: the plan starts on Monday)."""

_USER = "demo"


async def demo_plans(today: date) -> tuple[TrainingPlanIn, TrainingPlanIn]:
    """The demo climber's generated plan on `today`: as seeded, and with the injuries healed."""
    history = build_history(today)
    plans = []
    for healed in (False, True):
        shown = replace(
            history, injuries=[_healed(i, today) if healed else i for i in history.injuries]
        )
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/example.db"
            await init_table(url, data_dir=Path(folder))
            async with open_table(url, data_dir=Path(folder)) as table:
                await write_history(table, _USER, shown, plans=False, chat=False)
                inputs = await plan_inputs(table, _USER, today)
                library = await plan_library(table)
        plans.append(generate(inputs, library))
    return plans[0], plans[1]


def _healed(injury: Injury, today: date) -> Injury:
    if injury.recovered:
        return injury
    return injury.model_copy(update={"recovered": True, "recovered_date": today})


def _cell(day: DayPlan) -> str:
    if not day.training:
        return "·"
    return f"{day.type.value} {day.intensity.value} {day.duration_minutes}′"


def render(plan: TrainingPlanIn, *, detail: bool) -> str:
    """The plan as Markdown: inputs, assumptions, phases, the weeks, and (with `detail`) the
    first week's training days with their exercises and reasons."""
    out = [f"**{plan.name}**, {plan.start_date} to {plan.end_date}.", ""]
    if plan.generated and plan.generated.inputs:
        out += ["Read from the log: " + "; ".join(plan.generated.inputs) + ".", ""]
    out += [f"- {assumption}" for assumption in plan.assumptions]
    out += ["", "| Phase | Weeks | Purpose |", "|---|---|---|"]
    for phase in plan.phases:
        out.append(f"| {phase.name} | {phase.start_date} to {phase.end_date} | {phase.purpose} |")
    heads = " | ".join(name[:3].title() for name in WEEKDAY_NAMES)
    out += ["", f"| Week of | Load (AU) | {heads} |", "|---|---|" + "---|" * 7]
    for week in plan.weeks:
        label = f"{week.target_load:,}" + (" deload" if week.deload else "")
        cells = " | ".join(_cell(week.days.day(index)) for index in range(7))
        out.append(f"| {week.start_date} | {label} | {cells} |")
    if detail and plan.weeks:
        first = plan.weeks[0]
        out += ["", f"The week of {first.start_date}, day by day:", ""]
        for index, name in enumerate(WEEKDAY_NAMES):
            day = first.days.day(index)
            if day.training:
                exercises = "; ".join(exercise_text(e) for e in day.exercises)
                out.append(f"- **{name.title()}**, {_cell(day)}: {exercises}. *Why:* {day.reason}.")
    return "\n".join(out)


def markdown(today: date) -> str:
    """Both examples, as the README shows them."""
    injured, healed = asyncio.run(demo_plans(today))
    return "\n".join(
        [
            "As seeded (an open, ungraded left shoulder strain):",
            "",
            render(injured, detail=False),
            "",
            "The same climber once the shoulder is marked recovered:",
            "",
            render(healed, detail=True),
        ]
    )


def main(argv: list[str]) -> int:
    today = date.fromisoformat(argv[0]) if argv else EXAMPLE_DAY
    print(markdown(today))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
