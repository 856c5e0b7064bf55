"""From a CSV row to a tick (one climb on one day), or the reason it cannot be one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from logbooks.dates import parse_date
from logbooks.formats import CsvFormat, Outcome, Style, discipline_of, kind_of, style_of
from logbooks.text import Row
from store.grades import Discipline, Grade, GradeError, parse_grade
from store.records.text import visible

_ROLES = ("date", "name", "grade", "style", "lead_style", "type", "notes", "attempts")
"""The roles every tick reads (missing ones read as empty)."""

_PROTECTION = ("PG13", "PG-13", "PG", "R", "X")
"""Mountain Project appends a protection rating to the grade ("5.10a PG13"): not a grade."""


@dataclass(frozen=True)
class Tick:
    line: int
    day: date
    name: str
    location: str
    grade: Grade
    style: Style
    kind: str | None
    """boulder, sport or trad (None: the file does not say)."""
    indoor: bool
    attempts: int | None
    notes: str


def columns_of(fmt: CsvFormat, header: list[str]) -> dict[str, int]:
    """Which column of this file holds each role it has (by position), found once."""
    found = {role: fmt.column(header, role) for role in fmt.columns}
    return {role: header.index(name) for role, name in found.items() if name is not None}


def roles_of(row: Row, columns: Mapping[str, int]) -> dict[str, str]:
    """The row's cells by role (date, name, grade, …); roles the file or row lacks are
    empty."""
    cells, width = row.cells, len(row.cells)
    roles = dict.fromkeys(_ROLES, "")
    for role, at in columns.items():
        if at < width:
            roles[role] = visible(cells[at]).strip()
    return roles


def tick_of(line: int, roles: Mapping[str, str], fmt: CsvFormat, order: str, latest: date) -> Tick:
    """The tick of one row. Raises `ValueError` naming what is wrong with the row."""
    day = parse_date(roles["date"], order)
    if day > latest:
        raise ValueError(f"{day.isoformat()} is in the future")
    style = style_of(roles.get("lead_style", ""), roles.get("style", ""))
    if style is None:
        written = roles.get("style") or "nothing"
        raise ValueError(f"the ascent style {written!r} is not one this import knows")
    if style.outcome is Outcome.NOT_AN_ASCENT:
        raise ValueError(f"{roles.get('style')!r} marks a climb to do, not an ascent")
    kind_words = (roles.get("type", ""), roles.get("style", ""))
    grade = _grade(roles["grade"], discipline_of(*kind_words))
    attempts = _attempts(roles.get("attempts", ""))
    name = roles.get("name", "")[:200]
    return Tick(
        line=line,
        day=day,
        name=name,
        location=fmt.location(roles)[:200],
        grade=grade,
        style=style,
        kind=_kind(grade, kind_of(*kind_words)),
        indoor=fmt.indoor(roles),
        attempts=attempts,
        notes=roles.get("notes", ""),
    )


@lru_cache(maxsize=4096)
def _grade(text: str, hint: Discipline | None) -> Grade:
    """The grade `text` names (a logbook repeats a few dozen grades: each is parsed once)."""
    words = text.split()
    while len(words) > 1 and words[-1].upper() in _PROTECTION:
        words.pop()
    cleaned = " ".join(words)
    if cleaned.upper().startswith("V") and "-" in cleaned[1:] and cleaned[1:2].isdigit():
        cleaned = cleaned.split("-", 1)[0]  # a V range "V4-5" is its lower grade
    if cleaned.lower() == "v-easy":
        cleaned = "VB"
    try:
        return parse_grade(cleaned, discipline=hint)
    except GradeError as error:
        if hint is not None:  # the type column disagrees with the grade: the grade wins
            try:
                return parse_grade(cleaned)
            except GradeError:
                pass
        raise ValueError(f"unknown grade: {error}") from None


def _attempts(text: str) -> int | None:
    if not text:
        return None
    try:
        value = int(float(text))
    except ValueError:
        return None
    return value if 1 <= value <= 10000 else None


def _kind(grade: Grade, said: str | None) -> str:
    """boulder, sport or trad: the grade's discipline decides boulder or not, the file which
    kind of route (sport when it does not say)."""
    if grade.discipline is Discipline.BOULDER:
        return "boulder"
    return said if said in ("sport", "trad") else "sport"
