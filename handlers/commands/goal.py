"""`/goal`: add a goal, list the active ones, mark one achieved (or dropped).

`/goal V8 boulder by 2027-06-30` adds (the discipline is inferred from the grade when not
given); `/goal list` lists active goals numbered 1…; `/goal done 1` (or an id) marks achieved;
`/goal drop 1` abandons.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from handlers.commands.context import Turn
from handlers.commands.dates import DateError, parse_iso
from handlers.commands.fields import invalid
from handlers.commands.grading import take_grade
from handlers.commands.picking import pick
from handlers.commands.tokens import Cursor, tokenize
from handlers.errors import InvalidEntry
from handlers.undo import UndoAction
from store.grades import Discipline
from store.records import Goal, GoalIn, GoalStatus, GoalType

USAGE = "/goal V8 boulder by 2027-06-30"
GRAMMAR = (
    "/goal [GRADE] [boulder|sport|trad|toprope] [project|fitness|competition] [DESCRIPTION] "
    "[by YYYY-MM-DD] · /goal list · /goal done N · /goal drop N"
)

TYPES = {
    "grade": GoalType.GRADE,
    "project": GoalType.PROJECT,
    "fitness": GoalType.FITNESS,
    "competition": GoalType.COMPETITION,
    "comp": GoalType.COMPETITION,
}
DISCIPLINES = {
    "boulder": "boulder",
    "bouldering": "boulder",
    "sport": "sport",
    "lead": "sport",
    "route": "sport",
    "trad": "trad",
    "toprope": "top_rope",
    "top-rope": "top_rope",
    "tr": "top_rope",
}
LIST = frozenset({"list", "ls", "show", "active"})
DONE = frozenset({"done", "achieved", "complete", "completed", "sent"})
DROP = frozenset({"drop", "abandon", "abandoned", "cancel"})


def parse_goal(args: str, today: date) -> GoalIn:
    """The goal `args` describes. Raises `InvalidEntry` saying what was expected."""
    cursor = Cursor(tokenize(args))
    data: dict[str, Any] = {}
    words: list[str] = []
    grade_text: str | None = None
    inferred_discipline: str | None = None
    while not cursor.done:
        word = cursor.word()
        if word == "by" and cursor.peek(1) is not None:
            cursor.take()
            data["targetDate"] = _target(cursor.take()[0].text, today)
        elif word in TYPES:
            cursor.take()
            data["type"] = TYPES[word]
        elif word in DISCIPLINES:
            cursor.take()
            data["discipline"] = DISCIPLINES[word]
        elif grade_text is None and (climbed := take_grade(cursor)) is not None:
            grade_text = climbed.text
            data["targetGrade"] = climbed.text
            is_boulder = climbed.grade.discipline is Discipline.BOULDER
            inferred_discipline = "boulder" if is_boulder else "sport"
        else:
            words.append(cursor.take()[0].text)
    if inferred_discipline is not None:
        data.setdefault("discipline", inferred_discipline)
    if grade_text is None and not words:
        raise InvalidEntry(f"/goal needs a grade or a few words about the goal — e.g. {USAGE}")
    data.setdefault("type", GoalType.GRADE if grade_text is not None else GoalType.OTHER)
    described = " ".join(words)
    if not described:
        discipline = str(data.get("discipline", "")).replace("_", " ")
        described = f"Climb {grade_text} {discipline}".strip()
    data["description"] = described
    try:
        return GoalIn.model_validate(data)
    except ValidationError as error:
        raise invalid(error, USAGE) from None


def _target(text: str, today: date) -> date:
    try:
        day = parse_iso(text)
    except DateError as error:
        raise InvalidEntry(str(error)) from None
    if day is None:
        raise InvalidEntry(f"'by' needs a date like 2027-06-30 — e.g. {USAGE}")
    if day < today:
        raise InvalidEntry(f"{day.isoformat()} has passed; a goal's date is in the future")
    return day


async def active_goals(turn: Turn) -> list[Goal]:
    """The user's active goals, oldest first: the numbering `/goal list` shows."""
    return await turn.repos.goals.list_goals(turn.user_id, GoalStatus.ACTIVE)


def describe(goal: Goal) -> str:
    parts = [goal.description]
    if goal.target_grade and goal.target_grade not in goal.description:
        parts.append(f"({goal.target_grade})")
    if goal.target_date:
        parts.append(f"by {goal.target_date.isoformat()}")
    return " ".join(parts)


async def run(turn: Turn, args: str) -> None:
    head, _, rest = args.partition(" ")
    verb = head.lower()
    if not args or verb in LIST:
        await _list(turn)
    elif verb in DONE or verb in DROP:
        await _close(turn, rest, GoalStatus.ACHIEVED if verb in DONE else GoalStatus.ABANDONED)
    else:
        goal = await turn.repos.goals.create(turn.user_id, parse_goal(args, turn.today))
        await turn.saved(
            UndoAction("goal", "goal", goal.id, "delete", goal.version), goal.to_wire()
        )


async def _list(turn: Turn) -> None:
    goals = await active_goals(turn)
    if not goals:
        await turn.reply(f"No active goals. Add one: {USAGE}", {"goals": []})
        return
    lines = [f"{n}. {describe(goal)}" for n, goal in enumerate(goals, start=1)]
    text = "Active goals:\n" + "\n".join(lines) + "\nMark one achieved: /goal done 1"
    await turn.reply(text, {"goals": [goal.to_wire() for goal in goals]})


async def _close(turn: Turn, ref: str, status: GoalStatus) -> None:
    goal = pick(await active_goals(turn), ref, what="goal", usage="/goal done 1")
    previous = goal.to_wire()

    def change(current: Goal) -> Goal:
        achieved = turn.now if status is GoalStatus.ACHIEVED else None
        return current.model_copy(update={"status": status, "achieved_at": achieved})

    updated = await turn.repos.goals.modify(
        turn.user_id, goal.id, change, expected_version=goal.version
    )
    await turn.saved(
        UndoAction("goal", "goal", goal.id, "restore", updated.version, previous),
        updated.to_wire(),
    )
