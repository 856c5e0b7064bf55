"""`/log`: a climbing session, written as a journal entry.

Order-free words, case-insensitive: a session type (gym/indoor, outdoor/crag, board,
hangboard, training, rest), a duration ("90min", "1h30", "1.5h"), a date word, `@location`,
`sent`/`tried` then grades, `rpe N`, `energy N`, soreness by body part (`fingers 3`),
`injury …`, `focus …`, `mental …`/`felt …`, and `notes: …` (the rest of the line, verbatim).
`parse_log` builds a whole entry from them; `log_changes` only the fields they name (`/edit`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from core.errors import InvalidEntry
from core.text import sentence
from grammar.dates import WEEKDAYS, DateError, parse_iso, take_date
from grammar.durations import take_duration
from grammar.fields import in_range, invalid, number, take_keyword_number
from grammar.grading import Climbed, take_grades
from grammar.tokens import Cursor, split_notes, take_location, tokenize
from store.grades import Discipline, GradeError, GradeSystem, parse_grade
from store.records import JournalEntry, JournalEntryIn, SessionDiscipline, SessionType

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

DATE_WORD = "date"
"""An optional word before a date ("date yesterday"), as `/edit 1 date yesterday` reads."""

KEYWORDS = frozenset(
    {*SESSION_TYPES, *DISCIPLINES, *SENT, *TRIED, *LEVELS, *SORENESS, *TEXTS, "sore", "soreness"}
    | {"today", "yesterday", DATE_WORD, *WEEKDAYS}
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


@dataclass
class LogWords:
    """What the words of a `/log` said, before any default: `data` by wire name (`sessionType`,
    `discipline`, `duration`, `date`, `location`, `rpe`, `energy`), soreness by body
    part, free texts by field (`injuries`, `focus`, `mental`), the grades sent and tried, and
    the notes (None without `notes:`)."""

    data: dict[str, Any] = field(default_factory=dict)
    soreness: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    sent: list[Climbed] = field(default_factory=list)
    tried: list[Climbed] = field(default_factory=list)
    notes: str | None = None

    @property
    def empty(self) -> bool:
        """Nothing named at all."""
        named = self.data or self.soreness or self.texts or self.sent or self.tried
        return not named and self.notes is None


def parse_log(args: str, today: date) -> JournalEntryIn:
    """The journal entry `args` describes. Raises `InvalidEntry` saying what was expected."""
    words = read_log(args, today)
    return _entry(
        words.data, words.soreness, words.texts, words.sent, words.tried, words.notes, today
    )


def read_log(args: str, today: date) -> LogWords:
    """The fields `args` names, as written. Raises `InvalidEntry` for words it cannot read."""
    text, notes = split_notes(args)
    cursor = Cursor(tokenize(text))
    words = LogWords(notes=notes)
    data, soreness, texts = words.data, words.soreness, words.texts
    sent, tried = words.sent, words.tried
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
                data["rpe"] = in_range("RPE", value, 0, 10, "rpe 7")
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
        elif word == DATE_WORD:
            cursor.take()
            day = _take_date(cursor, today)
            if day is None:
                raise InvalidEntry("'date' needs a day, e.g. date yesterday or date 2026-03-14")
            data["date"] = day
        elif (day := _take_date(cursor, today)) is not None:
            data["date"] = day
        elif (minutes := take_duration(cursor)) is not None:
            data["duration"] = minutes
        else:
            unknown.append(cursor.take()[0].text)
    if unknown:
        raise InvalidEntry(
            f"/log did not understand {' '.join(unknown)!r}; it takes {GRAMMAR} — e.g. {USAGE}"
        )
    return words


def log_changes(args: str, today: date, current: JournalEntry) -> dict[str, Any]:
    """The fields of `current` that `args` changes (wire names, whole top-level values, ready
    to replace the current ones), for `/edit`: only what the words name changes.

    Grades replace the list they name; soreness, energy and injuries change inside
    `physicalCondition`; the setting follows a new session type; unless a discipline is named,
    new grades (or a switch to a board session) re-infer it as `/log` does. Raises
    `InvalidEntry` for unreadable words, for nothing to change and for a date in the future.
    """
    words = read_log(args, today)
    if words.empty:
        raise InvalidEntry(f"Say what to change, in /log's words — e.g. /edit 2 rpe 8 or {USAGE}")
    changes: dict[str, Any] = {
        key: value for key, value in words.data.items() if key not in ("energy", "discipline")
    }
    day = changes.get("date")
    if day is not None and day > today:
        raise InvalidEntry(f"{day.isoformat()} is in the future; log sessions that happened")
    session = changes.get("sessionType", current.session_type)
    if "sessionType" in changes:
        changes["type"] = "outdoor" if session is SessionType.OUTDOOR else "indoor"
    if "discipline" in words.data:
        changes["discipline"] = words.data["discipline"]
    elif words.sent or words.tried or session is SessionType.BOARD:
        changes["discipline"] = _discipline_after(session, words, current)
    discipline = changes.get("discipline", current.discipline)
    grade_discipline = discipline.grade_discipline() if discipline is not None else None
    if words.sent:
        changes["gradesCompleted"] = _grade_refs(words.sent, grade_discipline)
    if words.tried:
        changes["gradesAttempted"] = _grade_refs(words.tried, grade_discipline)
    condition = _condition_changes(words, current)
    if condition is not None:
        changes["physicalCondition"] = condition
    if "focus" in words.texts:
        changes["technicalFocus"] = _list(words.texts["focus"])
    if "mental" in words.texts:
        changes["mentalState"] = words.texts["mental"]
    if words.notes is not None:
        changes["notes"] = words.notes
    return changes


def _discipline_after(
    session: SessionType, words: LogWords, current: JournalEntry
) -> SessionDiscipline | None:
    """The discipline `/log` would infer for the entry after the edit, from its session type
    and its grades (the new lists where given, the current ones otherwise). Grades of routes
    imply none, so a sport or trad session keeps its own."""
    kinds = {c.grade.discipline for c in [*words.sent, *words.tried]}
    for given, refs in (
        (words.sent, current.grades_completed),
        (words.tried, current.grades_attempted),
    ):
        if not given:
            kinds |= {_discipline_of(ref.grade, ref.system) for ref in refs}
    inferred = _discipline_of_kinds(session, kinds)
    if inferred is None and current.discipline in ROUTE_DISCIPLINES:
        return current.discipline
    return inferred


ROUTE_DISCIPLINES = frozenset({SessionDiscipline.SPORT, SessionDiscipline.TRAD})


def _discipline_of(grade: str, system: GradeSystem) -> Discipline:
    # A stored grade is canonical in its system, so it parses again.
    return parse_grade(grade, system=system).discipline


def _condition_changes(words: LogWords, current: JournalEntry) -> dict[str, Any] | None:
    """The whole `physicalCondition` after the edit, or None when the words change none of it."""
    energy = words.data.get("energy")
    if energy is None and not words.soreness and "injuries" not in words.texts:
        return None
    condition = current.physical_condition.model_dump(by_alias=True, mode="json")
    if energy is not None:
        condition["energy"] = energy
    condition["soreness"] = {**condition["soreness"], **words.soreness}
    if "injuries" in words.texts:
        condition["injuries"] = _list(words.texts["injuries"])
    return condition


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
    if "duration" not in data:
        raise InvalidEntry(f"/log needs a duration like 90min or 1h30 — e.g. {SHORT_USAGE}")
    day = data.setdefault("date", today)
    if day > today:
        raise InvalidEntry(f"{day.isoformat()} is in the future; log sessions that happened")
    session = data.setdefault("sessionType", SessionType.GYM)
    if session is SessionType.OUTDOOR:
        data["type"] = "outdoor"
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
    return _discipline_of_kinds(session, {c.grade.discipline for c in climbed})


def _discipline_of_kinds(session: SessionType, kinds: set[Discipline]) -> SessionDiscipline | None:
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
            raise InvalidEntry(f"{sentence(str(error))} — e.g. {USAGE}") from None
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
