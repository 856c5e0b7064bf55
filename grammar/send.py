"""`/send`: one notable ascent (a benchmark send).

`/send V7 "Midnight Lightning" @Yosemite outdoor overhang attempts 12 breakthrough`: a grade
in any system, an optional "quoted name" (or the leftover words), `@location`, indoor/outdoor,
terrain (slab, vertical, overhang, roof, …), ascent style (onsight, flash, redpoint, repeat),
`attempts N`, significance (breakthrough, milestone, personal-best or pb, project-send or
project), a date word, `notes: …`. `parse_send` builds a whole send from them;
`send_changes` only the fields they name (`/edit`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from core.errors import InvalidEntry
from grammar.dates import WEEKDAYS, DateError, take_date
from grammar.fields import invalid, number
from grammar.grading import take_grade
from grammar.tokens import Cursor, split_notes, take_location, tokenize
from store.grades import Discipline
from store.records import AscentStyle, BenchmarkSend, BenchmarkSendIn, Significance, Terrain

USAGE = '/send V7 "Midnight Lightning" @Yosemite outdoor overhang attempts 12 breakthrough'

GRAMMAR = (
    '/send GRADE ["NAME"] [@LOCATION] [indoor|outdoor] [slab|vertical|overhang|roof|arete|'
    "dihedral|crack] [onsight|flash|redpoint|repeat] [attempts N] "
    "[breakthrough|milestone|personal-best|project-send] "
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
    "personal-best": Significance.PERSONAL_BEST,
    "pb": Significance.PERSONAL_BEST,
    "project-send": Significance.PROJECT_SEND,
    "project": Significance.PROJECT_SEND,
}

DISCIPLINES = {"boulder": Discipline.BOULDER, "route": Discipline.ROUTE, "sport": Discipline.ROUTE}

ATTEMPTS = frozenset({"attempts", "attempt", "tries", "goes", "sessions"})

DATE_WORD = "date"
"""An optional word before a date ("date yesterday"), as `/edit 1 date yesterday` reads; not
followed by a date, it is a word like any other."""

KEYWORDS = frozenset(
    {*SETTINGS, *TERRAIN, *ASCENTS, *SIGNIFICANCE, *DISCIPLINES, *ATTEMPTS}
    | {"today", "yesterday", DATE_WORD, *WEEKDAYS}
)


def _at_keyword(cursor: Cursor) -> bool:
    return cursor.word() in KEYWORDS or cursor.word().startswith("@")


@dataclass
class SendWords:
    """What the words of a `/send` said, before any default: `data` by wire name (`name`,
    `location`, `type`, `style`, `ascentStyle`, `significance`, `attempts`, `date`), the grade
    as written, a discipline word, the words nothing else took, and the notes (None without
    `notes:`)."""

    data: dict[str, Any] = field(default_factory=dict)
    grade: str | None = None
    discipline: Discipline | None = None
    leftover: list[str] = field(default_factory=list)
    notes: str | None = None


def parse_send(args: str, today: date) -> BenchmarkSendIn:
    """The send `args` describes. Raises `InvalidEntry` saying what was expected."""
    words = read_send(args, today)
    data = {**words.data, "notes": words.notes}
    if words.grade is None:
        raise InvalidEntry(f"/send needs a grade such as V7, 7A+ or 5.12a — e.g. {USAGE}")
    if words.leftover:
        if "name" in data:
            raise InvalidEntry(
                f"/send did not understand {' '.join(words.leftover)!r}; it takes {GRAMMAR} — "
                f"e.g. {USAGE}"
            )
        data["name"] = " ".join(words.leftover)
    day = data.setdefault("date", today)
    if day > today:
        raise InvalidEntry(f"{day.isoformat()} is in the future; log sends that happened")
    data["grade"] = words.grade
    if words.discipline is not None:
        data["discipline"] = words.discipline
    try:
        return BenchmarkSendIn.model_validate(data)
    except ValidationError as error:
        raise invalid(error, USAGE) from None


def send_changes(args: str, today: date, current: BenchmarkSend) -> dict[str, Any]:
    """The fields of `current` that `args` changes (wire names), for `/edit`: only what the
    words name changes. A new name must be in quotes (loose words are more likely a typo than a
    name); a discipline word alone re-reads the current grade in that discipline. Raises
    `InvalidEntry` for unreadable words, for nothing to change and for a date in the future."""
    words = read_send(args, today)
    if words.leftover:
        raise InvalidEntry(
            f"/edit did not understand {' '.join(words.leftover)!r} for a send (a new name goes "
            f'in quotes, e.g. "Midnight Lightning"); it takes /send\'s words — e.g. '
            "/edit 1 flash attempts 3"
        )
    changes = dict(words.data)
    if words.notes is not None:
        changes["notes"] = words.notes
    if words.grade is not None or words.discipline is not None:
        changes["grade"] = words.grade or current.grade
        if words.discipline is not None:
            changes["discipline"] = words.discipline
    if not changes:
        raise InvalidEntry("Say what to change, in /send's words — e.g. /edit 1 flash attempts 3")
    day = changes.get("date")
    if day is not None and day > today:
        raise InvalidEntry(f"{day.isoformat()} is in the future; log sends that happened")
    return changes


def read_send(args: str, today: date) -> SendWords:
    """The fields `args` names, as written. Raises `InvalidEntry` for a word that looks like a
    grade but is not one, a bad count or a bad date."""
    text, notes = split_notes(args)
    cursor = Cursor(tokenize(text))
    words = SendWords(notes=notes)
    data = words.data
    grade_text: str | None = None
    discipline: Discipline | None = None
    leftover = words.leftover
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
            data["type"] = SETTINGS[word]
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
        elif (day := _take_day(cursor, today)) is not None:
            data["date"] = day
        else:
            leftover.append(cursor.take()[0].text)
    words.grade, words.discipline = grade_text, discipline
    return words


def _count(text: str) -> int:
    value = number(text)
    if value is None or value < 1 or value != int(value):
        raise InvalidEntry("'attempts' needs a whole number, e.g. attempts 12")
    return int(value)


def _count_before(cursor: Cursor) -> int | None:
    # "12 attempts"
    if cursor.word().isdigit() and cursor.word(1) in ATTEMPTS:
        value = _count(cursor.word())
        cursor.take(2)
        return value
    return None


def _take_day(cursor: Cursor, today: date) -> date | None:
    """A date word at the cursor, after an optional "date" ("date yesterday"). Without a date
    after it, "date" is left alone: it may be a word of the name ("Date Night")."""
    if cursor.word() != DATE_WORD:
        return _take_date(cursor, today)
    probe = Cursor(cursor.tokens)
    probe.pos = cursor.pos + 1
    day = _take_date(probe, today)
    if day is not None:
        cursor.pos = probe.pos
    return day


def _take_date(cursor: Cursor, today: date) -> date | None:
    try:
        return take_date(cursor, today)
    except DateError as error:
        raise InvalidEntry(str(error)) from None
