"""`/profile`: show the athlete profile, or set parts of it.

`/profile weight 68kg height 175cm age 31 years 6 boulder V6 sport 7a+` — weight (kg, or lb
converted), height (cm, or m), age, years climbing, ape index (cm), and current grades by
style: `boulder`, `sport`, `toprope`, `trad`, each validated for its discipline. Grades are
indoor unless preceded by `outdoor` (trad is always outdoor). `strengths …`/`weaknesses …`
take comma-separated words.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from handlers.commands.context import Turn
from handlers.commands.fields import invalid
from handlers.commands.tokens import Cursor, tokenize
from handlers.errors import InvalidEntry
from handlers.undo import UndoAction
from store.errors import ConditionFailed
from store.grades import Discipline, GradeError, parse_grade
from store.records import AthleteProfile, AthleteProfileIn

USAGE = "/profile weight 68kg height 175cm age 31 years 6 boulder V6 sport 7a+"
GRAMMAR = (
    "/profile (shows it) · /profile [weight 68kg] [height 175cm] [age 31] [years 6] [ape +3] "
    "[indoor|outdoor] [boulder GRADE] [sport GRADE] [toprope GRADE] [trad GRADE] "
    "[strengths A, B] [weaknesses A, B]"
)

_MEASURE = re.compile(r"^([+-]?\d+(?:[.,]\d+)?)([a-z]*)$")
NUMBERS = {
    "weight": "weightKg",
    "height": "heightCm",
    "age": "age",
    "years": "yearsClimbing",
    "experience": "yearsClimbing",
    "ape": "apeIndexCm",
}
STYLES = {
    "boulder": "boulder",
    "bouldering": "boulder",
    "sport": "sport",
    "lead": "sport",
    "toprope": "topRope",
    "top-rope": "topRope",
    "tr": "topRope",
    "trad": "trad",
}
LISTS = {"strengths": "strengths", "strength": "strengths", "weaknesses": "weaknesses"}
FILLER = frozenset({"climbing", "index", "is", "=", "kg", "cm", "old", "yrs"})
KEYWORDS = frozenset({*NUMBERS, *STYLES, *LISTS, "indoor", "outdoor"})


def parse_changes(args: str) -> dict[str, Any]:
    """The profile fields `args` sets, as a partial wire dict. Raises `InvalidEntry`."""
    cursor = Cursor(tokenize(args))
    changes: dict[str, Any] = {}
    grades: dict[str, dict[str, str]] = {}
    setting = "indoor"
    while not cursor.done:
        word = cursor.word().strip(":")
        if word in ("indoor", "outdoor", "gym"):
            cursor.take()
            setting = "indoor" if word == "gym" else word
        elif word in NUMBERS:
            cursor.take()
            while cursor.word() in FILLER:
                cursor.take()
            value = cursor.take()[0].text if not cursor.done else ""
            changes[NUMBERS[word]] = _measure(word, value)
        elif word in STYLES:
            cursor.take()
            style = STYLES[word]
            where = "outdoor" if style == "trad" else ("indoor" if style == "topRope" else setting)
            grades.setdefault(where, {})[style] = _grade(word, style, cursor)
        elif word in LISTS:
            cursor.take()
            words = cursor.span_until(lambda c: c.word().strip(":") in KEYWORDS)
            changes[LISTS[word]] = [w.strip() for w in words.split(",") if w.strip()]
        else:
            unknown = cursor.take()[0].text
            raise InvalidEntry(
                f"/profile did not understand {unknown!r}; it takes {GRAMMAR} — e.g. {USAGE}"
            )
    if grades:
        changes["currentGrades"] = grades
    return changes


def _measure(field: str, text: str) -> float:
    match = _MEASURE.match(text.lower())
    if match is None:
        raise InvalidEntry(f"'{field}' needs a number, e.g. {USAGE}")
    value, unit = float(match[1].replace(",", ".")), match[2]
    if field == "weight" and unit in ("lb", "lbs"):
        return round(value * 0.45359237, 1)
    if field == "height" and unit == "m":
        return value * 100
    if field == "height" and unit in ("in", "inch", "inches"):
        return round(value * 2.54, 1)
    if unit not in ("", "kg", "cm", "y", "yrs", "years", "yr"):
        raise InvalidEntry(f"{field} {text}: unknown unit {unit!r}, e.g. weight 68kg height 175cm")
    return value


def _grade(word: str, style: str, cursor: Cursor) -> str:
    discipline = Discipline.BOULDER if style == "boulder" else Discipline.ROUTE
    text = cursor.take()[0].text if not cursor.done else ""
    if text.lower() in ("font", "fb", "french", "yds", "uiaa", "ewbank") and not cursor.done:
        text = f"{text} {cursor.take()[0].text}"
    try:
        return parse_grade(text, discipline=discipline).text
    except GradeError as error:
        raise InvalidEntry(f"{word}: {error} — e.g. {USAGE}") from None


def merged(current: AthleteProfile | None, changes: dict[str, Any]) -> AthleteProfileIn:
    """The profile after `changes` (grades merged per setting and style)."""
    base = (
        current.model_dump(by_alias=True, include=set(AthleteProfileIn.model_fields))
        if current
        else {}
    )
    grades = base.get("currentGrades") or {}
    for where, styles in changes.pop("currentGrades", {}).items():
        grades[where] = {**(grades.get(where) or {}), **styles}
    body = {**base, **changes}
    if grades:
        body["currentGrades"] = grades
    try:
        return AthleteProfileIn.model_validate(body)
    except ValidationError as error:
        raise invalid(error, USAGE) from None


def summary(profile: AthleteProfile | None) -> str:
    if profile is None:
        return f"Your profile is empty. Set it: {USAGE}"
    lines = []
    for label, value, unit in (
        ("Weight", profile.weight_kg, " kg"),
        ("Height", profile.height_cm, " cm"),
        ("Age", profile.age, ""),
        ("Years climbing", profile.years_climbing, ""),
        ("Ape index", profile.ape_index_cm, " cm"),
    ):
        if value is not None:
            lines.append(f"{label}: {value:g}{unit}")
    for where, grades in (
        ("indoor", profile.current_grades.indoor.model_dump(by_alias=True, exclude_none=True)),
        ("outdoor", profile.current_grades.outdoor.model_dump(by_alias=True, exclude_none=True)),
    ):
        if grades:
            listed = ", ".join(f"{style} {grade}" for style, grade in grades.items())
            lines.append(f"Grades {where}: {listed}")
    if profile.strengths:
        lines.append("Strengths: " + ", ".join(profile.strengths))
    if profile.weaknesses:
        lines.append("Weaknesses: " + ", ".join(profile.weaknesses))
    return "\n".join(lines) or f"Your profile is empty. Set it: {USAGE}"


async def run(turn: Turn, args: str) -> None:
    repo, user = turn.repos.athlete, turn.user_id
    if not args or args.lower() in ("show", "view"):
        profile = await repo.find(user)
        data = {"profile": profile.to_wire() if profile else None}
        await turn.reply(summary(profile), data)
        return
    changes = parse_changes(args)
    for _ in range(5):
        current = await repo.find(user)
        profile_in = merged(current, dict(changes))
        expected = 0 if current is None else current.version
        try:
            stored = await repo.put(user, profile_in, expected_version=expected)
        except ConditionFailed:
            continue  # another tab wrote in between: merge into the newer profile
        previous = None if current is None else current.to_wire()
        action = UndoAction("profile", "athlete", "profile", "restore", stored.version, previous)
        await turn.saved(action, stored.to_wire())
        return
    raise ConditionFailed("ATHLETE", user, "the profile kept changing")
