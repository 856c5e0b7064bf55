"""The numbered listing of sessions and sends that `/history` shows, and finding entry N of it
again for `/edit` and `/delete`.

The order: newest first by date; within a day, by when the entry was logged (`createdAt`),
newest first; then by id, so that the order is the same every time.

What a number means: the entry that stood beside it in the climber's last `/history` (from any
of their tabs, for `VIEW_TTL_S`). `/history` stores the kinds and ids it numbered
(`store.repos.history_view`), and `/edit N` and `/delete N` look entry N up there, so a number
never drifts to another entry when something is logged, edited or deleted in between: entry 3
stays the entry that was shown as 3, and entries logged after the listing have no number until
the next one. If that entry has been deleted since, the climber gets `not_found` and nothing
changes; with no listing (none yet, or older than a day), `not_found` asking for `/history`
first. An entry edited since is still that entry: `/edit` changes only the fields it names, on
the version it reads, and a change landing between that read and its write is a `conflict`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from core.errors import NothingFound
from core.text import plural
from handlers.commands.context import Turn
from handlers.undo import Entity
from store.errors import NotFound
from store.records import BenchmarkSend, JournalEntry
from store.repos.history_view import Listed

VIEW_TTL_S = 24 * 3600
"""How long the numbers of a `/history` listing stay good for `/edit` and `/delete`."""

Kind = Literal["session", "send"]


@dataclass(frozen=True)
class Entry:
    """One listed entry: a session (a journal entry) or a send."""

    kind: Kind
    record: JournalEntry | BenchmarkSend

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def day(self) -> date:
        return self.record.date

    @property
    def entity(self) -> Entity:
        """What the undo log calls its kind of record."""
        return "journal" if self.kind == "session" else "send"

    @property
    def order(self) -> tuple[date, datetime, str]:
        """Sorts the listing when reversed: newest date, then latest logged, then id."""
        return self.record.date, self.record.created_at, self.record.id

    def line(self) -> str:
        """The entry on one line, date first: "2026-03-10 outdoor 180min @Ceüse sent 7a"."""
        if isinstance(self.record, JournalEntry):
            return session_line(self.record)
        return send_line(self.record)


def session_line(entry: JournalEntry) -> str:
    parts = [entry.date.isoformat(), entry.session_type.value, f"{entry.duration_minutes}min"]
    if entry.location:
        parts.append(f"@{entry.location}")
    if entry.grades_completed:
        sent = " ".join(_grade(g.grade, g.count) for g in entry.grades_completed)
        parts.append(f"sent {sent}")
    if entry.grades_attempted:
        tried = " ".join(_grade(g.grade, g.count) for g in entry.grades_attempted)
        parts.append(f"tried {tried}")
    if entry.rpe is not None:
        parts.append(f"rpe {entry.rpe:g}")
    return " ".join(parts)


def send_line(send: BenchmarkSend) -> str:
    parts = [send.date.isoformat(), "send", send.grade]
    if send.name:
        parts.append(f'"{send.name}"')
    if send.location:
        parts.append(f"@{send.location}")
    if send.ascent_style:
        parts.append(send.ascent_style.value)
    return " ".join(parts)


def _grade(grade: str, count: int) -> str:
    return grade if count == 1 else f"{count}x{grade}"


async def newest(turn: Turn, *, limit: int, since: date | None) -> tuple[list[Entry], bool]:
    """The user's `limit` newest sessions and sends dated `since` or later (any date when None),
    in the listing's order, and whether more of them exist."""
    wanted = limit + 1  # one more, to know whether there are more
    found = await _dated(turn, start=since, end=None, limit=wanted)
    if len(found) >= wanted:
        # Each kind's page is in date order, but within a day in id order: read the last day
        # that makes the cut whole, so that its entries are ordered by when they were logged.
        boundary = sorted((entry.day for entry in found), reverse=True)[wanted - 1]
        whole_day = await _dated(turn, start=boundary, end=boundary, limit=None)
        found = [entry for entry in found if entry.day != boundary] + whole_day
    found.sort(key=lambda entry: entry.order, reverse=True)
    return found[:limit], len(found) > limit


async def _dated(
    turn: Turn, *, start: date | None, end: date | None, limit: int | None
) -> list[Entry]:
    sessions, sends = await asyncio.gather(
        turn.repos.journal.list(turn.user_id, start=start, end=end, limit=limit),
        turn.repos.sends.list(turn.user_id, start=start, end=end, limit=limit),
    )
    return [Entry("session", entry) for entry in sessions.items] + [
        Entry("send", send) for send in sends.items
    ]


async def remember(turn: Turn, entries: list[Entry]) -> None:
    """Keep what the listing numbered, for `/edit N` and `/delete N`."""
    listed = [Listed(entry.kind, entry.id) for entry in entries]
    expires = turn.now + timedelta(seconds=VIEW_TTL_S)
    await turn.repos.history_views.put(turn.user_id, listed, turn.now, expires)


async def numbered(turn: Turn, number: int, example: str) -> Entry:
    """Entry `number` of the user's last listing, as stored now. Raises `NothingFound` when
    there is no listing, no such number in it, or the entry has been deleted since. `example`
    shows the command the climber was typing ("/edit 2 rpe 8")."""
    view = await turn.repos.history_views.get(turn.user_id, turn.now)
    if view is None:
        raise NothingFound(
            f"Number your entries first: type /history, then use its numbers — e.g. {example}"
        )
    if number > len(view.entries):
        raise NothingFound(
            f"Your last /history showed {plural(len(view.entries), 'entry')}, so there is no "
            f"number {number}. Type /history to list them again."
        )
    listed = view.entries[number - 1]
    try:
        if listed.kind == "session":
            return Entry("session", await turn.repos.journal.get(turn.user_id, listed.id))
        if listed.kind == "send":
            return Entry("send", await turn.repos.sends.get(turn.user_id, listed.id))
    except NotFound:
        pass
    raise gone(number)


def gone(number: int) -> NothingFound:
    """Entry `number` of the last listing no longer exists."""
    return NothingFound(
        f"Entry {number} of your last /history has been deleted since, so nothing was changed. "
        "Type /history to list your entries again."
    )


def wire(entries: list[Entry]) -> dict[str, Any]:
    """The listing for clients: every entry with its number and kind, and (as before numbering)
    the sessions and the sends on their own."""
    return {
        "entries": [
            {"number": number, "kind": entry.kind, "item": entry.record.to_wire()}
            for number, entry in enumerate(entries, start=1)
        ],
        "sessions": [entry.record.to_wire() for entry in entries if entry.kind == "session"],
        "sends": [entry.record.to_wire() for entry in entries if entry.kind == "send"],
    }
