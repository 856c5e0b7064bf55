"""`/goal`: add a goal, list the active ones, mark one achieved (or dropped).

`/goal V8 boulder by 2027-06-30` adds (the discipline is inferred from the grade when not
given); `/goal list` lists active goals numbered 1…; `/goal done 1` (or an id) marks achieved;
`/goal drop 1` abandons."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from core.errors import InvalidEntry
from grammar.dates import DateError, parse_iso
from grammar.fields import invalid
from grammar.grading import take_grade
from grammar.tokens import Cursor, tokenize
from store.grades import Discipline
from store.records import GoalIn, GoalType

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
