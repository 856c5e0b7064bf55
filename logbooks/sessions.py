"""From ticks to the project's records: a session per day and place, and benchmark sends.

* A day's ticks at one place (crag, gym) are one journal entry: its completed grades and
  attempted grades with their counts, indoor when the logbook says gym, outdoor otherwise.
  Logbooks do not record how long a session was, so an entry says "2 h assumed" in its notes
  and carries no RPE (so no load is computed from it).
* The first clean ascent of a named climb in the file (onsight, flash, redpoint) is also a
  benchmark send: the points of the climber's grade curve. Repeats, top ropes and seconds stay
  in their session only.

Every record's id is a fingerprint of where it came from (the format, and the day and place
of a session, or the climb and place of a send), so importing the same file twice finds the
same ids already stored and adds nothing. Records are stamped as logged on their own day
(midnight UTC): an import of the past never counts in the week it was imported.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

from logbooks.dates import start_of
from logbooks.formats import Outcome
from logbooks.model import FormatName
from logbooks.ticks import Tick
from store.grades import Grade
from store.records.journal import JournalEntry
from store.records.sends import BenchmarkSend

ASSUMED_MINUTES = 120
"""A session's duration when the logbook does not record one (none of them do)."""

MAX_COUNT = 1000
"""The most climbs of one grade a session records (store/records/common.py `GradeRef`)."""


def fingerprint(*parts: str) -> str:
    """A record id from the parts that identify its source: 32 hex digits, like `new_id`."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


def _place_key(location: str) -> str:
    return " ".join(location.lower().split())


def build(
    fmt: FormatName, ticks: Iterable[Tick]
) -> tuple[list[tuple[JournalEntry, int]], list[BenchmarkSend]]:
    """The sessions (each with how many file rows it holds) and the sends of `ticks`."""
    days: dict[tuple[date, str], list[Tick]] = defaultdict(list)
    for tick in ticks:
        days[(tick.day, _place_key(tick.location))].append(tick)
    entries: list[tuple[JournalEntry, int]] = []
    sends: list[BenchmarkSend] = []
    sent: set[tuple[str, str]] = set()
    for (day, place), group in sorted(days.items(), key=lambda item: item[0]):
        entries.append((_entry(fmt, day, place, group), len(group)))
        for tick in group:
            climb = (" ".join(tick.name.lower().split()), place)
            if tick.style.outcome is Outcome.SEND and tick.name and climb not in sent:
                sent.add(climb)
                sends.append(_send(fmt, tick, climb))
    return entries, sends


def _grades(ticks: Iterable[Tick]) -> list[dict[str, object]]:
    counts: Counter[tuple[str, str]] = Counter()
    order: dict[tuple[str, str], Grade] = {}
    for tick in ticks:
        key = (tick.grade.system.value, tick.grade.text)
        counts[key] += 1
        order.setdefault(key, tick.grade)
    keys = sorted(counts, key=lambda key: (order[key].discipline, order[key].score))
    return [
        {"grade": text, "system": system, "count": min(counts[(system, text)], MAX_COUNT)}
        for system, text in keys
    ]


def _entry(fmt: FormatName, day: date, place: str, ticks: list[Tick]) -> JournalEntry:
    kinds = {tick.kind for tick in ticks if tick.kind}
    disciplines = {tick.grade.discipline for tick in ticks}
    discipline = kinds.pop() if len(kinds) == 1 else "mixed"
    if len(disciplines) > 1:
        discipline = "mixed"
    indoor = any(tick.indoor for tick in ticks)
    completed = [tick for tick in ticks if tick.style.outcome is not Outcome.ATTEMPT]
    attempted = [tick for tick in ticks if tick.style.outcome is Outcome.ATTEMPT]
    stamp = start_of(day)
    return JournalEntry.model_validate(
        {
            "id": fingerprint(fmt.value, "session", day.isoformat(), place),
            "date": day,
            "sessionType": "gym" if indoor else "outdoor",
            "discipline": discipline,
            "type": "indoor" if indoor else "outdoor",
            "duration": ASSUMED_MINUTES,
            "location": ticks[0].location or None,
            "gradesCompleted": _grades(completed),
            "gradesAttempted": _grades(attempted),
            "notes": _notes(fmt, ticks),
            "createdAt": stamp,
            "updatedAt": stamp,
        }
    )


def _notes(fmt: FormatName, ticks: list[Tick]) -> str:
    lines = [
        f"Imported from {fmt.described.split(' ', 1)[1]}: {len(ticks)} "
        f"{'climb' if len(ticks) == 1 else 'climbs'}; duration not recorded there "
        f"({ASSUMED_MINUTES // 60} h assumed)."
    ]
    for tick in ticks:
        said = f" — {' '.join(tick.notes.split())}" if tick.notes else ""
        lines.append(f"{tick.name or 'unnamed'} {tick.grade.text}{said}")
    text = "\n".join(lines)
    return text if len(text) <= 5000 else text[:4999] + "…"


def _send(fmt: FormatName, tick: Tick, climb: tuple[str, str]) -> BenchmarkSend:
    stamp = start_of(tick.day)
    notes = " ".join(tick.notes.split())[:5000] or None
    return BenchmarkSend.model_validate(
        {
            "id": fingerprint(fmt.value, "send", *climb),
            "grade": tick.grade.text,
            "gradeType": tick.grade.system.value,
            "name": tick.name,
            "location": tick.location or None,
            "date": tick.day,
            "type": "indoor" if tick.indoor else "outdoor",
            "ascentStyle": tick.style.ascent.value if tick.style.ascent else None,
            "attempts": tick.attempts,
            "notes": notes,
            "createdAt": stamp,
            "updatedAt": stamp,
        }
    )
