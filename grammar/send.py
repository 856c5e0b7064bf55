"""`/send`: one notable ascent (a benchmark send).

`/send V7 "Midnight Lightning" @Yosemite outdoor overhang attempts 12 breakthrough`: a grade
in any system, an optional "quoted name" (or the leftover words), `@location`, indoor/outdoor,
terrain (slab, vertical, overhang, roof, …), ascent style (onsight, flash, redpoint, repeat),
`attempts N`, significance (breakthrough, milestone), a date word, `notes: …`."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from core.errors import InvalidEntry
from grammar.dates import WEEKDAYS, DateError, take_date
from grammar.fields import invalid, number
from grammar.grading import take_grade
from grammar.tokens import Cursor, split_notes, take_location, tokenize
from store.grades import Discipline
from store.records import AscentStyle, BenchmarkSendIn, Significance, Terrain

USAGE = '/send V7 "Midnight Lightning" @Yosemite outdoor overhang attempts 12 breakthrough'

GRAMMAR = (
    '/send GRADE ["NAME"] [@LOCATION] [indoor|outdoor] [slab|vertical|overhang|roof|arete|'
    "dihedral|crack] [onsight|flash|redpoint|repeat] [attempts N] [breakthrough|milestone] "
    "[DATE] [notes: TEXT]"
)

SETTINGS = {
    "indoor": "indoor",
    "indoors": "indoor",
    "gym": "indoor",
    "outdoor": "outdoor",
    "outdoors": "outdoor",
    "outside": "outdoor",
    "crag": "outdoor",
}

TERRAIN = {
    "slab": Terrain.SLAB,
    "vertical": Terrain.VERTICAL,
    "vert": Terrain.VERTICAL,
    "overhang": Terrain.OVERHANG,
    "overhanging": Terrain.OVERHANG,
    "steep": Terrain.OVERHANG,
    "roof": Terrain.ROOF,
    "arete": Terrain.ARETE,
    "dihedral": Terrain.DIHEDRAL,
    "corner": Terrain.DIHEDRAL,
    "crack": Terrain.CRACK,
}

ASCENTS = {
    "onsight": AscentStyle.ONSIGHT,
    "on-sight": AscentStyle.ONSIGHT,
    "os": AscentStyle.ONSIGHT,
    "flash": AscentStyle.FLASH,
    "flashed": AscentStyle.FLASH,
    "redpoint": AscentStyle.REDPOINT,
    "rp": AscentStyle.REDPOINT,
    "repeat": AscentStyle.REPEAT,
}

SIGNIFICANCE = {
    "breakthrough": Significance.BREAKTHROUGH,
    "milestone": Significance.MILESTONE,
    "routine": Significance.ROUTINE,
}

DISCIPLINES = {"boulder": Discipline.BOULDER, "route": Discipline.ROUTE, "sport": Discipline.ROUTE}

ATTEMPTS = frozenset({"attempts", "attempt", "tries", "goes", "sessions"})

KEYWORDS = frozenset(
    {*SETTINGS, *TERRAIN, *ASCENTS, *SIGNIFICANCE, *DISCIPLINES, *ATTEMPTS}
    | {"today", "yesterday", *WEEKDAYS}
)


def _at_keyword(cursor: Cursor) -> bool:
    return cursor.word() in KEYWORDS or cursor.word().startswith("@")


def parse_send(args: str, today: date) -> BenchmarkSendIn:
    """The send `args` describes. Raises `InvalidEntry` saying what was expected."""
    text, notes = split_notes(args)
    cursor = Cursor(tokenize(text))
    data: dict[str, Any] = {"notes": notes}
    grade_text: str | None = None
    discipline: Discipline | None = None
    leftover: list[str] = []
    while not cursor.done:
        token = cursor.peek()
        assert token is not None
        word = token.word
        location = take_location(cursor, _at_keyword)
        if location is not None:
            data["location"] = location or None
        elif token.quoted:
            cursor.take()
            data["name"] = token.text
        elif word in SETTINGS:
            cursor.take()
            data["setting"] = SETTINGS[word]
        elif word in TERRAIN:
            cursor.take()
            data["style"] = TERRAIN[word]
        elif word in ASCENTS:
            cursor.take()
            data["ascentStyle"] = ASCENTS[word]
        elif word in SIGNIFICANCE:
            cursor.take()
            data["significance"] = SIGNIFICANCE[word]
        elif word in DISCIPLINES:
            cursor.take()
            discipline = DISCIPLINES[word]
        elif word in ATTEMPTS:
            cursor.take()
            data["attempts"] = _count(cursor.take()[0].text if not cursor.done else "")
        elif (attempts := _count_before(cursor)) is not None:
            data["attempts"] = attempts
        elif grade_text is None and (climbed := take_grade(cursor)) is not None:
            grade_text = climbed.text
        elif (day := _take_date(cursor, today)) is not None:
            data["date"] = day
        else:
            leftover.append(cursor.take()[0].text)
    if grade_text is None:
        raise InvalidEntry(f"/send needs a grade such as V7, 7A+ or 5.12a — e.g. {USAGE}")
    if leftover:
        if "name" in data:
            raise InvalidEntry(
                f"/send did not understand {' '.join(leftover)!r}; it takes {GRAMMAR} — "
                f"e.g. {USAGE}"
            )
        data["name"] = " ".join(leftover)
    day = data.setdefault("date", today)
    if day > today:
        raise InvalidEntry(f"{day.isoformat()} is in the future; log sends that happened")
    data["grade"] = grade_text
    if discipline is not None:
        data["discipline"] = discipline
    try:
        return BenchmarkSendIn.model_validate(data)
    except ValidationError as error:
        raise invalid(error, USAGE) from None


def _count(text: str) -> int:
    value = number(text)
    if value is None or value < 1 or value != int(value):
        raise InvalidEntry(f"attempts needs a whole number, e.g. attempts 12 — e.g. {USAGE}")
    return int(value)


def _count_before(cursor: Cursor) -> int | None:
    # "12 attempts"
    if cursor.word().isdigit() and cursor.word(1) in ATTEMPTS:
        value = _count(cursor.word())
        cursor.take(2)
        return value
    return None


def _take_date(cursor: Cursor, today: date) -> date | None:
    try:
        return take_date(cursor, today)
    except DateError as error:
        raise InvalidEntry(str(error)) from None
