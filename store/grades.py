"""Climbing grades: parse any common spelling, normalise to the reference score, convert.

Every grade of every system maps to the reference score 0-107 of OpenBeta's *sandbag* tables
(`store/data/grades/`, MIT). A grade usually covers several rows: `Grade.score` is its lowest
row and `Grade.score_high` its highest. Scores order grades within one discipline only.

Resolution of `parse_grade(text)` (deterministic, first rule that applies wins):

1. An explicit system word, before or after the grade, case-insensitive: `font`/`fb`/`f`
   (also glued: "f7a", "fb7a+"), `french`/`fr`, `yds`, `uiaa`, `ewbank`/`ewb`, `saxon`,
   `norwegian`/`nor`, `brazilian`/`br`. It must agree with `system` if that is given too.
2. `system=` given: only that system is tried.
3. `V`/`v` then a digit or `B` ("V5", "v 5", "VB", "V0-") is the V-scale.
4. "5." then digits is YDS ("5.10a", "5.10A", "5.10-" = 5.10a/b, "5.10+" = 5.10c/d,
   "5.10" = 5.10a-d, "5.9+" = 5.9).
5. A digit and one letter a-c with an optional "+" ("7a", "6B+"): an uppercase letter is Font
   (boulder), a lowercase letter French (route); `discipline` overrides the letter case.
6. A Roman numeral with a letter or "sup" ("VIIa", "IVsup") is Brazilian; a bare Roman numeral
   with an optional +/- ("VII+", "VI-", even a lone "V") is UIAA, so Brazilian grades without
   a letter ("VI") need the prefix ("brazilian VI"). Saxon is written in Arabic figures
   ("saxon 7a"); with its prefix "saxon VIIa" is understood too, as is "brazilian 7a".
7. A bare number ("24", "7+", "7+/8-") is ambiguous between UIAA, Ewbank, Norwegian and Saxon:
   `GradeError` names the candidates and suggests the prefix, even when only one has it.
Unicode minus and en dash read as "-"; surrounding and repeated spaces are ignored.

Canonical spellings (`Grade.text`): V-scale "V5"; Font "7A+" (uppercase letter); French "6b+";
YDS "5.10a" (spans read "5.10a/b", "5.10c/d", "5.10"); Brazilian "VIIa"; the others as in the
tables ("7+", "7+/8-", "24", "7a", "7-"). The tables do not distinguish "+"/"-" on V1 and above
or on 5.0-5.9, so "V5+" reads as V5 and "5.9+" as 5.9. The YDS table's lone "5" row belongs to 5.0.

`convert` picks the target grade containing the midpoint row of the source's range,
`(score + score_high) // 2` (rounding down). Conversions are approximate: show them as "≈".

Every function raises `GradeError` (a `ValueError`) with a message naming the system expected
and an example; nothing else is raised for bad input.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources


class Discipline(StrEnum):
    BOULDER = "boulder"
    ROUTE = "route"


class GradeSystem(StrEnum):
    V = "v"
    FONT = "font"
    YDS = "yds"
    FRENCH = "french"
    UIAA = "uiaa"
    EWBANK = "ewbank"
    SAXON = "saxon"
    NORWEGIAN = "norwegian"
    BRAZILIAN = "brazilian"


class GradeError(ValueError):
    """The text is not a grade of any known system (or not of the one asked for)."""


@dataclass(frozen=True, order=True)
class Grade:
    score: int
    """The reference score (0-107): the lowest score this grade covers."""
    text: str
    """Canonical spelling, e.g. "V5", "7A", "5.10a", "6b+"."""
    system: GradeSystem
    discipline: Discipline
    score_high: int
    """The highest score this grade covers."""

    def covers(self, score: float) -> bool:
        return self.score <= score <= self.score_high


MIN_SCORE = 0
MAX_SCORE = 107

_BOULDER_SYSTEMS = (GradeSystem.V, GradeSystem.FONT)
_ROUTE_SYSTEMS = (
    GradeSystem.YDS,
    GradeSystem.FRENCH,
    GradeSystem.UIAA,
    GradeSystem.EWBANK,
    GradeSystem.SAXON,
    GradeSystem.NORWEGIAN,
    GradeSystem.BRAZILIAN,
)
_NUMERIC_SYSTEMS = (GradeSystem.UIAA, GradeSystem.EWBANK, GradeSystem.NORWEGIAN, GradeSystem.SAXON)
"""Route systems written as bare numbers: a bare number alone cannot tell them apart."""
_COLUMNS = {GradeSystem.BRAZILIAN: "brazilian_crux"}
_NAMES = {
    GradeSystem.V: "V-scale",
    GradeSystem.FONT: "Font",
    GradeSystem.YDS: "YDS",
    GradeSystem.FRENCH: "French",
    GradeSystem.UIAA: "UIAA",
    GradeSystem.EWBANK: "Ewbank",
    GradeSystem.SAXON: "Saxon",
    GradeSystem.NORWEGIAN: "Norwegian",
    GradeSystem.BRAZILIAN: "Brazilian",
}
_EXAMPLES = {
    GradeSystem.V: "V5",
    GradeSystem.FONT: "7A",
    GradeSystem.YDS: "5.10a",
    GradeSystem.FRENCH: "6b+",
    GradeSystem.UIAA: "7+",
    GradeSystem.EWBANK: "24",
    GradeSystem.SAXON: "7a",
    GradeSystem.NORWEGIAN: "7-",
    GradeSystem.BRAZILIAN: "VIIa",
}
_ALIASES = {
    "font": GradeSystem.FONT,
    "fb": GradeSystem.FONT,
    "f": GradeSystem.FONT,
    "french": GradeSystem.FRENCH,
    "fr": GradeSystem.FRENCH,
    "yds": GradeSystem.YDS,
    "uiaa": GradeSystem.UIAA,
    "ewbank": GradeSystem.EWBANK,
    "ewb": GradeSystem.EWBANK,
    "saxon": GradeSystem.SAXON,
    "norwegian": GradeSystem.NORWEGIAN,
    "nor": GradeSystem.NORWEGIAN,
    "brazilian": GradeSystem.BRAZILIAN,
    "br": GradeSystem.BRAZILIAN,
}
_ALIAS_RE = "|".join(sorted(_ALIASES, key=len, reverse=True))
_PREFIX = re.compile(rf"^({_ALIAS_RE})(?:\s+|(?=\d))(.+)$", re.IGNORECASE)
_SUFFIX = re.compile(rf"^(.+?)\s+({_ALIAS_RE})$", re.IGNORECASE)
_V_SHAPE = re.compile(r"^v\s*(b|\d)", re.IGNORECASE)
_LETTER_SHAPE = re.compile(r"^\d+[a-z]\+?$", re.IGNORECASE)
_ROMAN_LETTER = re.compile(r"^[ivx]+(sup|[a-c])$", re.IGNORECASE)
_ROMAN_SIGN = re.compile(r"^[ivx]+[+-]?(/[ivx]+[+-]?)?$", re.IGNORECASE)
_NUMBER = re.compile(r"^\d+[+-]?(/\d+[+-]?)?$")
_YDS = re.compile(r"^5\.(\d{1,2})([a-d](?:/[a-d])?|[+-])?$", re.IGNORECASE)
_ROMANS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV")
_ROMAN_VALUE = {roman: str(value) for value, roman in enumerate(_ROMANS, start=1)}
_ARABIC_ROMAN = {arabic: roman for roman, arabic in _ROMAN_VALUE.items()}

_BANDS: dict[Discipline, tuple[tuple[float, str], ...]] = {
    Discipline.BOULDER: ((72, "expert"), (60, "advanced"), (50, "intermediate")),
    Discipline.ROUTE: ((82.5, "expert"), (67.5, "advanced"), (54, "intermediate")),
}
"""Ability bands of coaching.md (sandbag): the lowest score of each band, hardest first."""


@dataclass(frozen=True)
class _Table:
    by_text: dict[str, Grade]
    """Lookup key (see `_key`) to grade."""
    by_score: tuple[Grade, ...]
    """The grade of each row 0-107."""


def discipline_of(system: GradeSystem) -> Discipline:
    return Discipline.BOULDER if system in _BOULDER_SYSTEMS else Discipline.ROUTE


def systems_of(discipline: Discipline) -> tuple[GradeSystem, ...]:
    return _BOULDER_SYSTEMS if discipline is Discipline.BOULDER else _ROUTE_SYSTEMS


def system_name(system: GradeSystem) -> str:
    """The human name of a system, e.g. "V-scale", "YDS"."""
    return _NAMES[system]


def grades_of(system: GradeSystem) -> tuple[Grade, ...]:
    """Every grade of the system, easiest first."""
    return tuple(dict.fromkeys(_table(system).by_score))


def grade_for_score(score: float, system: GradeSystem) -> Grade:
    """The grade of `system` whose rows contain `score` (fractions round down).

    Raises `GradeError` when the score is outside 0-107.
    """
    if not MIN_SCORE <= score <= MAX_SCORE:
        raise GradeError(f"score {score} is outside the reference scale {MIN_SCORE}-{MAX_SCORE}")
    return _table(system).by_score[int(score)]


def ability_band(score: float, discipline: Discipline) -> str:
    """The ability band of a score of `discipline`: beginner, intermediate, advanced or expert."""
    for lowest, band in _BANDS[discipline]:
        if score >= lowest:
            return band
    return "beginner"


def convert(grade: Grade, to: GradeSystem) -> Grade:
    """The grade of `to` containing the midpoint row of `grade` (rounded down).

    Raises `GradeError` if `to` belongs to the other discipline. Approximate: show it as "≈".
    """
    if discipline_of(to) is not grade.discipline:
        raise GradeError(
            f"cannot convert {_NAMES[grade.system]} {grade.text} to {_NAMES[to]}: "
            f"{grade.discipline} and {discipline_of(to)} grades are not comparable"
        )
    return grade_for_score((grade.score + grade.score_high) // 2, to)


def parse_grade(
    text: str, *, system: GradeSystem | None = None, discipline: Discipline | None = None
) -> Grade:
    """Parse one grade as climbers write it; see the module docstring for the rules.

    Raises `GradeError` for empty or unknown text, a grade of another system than `system`, a
    grade of the other discipline than `discipline`, or an ambiguous bare number.
    """
    if system is not None and discipline is not None and discipline_of(system) is not discipline:
        raise GradeError(f"{_NAMES[system]} is a {discipline_of(system)} system, not {discipline}")
    body = " ".join(text.replace("−", "-").replace("–", "-").split())
    if not body:
        raise GradeError(f"empty grade; expected {_expected(discipline)}")
    marked = _PREFIX.match(body) or _SUFFIX.match(body)
    if marked is not None:
        word, body = (marked[1], marked[2]) if marked.re is _PREFIX else (marked[2], marked[1])
        named = _ALIASES[word.lower()]
        if system is not None and named is not system:
            raise GradeError(f"'{text}' is marked {_NAMES[named]}, not {_NAMES[system]}")
        system = named
    if system is None:
        system = _infer(text, body, discipline)
    if discipline is not None and discipline_of(system) is not discipline:
        raise GradeError(
            f"'{text}' is a {discipline_of(system)} grade ({_NAMES[system]}), not a "
            f"{discipline} grade; expected {_expected(discipline)}"
        )
    return _lookup(text, body, system)


def _infer(text: str, body: str, discipline: Discipline | None) -> GradeSystem:
    if _V_SHAPE.match(body):
        return GradeSystem.V
    if body.startswith("5."):
        return GradeSystem.YDS
    if _LETTER_SHAPE.match(body):
        if discipline is not None:
            return GradeSystem.FONT if discipline is Discipline.BOULDER else GradeSystem.FRENCH
        letter = body.rstrip("+")[-1]
        return GradeSystem.FONT if letter.isupper() else GradeSystem.FRENCH
    if _ROMAN_LETTER.match(body):
        return GradeSystem.BRAZILIAN
    if _ROMAN_SIGN.match(body):
        return GradeSystem.UIAA
    if _NUMBER.match(body):
        if discipline is Discipline.BOULDER:
            raise GradeError(f"'{text}' is not a boulder grade; expected {_expected(discipline)}")
        candidates = [s for s in _NUMERIC_SYSTEMS if _key(s, body) in _table(s).by_text]
        if not candidates:
            raise GradeError(
                f"'{text}' is not a grade of UIAA, Ewbank, Norwegian or Saxon; "
                "name the system, e.g. 'uiaa 7+' or 'ewbank 24'"
            )
        names = " or ".join(f"{_NAMES[s]} {body}" for s in candidates)
        hint = " or ".join(f"'{s.value} {body}'" for s in candidates)
        raise GradeError(
            f"'{text}' is ambiguous: UIAA, Ewbank, Norwegian and Saxon all use bare numbers "
            f"(did you mean {names}?); name the system, e.g. {hint}"
        )
    raise GradeError(f"'{text}' is not a climbing grade; expected {_expected(discipline)}")


def _expected(discipline: Discipline | None) -> str:
    boulder = "a V-scale or Font boulder grade such as V5 or 7A"
    route = "a YDS or French route grade such as 5.10a or 6b+ (or 'uiaa 7+', 'ewbank 24')"
    if discipline is Discipline.BOULDER:
        return boulder
    if discipline is Discipline.ROUTE:
        return route
    return f"{boulder}, or {route}"


def _lookup(text: str, body: str, system: GradeSystem) -> Grade:
    table = _table(system)
    if system is GradeSystem.YDS:
        grade = _yds(body, table)
    else:
        grade = table.by_text.get(_key(system, body))
    if grade is None:
        first, last = table.by_score[0].text, table.by_score[-1].text
        raise GradeError(
            f"'{text}' is not a {_NAMES[system]} grade; {_NAMES[system]} runs {first} to {last}, "
            f"e.g. {_EXAMPLES[system]}"
        )
    return grade


def _yds(body: str, table: _Table) -> Grade | None:
    # The table's lone "5" row is part of 5.0 (see the module docstring).
    compact = body.replace(" ", "")
    match = _YDS.match("5.0" if compact == "5" else compact)
    if match is None:
        return None
    number, suffix = int(match[1]), (match[2] or "").lower()
    base = f"5.{number}"
    if number < 10:
        return None if any(c.isalpha() for c in suffix) else table.by_text.get(base)
    if suffix in ("", "-", "+") or "/" in suffix:
        letters = {"": "abcd", "-": "ab", "+": "cd"}.get(suffix, suffix.replace("/", ""))
        if len(letters) == 2 and ord(letters[1]) - ord(letters[0]) != 1:
            return None
        parts = [table.by_text.get(base + letter) for letter in letters]
        found = [part for part in parts if part is not None]
        if not found or (suffix and len(found) != len(parts)):
            return None
        if len(found) == 1:
            return found[0]
        spelled = base if not suffix else f"{base}{letters[0]}/{letters[1]}"
        return Grade(
            min(p.score for p in found),
            spelled,
            GradeSystem.YDS,
            Discipline.ROUTE,
            max(p.score_high for p in found),
        )
    return table.by_text.get(base + suffix)


def _key(system: GradeSystem, body: str) -> str:
    """The lookup key of a spelling in `system` (the tables' own spelling, normalised)."""
    compact = body.replace(" ", "")
    if system is GradeSystem.V:
        rest = compact[1:].upper() if compact[:1] in "vV" else compact.upper()
        sign = re.fullmatch(r"(\d+)[+-]", rest)
        if sign is not None and int(sign[1]) >= 1:
            rest = sign[1]
        return "V" + rest
    if system is GradeSystem.UIAA:
        return re.sub(r"[ivx]+", lambda m: _ROMAN_VALUE.get(m[0].upper(), "?"), compact, flags=re.I)
    if system is GradeSystem.SAXON:
        return re.sub(r"^[ivx]+", lambda m: _ROMAN_VALUE.get(m[0].upper(), "?"), compact.lower())
    if system is GradeSystem.BRAZILIAN:
        match = re.fullmatch(r"([ivx]+|\d+)(sup|[a-c])?", compact, flags=re.I)
        if match is None:
            return compact
        numeral = match[1].upper()
        return _ARABIC_ROMAN.get(numeral, numeral) + (match[2] or "").lower()
    return compact.lower()


def _canonical(system: GradeSystem, spelled: str) -> str:
    if system is GradeSystem.FONT:
        return spelled.upper()
    if system is GradeSystem.YDS and spelled == "5":
        return "5.0"
    return spelled


@cache
def _table(system: GradeSystem) -> _Table:
    discipline = discipline_of(system)
    name = "boulder.csv" if discipline is Discipline.BOULDER else "routes.csv"
    raw = resources.files("store").joinpath("data", "grades", name).read_text(encoding="utf-8")
    rows = [
        (int(row["score"]), row[_COLUMNS.get(system, system.value)])
        for row in csv.DictReader(io.StringIO(raw))
    ]
    spans: dict[str, list[int]] = {}
    for score, spelled in rows:
        spans.setdefault(_canonical(system, spelled), []).append(score)
    grades = {
        text: Grade(min(scores), text, system, discipline, max(scores))
        for text, scores in spans.items()
    }
    by_score = tuple(grades[_canonical(system, spelled)] for _, spelled in rows)
    if [score for score, _ in rows] != list(range(MIN_SCORE, MAX_SCORE + 1)):
        raise RuntimeError(f"{name} must have one row per score {MIN_SCORE}-{MAX_SCORE}")
    return _Table({_key(system, text): grade for text, grade in grades.items()}, by_score)
