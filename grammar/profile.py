"""`/profile`: show the athlete profile, or set parts of it.

`/profile weight 68kg height 175cm age 31 years 6 boulder V6 sport 7a+` — weight (kg, or lb
converted), height (cm, or m), age, years climbing, ape index (cm), and current grades by
style: `boulder`, `sport`, `toprope`, `trad`, each validated for its discipline. Grades are
indoor unless preceded by `outdoor` (trad is always outdoor). `strengths …`/`weaknesses …`
take comma-separated words. `days mon wed fri sat` (or `training days …`; `days none` clears
them) sets the weekdays the climber can train, which a generated plan uses.

`/profile timezone Europe/Berlin` sets the climber's time zone (an IANA name, any case; a
space in a city name may be typed as is: `America/New York`), on its own: it belongs to the
account, not to the athlete profile. `/profile timezone` alone shows it."""

from __future__ import annotations

import re
from typing import Any

from core.errors import InvalidEntry
from core.text import sentence
from core.zones import EXAMPLE as ZONE_EXAMPLE
from core.zones import UnknownZone, zone_named
from grammar.fields import whole
from grammar.tokens import Cursor, tokenize
from grammar.weekdays import take_weekdays
from store.grades import Discipline, GradeError, parse_grade

USAGE = "/profile weight 68kg height 175cm age 31 years 6 boulder V6 sport 7a+"
DAYS_USAGE = "/profile days mon wed fri sat"
TIMEZONE_USAGE = f"/profile timezone {ZONE_EXAMPLE}"

GRAMMAR = (
    "/profile (shows it) · /profile [weight 68kg] [height 175cm] [age 31] [years 6] [ape +3] "
    "[indoor|outdoor] [boulder GRADE] [sport GRADE] [toprope GRADE] [trad GRADE] "
    "[strengths A, B] [weaknesses A, B] [days mon wed fri sat] · /profile timezone ZONE"
)

TIMEZONE_WORDS = frozenset({"timezone", "tz", "zone", "time-zone"})
"""The words that start a time zone change (`time zone`, two words, too)."""

_MEASURE = re.compile(r"^([+-]?\d+(?:[.,]\d+)?)([a-z]*)$")

NUMBERS = {
    "weight": "weight",
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

DAYS_WORDS = frozenset({"days", "training-days", "trainingdays"})
"""The words that start the climber's training days (`training days`, two words, too)."""

KEYWORDS = frozenset({*NUMBERS, *STYLES, *LISTS, *DAYS_WORDS, "indoor", "outdoor"})


def _at_timezone(cursor: Cursor) -> int:
    """How many words name "time zone" at the cursor: 1 (`timezone`, `tz`, …), 2 (`time zone`)
    or 0 (something else)."""
    word = cursor.word().strip(":")
    if word in TIMEZONE_WORDS:
        return 1
    if word == "time" and cursor.word(1).strip(":") == "zone":
        return 2
    return 0


def _at_days(cursor: Cursor) -> int:
    """How many words name the training days at the cursor: 1 (`days`), 2 (`training days`)
    or 0 (something else)."""
    word = cursor.word().strip(":")
    if word in DAYS_WORDS:
        return 1
    if word in ("training", "train") and cursor.word(1).strip(":") == "days":
        return 2
    return 0


def is_timezone(args: str) -> bool:
    """Whether `args` of `/profile` are about the time zone (`timezone …`, `time zone …`)."""
    return _at_timezone(Cursor(tokenize(args))) > 0


def parse_timezone(args: str) -> str | None:
    """The zone `timezone ZONE` names, in IANA's spelling (`australia/sydney` →
    `Australia/Sydney`, `UTC` → `Etc/UTC`); None for `timezone` alone (show it). Raises
    `InvalidEntry` for a name that is not a zone, with the nearest one and an example."""
    cursor = Cursor(tokenize(args))
    cursor.take(_at_timezone(cursor))
    # A zone is one word; words typed after it are the rest of a city ("America/New York").
    words = [token.text for token in cursor.tokens[cursor.pos :]]
    if not words:
        return None
    try:
        return zone_named(" ".join(words))
    except UnknownZone as error:
        raise InvalidEntry(f"{error} — e.g. {TIMEZONE_USAGE}") from None


def parse_changes(args: str) -> dict[str, Any]:
    """The profile fields `args` sets, as a partial wire dict. Raises `InvalidEntry`."""
    cursor = Cursor(tokenize(args))
    changes: dict[str, Any] = {}
    grades: dict[str, dict[str, str]] = {}
    setting = "indoor"
    while not cursor.done:
        word = cursor.word().strip(":")
        if _at_timezone(cursor):
            raise InvalidEntry(
                f"set your time zone on its own, e.g. {TIMEZONE_USAGE}; "
                "the rest of the profile takes a separate /profile"
            )
        if days := _at_days(cursor):
            cursor.take(days)
            changes["trainingDays"] = take_weekdays(cursor, example=DAYS_USAGE)
            following = cursor.word().strip(":")
            if following and following not in KEYWORDS and not _at_timezone(cursor):
                # Right after the days, a word that starts nothing else is a misspelt day.
                raise InvalidEntry(
                    f"Training days: {cursor.take()[0].text!r} is not a weekday; list them "
                    f"like mon wed fri — e.g. {DAYS_USAGE}"
                )
        elif word in ("indoor", "outdoor", "gym"):
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
            words = cursor.span_until(lambda c: c.word().strip(":") in KEYWORDS or _at_days(c) > 0)
            changes[LISTS[word]] = [w.strip() for w in words.split(",") if w.strip()]
        else:
            unknown = cursor.take()[0].text
            raise InvalidEntry(
                f"/profile did not understand {unknown!r}; it takes {GRAMMAR} — e.g. {USAGE}"
            )
    if grades:
        changes["currentGrades"] = grades
    return changes


def _measure(field: str, text: str) -> int | float:
    match = _MEASURE.match(text.lower())
    if match is None:
        raise InvalidEntry(f"'{field}' needs a number, e.g. {USAGE}")
    value, unit = float(match[1].replace(",", ".")), match[2]
    if field == "weight" and unit in ("lb", "lbs"):
        return whole(round(value * 0.45359237, 1))
    if field == "height" and unit == "m":
        return whole(value * 100)
    if field == "height" and unit in ("in", "inch", "inches"):
        return whole(round(value * 2.54, 1))
    if unit not in ("", "kg", "cm", "y", "yrs", "years", "yr"):
        raise InvalidEntry(
            f"{sentence(field)} {text}: unknown unit {unit!r}, e.g. weight 68kg height 175cm"
        )
    return whole(value)


def _grade(word: str, style: str, cursor: Cursor) -> str:
    discipline = Discipline.BOULDER if style == "boulder" else Discipline.ROUTE
    text = cursor.take()[0].text if not cursor.done else ""
    if text.lower() in ("font", "fb", "french", "yds", "uiaa", "ewbank") and not cursor.done:
        text = f"{text} {cursor.take()[0].text}"
    try:
        return parse_grade(text, discipline=discipline).text
    except GradeError as error:
        raise InvalidEntry(f"{sentence(word)}: {error} — e.g. {USAGE}") from None
