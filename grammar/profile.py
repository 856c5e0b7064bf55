"""`/profile`: show the athlete profile, or set parts of it.

`/profile weight 68kg height 175cm age 31 years 6 boulder V6 sport 7a+` — weight (kg, or lb
converted), height (cm, or m), age, years climbing, ape index (cm), and current grades by
style: `boulder`, `sport`, `toprope`, `trad`, each validated for its discipline. Grades are
indoor unless preceded by `outdoor` (trad is always outdoor). `strengths …`/`weaknesses …`
take comma-separated words."""

from __future__ import annotations

import re
from typing import Any

from core.errors import InvalidEntry
from core.text import sentence
from grammar.tokens import Cursor, tokenize
from store.grades import Discipline, GradeError, parse_grade

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
        raise InvalidEntry(
            f"{sentence(field)} {text}: unknown unit {unit!r}, e.g. weight 68kg height 175cm"
        )
    return value


def _grade(word: str, style: str, cursor: Cursor) -> str:
    discipline = Discipline.BOULDER if style == "boulder" else Discipline.ROUTE
    text = cursor.take()[0].text if not cursor.done else ""
    if text.lower() in ("font", "fb", "french", "yds", "uiaa", "ewbank") and not cursor.done:
        text = f"{text} {cursor.take()[0].text}"
    try:
        return parse_grade(text, discipline=discipline).text
    except GradeError as error:
        raise InvalidEntry(f"{sentence(word)}: {error} — e.g. {USAGE}") from None
