"""`/log`: a climbing session, written as a journal entry.

Order-free words, case-insensitive: a session type (gym/indoor, outdoor/crag, board,
hangboard, training, rest), a duration ("90min", "1h30", "1.5h"), a date word, `@location`,
`sent`/`tried` then grades, `rpe N`, `energy N`, soreness by body part (`fingers 3`),
`injury …`, `focus …`, `mental …`/`felt …`, and `notes: …` (the rest of the line, verbatim)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from core.errors import InvalidEntry
from grammar.dates import WEEKDAYS, DateError, parse_iso, take_date
from grammar.durations import take_duration
from grammar.fields import in_range, invalid, number, take_keyword_number
from grammar.grading import Climbed, take_grades
from grammar.tokens import Cursor, split_notes, take_location, tokenize
from store.grades import Discipline, GradeError, parse_grade
from store.records import JournalEntryIn, SessionDiscipline, SessionType

USAGE = "/log gym 90min rpe 7 sent V4 V5 tried V6 energy 6 fingers 3 notes: crimps felt strong"

SHORT_USAGE = "/log gym 90min rpe 7 sent V4"

GRAMMAR = (
    "/log [gym|outdoor|board|hangboard|training|rest] DURATION [today|yesterday|monday|"
    "2026-03-14|3 days ago] [@LOCATION] [sent GRADES] [tried GRADES] [rpe 0-10] [energy 1-10] "
    "[fingers|forearms|shoulders|back|legs 0-10] [injury TEXT] [focus TEXT] [felt TEXT] "
    "[notes: TEXT]"
)

SESSION_TYPES = {
    "gym": SessionType.GYM,
    "indoor": SessionType.GYM,
    "indoors": SessionType.GYM,
    "outdoor": SessionType.OUTDOOR,
    "outdoors": SessionType.OUTDOOR,
    "outside": SessionType.OUTDOOR,
    "crag": SessionType.OUTDOOR,
    "board": SessionType.BOARD,
    "moonboard": SessionType.BOARD,
    "kilter": SessionType.BOARD,
    "hangboard": SessionType.HANGBOARD,
    "fingerboard": SessionType.HANGBOARD,
    "training": SessionType.TRAINING,
    "strength": SessionType.TRAINING,
    "conditioning": SessionType.TRAINING,
    "rest": SessionType.REST,
}

DISCIPLINES = {
    "boulder": SessionDiscipline.BOULDER,
    "bouldering": SessionDiscipline.BOULDER,
    "sport": SessionDiscipline.SPORT,
    "lead": SessionDiscipline.SPORT,
    "trad": SessionDiscipline.TRAD,
    "mixed": SessionDiscipline.MIXED,
}

SENT = frozenset({"sent", "send", "sends", "topped", "completed"})

TRIED = frozenset({"tried", "attempted", "projected", "project", "worked"})

LEVELS = {"rpe": "rpe", "energy": "energy"}

SORENESS = {
    "fingers": "fingers",
    "finger": "fingers",
    "forearms": "forearms",
    "forearm": "forearms",
    "shoulders": "shoulders",
    "shoulder": "shoulders",
    "back": "back",
    "legs": "legs",
    "leg": "legs",
}

TEXTS = {
    "injury": "injuries",
    "injuries": "injuries",
    "injured": "injuries",
    "focus": "focus",
    "focused": "focus",
    "technique": "focus",
    "mental": "mental",
    "felt": "mental",
    "feeling": "mental",
    "mood": "mental",
}

KEYWORDS = frozenset(
    {*SESSION_TYPES, *DISCIPLINES, *SENT, *TRIED, *LEVELS, *SORENESS, *TEXTS, "sore", "soreness"}
    | {"today", "yesterday", *WEEKDAYS}
)


def at_keyword(cursor: Cursor) -> bool:
    """Whether a multi-word span (a location, a focus, …) ends here."""
    word = cursor.word()
    if word in SORENESS:
        # "ring finger" inside an injury is words; "fingers 3" starts the soreness field.
        return number(cursor.word(1)) is not None
    if word in KEYWORDS or word.startswith("@") or word.startswith("rpe"):
        return True
    try:
        if parse_iso(word) is not None:
            return True
    except DateError:
        return True
    probe = Cursor(cursor.tokens[cursor.pos : cursor.pos + 4])
    return take_duration(probe, bare_minutes=False) is not None


def parse_log(args: str, today: date) -> JournalEntryIn:
    """The journal entry `args` describes. Raises `InvalidEntry` saying what was expected."""
    text, notes = split_notes(args)
    cursor = Cursor(tokenize(text))
    data: dict[str, Any] = {}
    soreness: dict[str, int] = {}
    texts: dict[str, str] = {}
    sent: list[Climbed] = []
    tried: list[Climbed] = []
    unknown: list[str] = []
    while not cursor.done:
        word = cursor.word()
        location = take_location(cursor, at_keyword)
        if location is not None:
            if not location:
                raise InvalidEntry(f"@ needs a place, e.g. @Red River Gorge — e.g. {USAGE}")
            data["location"] = location
        elif word in SESSION_TYPES:
            cursor.take()
            data["sessionType"] = SESSION_TYPES[word]
        elif word in DISCIPLINES:
            cursor.take()
            data["discipline"] = DISCIPLINES[word]
        elif word in SENT or word in TRIED:
            cursor.take()
            grades = take_grades(cursor)
            if not grades:
                raise InvalidEntry(f"'{word}' needs one or more grades, e.g. {word} V4 V5 or 2xV5")
            (sent if word in SENT else tried).extend(grades)
        elif (level := take_keyword_number(cursor, LEVELS, example="rpe 7")) is not None:
            name, value = level
            if name == "rpe":
                data["rpe"] = in_range("rpe", value, 0, 10, "rpe 7")
            else:
                data["energy"] = int(in_range("energy", value, 1, 10, "energy 6"))
        elif word in ("sore", "soreness"):
            cursor.take()
        elif (sore := take_keyword_number(cursor, SORENESS, example="fingers 3")) is not None:
            part, value = sore
            soreness[part] = int(in_range(part, value, 0, 10, f"{part} 3"))
        elif word in TEXTS:
            cursor.take()
            span = cursor.span_until(at_keyword) if not cursor.done else ""
            if not span:
                raise InvalidEntry(f"'{word}' needs some words after it, e.g. {word} heel hooks")
            key = TEXTS[word]
            texts[key] = f"{texts[key]}, {span}" if key in texts else span
        elif (day := _take_date(cursor, today)) is not None:
            data["date"] = day
        elif (minutes := take_duration(cursor)) is not None:
            data["durationMinutes"] = minutes
        else:
            unknown.append(cursor.take()[0].text)
    if unknown:
        raise InvalidEntry(
            f"/log did not understand {' '.join(unknown)!r}; it takes {GRAMMAR} — e.g. {USAGE}"
        )
    return _entry(data, soreness, texts, sent, tried, notes, today)


def _take_date(cursor: Cursor, today: date) -> date | None:
    try:
        return take_date(cursor, today)
    except DateError as error:
        raise InvalidEntry(str(error)) from None


def _entry(
    data: dict[str, Any],
    soreness: dict[str, int],
    texts: dict[str, str],
    sent: list[Climbed],
    tried: list[Climbed],
    notes: str | None,
    today: date,
) -> JournalEntryIn:
    if "durationMinutes" not in data:
        raise InvalidEntry(f"/log needs a duration like 90min or 1h30 — e.g. {SHORT_USAGE}")
    day = data.setdefault("date", today)
    if day > today:
        raise InvalidEntry(f"{day.isoformat()} is in the future; log sessions that happened")
    session = data.setdefault("sessionType", SessionType.GYM)
    if session is SessionType.OUTDOOR:
        data["setting"] = "outdoor"
    discipline = data.get("discipline") or _discipline(session, sent + tried)
    if discipline is not None:
        data["discipline"] = discipline
    grade_discipline = discipline.grade_discipline() if discipline is not None else None
    energy = data.pop("energy", None)
    body: dict[str, Any] = {
        **data,
        "gradesCompleted": _grade_refs(sent, grade_discipline),
        "gradesAttempted": _grade_refs(tried, grade_discipline),
        "physicalCondition": {
            "energy": energy,
            "soreness": soreness,
            "injuries": _list(texts.get("injuries")),
        },
        "technicalFocus": _list(texts.get("focus")),
        "mentalState": texts.get("mental"),
        "notes": notes,
    }
    try:
        return JournalEntryIn.model_validate(body)
    except ValidationError as error:
        raise invalid(error, USAGE) from None


def _discipline(session: SessionType, climbed: list[Climbed]) -> SessionDiscipline | None:
    """The discipline the grades imply: boulder, mixed, or unknown for routes (sport or trad)."""
    kinds = {c.grade.discipline for c in climbed}
    if session is SessionType.BOARD or kinds == {Discipline.BOULDER}:
        return SessionDiscipline.BOULDER
    if len(kinds) == 2:
        return SessionDiscipline.MIXED
    return None


def _grade_refs(climbed: list[Climbed], discipline: Discipline | None) -> list[dict[str, Any]]:
    """One `{grade, count}` per distinct grade (canonical spelling), in the order written."""
    counts: dict[tuple[str, str], int] = {}
    for item in climbed:
        try:
            grade = parse_grade(item.text, discipline=discipline)
        except GradeError as error:
            raise InvalidEntry(f"{error} — e.g. {USAGE}") from None
        # The system travels with the grade: "7+" alone is ambiguous, "uiaa 7+" is not.
        key = (grade.text, grade.system.value)
        counts[key] = counts.get(key, 0) + item.count
    return [
        {"grade": grade, "system": system, "count": count}
        for (grade, system), count in counts.items()
    ]


def _list(text: str | None) -> list[str]:
    if not text:
        return []
    return [part.strip() for part in text.split(",") if part.strip()]
