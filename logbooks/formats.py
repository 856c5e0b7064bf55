"""The CSV logbooks an import reads: their columns and how their words map to ours.

Column names are compared in lower case with letters and digits only ("Lead Style" is
`leadstyle`), so a header re-saved by a spreadsheet still matches. Each format lists, for
every role, the names its export uses for it; a file is that format when it has every
`required` role (the first format that fits wins, most distinctive first).

The ascent styles, in every format, become one of (`Outcome`):

| their words | here |
|---|---|
| onsight | a completed climb; a benchmark send, `onsight` |
| flash | a completed climb; a benchmark send, `flash` |
| redpoint, send, pinkpoint, ground-up redpoint | a completed climb; a send, `redpoint` |
| repeat, top rope, follow, second, solo, clean, tick | a completed climb of the session only |
| attempt, fell/hung, hang dog, working, project, go | an attempted grade of the session |
| target, to-do, mark | refused: not an ascent |
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from logbooks.dates import DAY_FIRST, MONTH_FIRST
from logbooks.model import FormatName
from store.grades import Discipline
from store.records.sends import AscentStyle


class Outcome(Enum):
    SEND = "send"
    """Completed cleanly on lead (or a boulder sent): a benchmark send and a completed grade."""
    CLIMBED = "climbed"
    """Completed some other way (top rope, second, repeat): a completed grade of the session."""
    ATTEMPT = "attempt"
    """Tried, not completed: an attempted grade of the session."""
    NOT_AN_ASCENT = "none"


@dataclass(frozen=True)
class Style:
    outcome: Outcome
    ascent: AscentStyle | None = None


_SEND = {
    "onsight": Style(Outcome.SEND, AscentStyle.ONSIGHT),
    "os": Style(Outcome.SEND, AscentStyle.ONSIGHT),
    "flash": Style(Outcome.SEND, AscentStyle.FLASH),
    "fl": Style(Outcome.SEND, AscentStyle.FLASH),
    "redpoint": Style(Outcome.SEND, AscentStyle.REDPOINT),
    "rp": Style(Outcome.SEND, AscentStyle.REDPOINT),
    "send": Style(Outcome.SEND, AscentStyle.REDPOINT),
    "pinkpoint": Style(Outcome.SEND, AscentStyle.REDPOINT),
    "pp": Style(Outcome.SEND, AscentStyle.REDPOINT),
    "groundupredpoint": Style(Outcome.SEND, AscentStyle.REDPOINT),
}
_CLIMBED = Style(Outcome.CLIMBED)
_ATTEMPT = Style(Outcome.ATTEMPT)
STYLES: Mapping[str, Style] = {
    **_SEND,
    **dict.fromkeys(
        ("repeat", "tr", "toprope", "toproped", "follow", "second", "secondclean", "solo",
         "freesolo", "clean", "tick", "toropeonsight", "topropeonsight", "topropeflash",
         "topropeclean", "lead", "dws"),
        _CLIMBED,
    ),
    **dict.fromkeys(
        ("attempt", "fellhung", "fell", "hung", "hangdog", "working", "project", "go",
         "retreat", "dog", "aid"),
        _ATTEMPT,
    ),
    **dict.fromkeys(("target", "todo", "mark", "wishlist"), Style(Outcome.NOT_AN_ASCENT)),
}  # fmt: skip


@lru_cache(maxsize=1024)
def style_of(*words: str) -> Style | None:
    """The style the first of `words` that names one says (None: none does)."""
    for word in words:
        key = "".join(char for char in word.lower() if char.isalnum())
        if key in STYLES:
            return STYLES[key]
    return None


@lru_cache(maxsize=1024)
def discipline_of(*words: str) -> Discipline | None:
    """Boulder or route, from a climb-type column ("Boulder", "Sport, TR", "bouldering",
    "1"); None when it does not say."""
    text = " ".join(words).lower()
    if "boulder" in text:
        return Discipline.BOULDER
    if any(word in text for word in ("sport", "trad", "tr", "rope", "route", "lead", "alpine")):
        return Discipline.ROUTE
    return None


@lru_cache(maxsize=1024)
def kind_of(*words: str) -> str | None:
    """The session discipline a climb belongs to: boulder, trad or sport (None: unknown)."""
    text = " ".join(words).lower()
    if "boulder" in text:
        return "boulder"
    if "trad" in text:
        return "trad"
    if text.strip():
        return "sport"
    return None


@dataclass(frozen=True)
class CsvFormat:
    name: FormatName
    columns: Mapping[str, tuple[str, ...]]
    """role → the column names (normalised) this format uses for it, preferred first."""
    required: tuple[str, ...]
    """The roles whose columns identify the format."""
    date_order: str
    """How this format writes slashed dates when the file itself does not tell."""
    location: Callable[[Mapping[str, str]], str]
    """Where the climb is, from a row's roles (crag, sector, gym…)."""
    indoor: Callable[[Mapping[str, str]], bool] = lambda row: False

    def column(self, header: list[str], role: str) -> str | None:
        present = set(header)
        return next((name for name in self.columns.get(role, ()) if name in present), None)

    def fits(self, header: list[str]) -> bool:
        return all(self.column(header, role) is not None for role in self.required)


def _mountain_project_location(row: Mapping[str, str]) -> str:
    # "State > Area > Sub-area > Wall": the last part is the wall or boulder, and a day at a
    # crag often moves between walls, so a session is one per crag (the path without it).
    parts = [part.strip() for part in row.get("location", "").split(">") if part.strip()]
    return " > ".join(parts[:-1] if len(parts) >= 3 else parts)


def _joined(*roles: str) -> Callable[[Mapping[str, str]], str]:
    def location(row: Mapping[str, str]) -> str:
        return " > ".join(row[role] for role in roles if row.get(role))

    return location


MOUNTAIN_PROJECT = CsvFormat(
    FormatName.MOUNTAIN_PROJECT,
    columns={
        "date": ("date",),
        "name": ("route",),
        "grade": ("rating",),
        "style": ("style",),
        "lead_style": ("leadstyle",),
        "type": ("routetype",),
        "location": ("location",),
        "notes": ("notes",),
        "pitches": ("pitches",),
    },
    required=("date", "name", "grade", "style", "lead_style", "type"),
    date_order=MONTH_FIRST,
    location=_mountain_project_location,
)

THECRAG = CsvFormat(
    FormatName.THECRAG,
    columns={
        "date": ("ascentdate", "date"),
        "name": ("routename",),
        "grade": ("ascentgrade", "routegrade"),
        "style": ("ascenttype",),
        "type": ("ascentgearstyle", "routegearstyle"),
        "crag": ("cragname",),
        "country": ("country",),
        "notes": ("comment",),
    },
    required=("date", "name", "grade", "style", "crag"),
    date_order=DAY_FIRST,
    location=_joined("crag", "country"),
)

KAYA = CsvFormat(
    FormatName.KAYA,
    columns={
        "date": ("date",),
        "name": ("climbname", "climb"),
        "grade": ("grade",),
        "style": ("sendtype", "ascenttype"),
        "type": ("climbtype",),
        "gym": ("gym", "gymname"),
        "destination": ("destination",),
        "area": ("area",),
        "attempts": ("attempts",),
        "notes": ("notes", "comment"),
    },
    required=("date", "name", "grade", "style", "type"),
    date_order=MONTH_FIRST,
    location=lambda row: row.get("gym") or _joined("destination", "area")(row),
    indoor=lambda row: bool(row.get("gym")),
)

EIGHT_A = CsvFormat(
    FormatName.EIGHT_A,
    columns={
        "date": ("date", "ascentdate"),
        "name": ("name", "zlaggablename", "routename"),
        "grade": ("grade", "difficulty"),
        "style": ("type", "ascenttype", "style"),
        "type": ("category", "climbtype"),
        "crag": ("crag", "cragname", "area"),
        "sector": ("sector", "sectorname"),
        "country": ("country",),
        "attempts": ("tries", "attempts"),
        "notes": ("comment", "notes"),
    },
    required=("date", "name", "grade", "style", "crag"),
    date_order=DAY_FIRST,
    location=_joined("crag", "country"),
)

CSV_FORMATS: tuple[CsvFormat, ...] = (MOUNTAIN_PROJECT, THECRAG, KAYA, EIGHT_A)
"""Most distinctive columns first: detection takes the first that fits."""

BY_NAME: Mapping[FormatName, CsvFormat] = {each.name: each for each in CSV_FORMATS}
