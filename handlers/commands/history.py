"""`/history [N|7d]`: the user's recent sessions and sends, newest first, as a reply.

`N` (1-50) limits how many of each; `7d`/`2w`/`30 days` lists everything in that window.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from handlers.commands.context import Turn
from handlers.errors import InvalidEntry
from store.records import BenchmarkSend, JournalEntry

USAGE = "/history 7d"
GRAMMAR = "/history (last 10) · /history N · /history 7d | 2w | 30 days"
DEFAULT_COUNT = 10
MAX_COUNT = 50
_WINDOW = re.compile(r"^(\d{1,3})\s*(d|day|days|w|week|weeks)$")


def parse_history(args: str, today: date) -> tuple[int | None, date | None]:
    """(how many, since when): one of them set. Raises `InvalidEntry`."""
    text = " ".join(args.lower().split())
    if not text:
        return DEFAULT_COUNT, None
    if text.isdigit():
        count = int(text)
        if not 1 <= count <= MAX_COUNT:
            raise InvalidEntry(f"/history takes 1 to {MAX_COUNT} entries — e.g. /history 10")
        return count, None
    match = _WINDOW.match(text)
    if match is None:
        raise InvalidEntry(f"/history takes a number or a window like 7d or 2w — e.g. {USAGE}")
    days = int(match[1]) * (7 if match[2].startswith("w") else 1)
    return None, today - timedelta(days=max(days - 1, 0))


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
    parts = [send.date.isoformat(), send.grade]
    if send.name:
        parts.append(f'"{send.name}"')
    if send.location:
        parts.append(f"@{send.location}")
    if send.ascent_style:
        parts.append(send.ascent_style.value)
    return " ".join(parts)


def _grade(grade: str, count: int) -> str:
    return grade if count == 1 else f"{count}x{grade}"


async def run(turn: Turn, args: str) -> None:
    count, since = parse_history(args, turn.today)
    sessions = await turn.repos.journal.list(turn.user_id, start=since, limit=count)
    sends = await turn.repos.sends.list(turn.user_id, start=since, limit=count)
    lines: list[str] = []
    if sessions.items:
        lines.append("Sessions:")
        lines.extend(f"- {session_line(entry)}" for entry in sessions.items)
    if sends.items:
        lines.append("Sends:")
        lines.extend(f"- {send_line(send)}" for send in sends.items)
    text = "\n".join(lines) if lines else "Nothing logged yet. Try /log gym 90min sent V4"
    data = {
        "sessions": [entry.to_wire() for entry in sessions.items],
        "sends": [send.to_wire() for send in sends.items],
    }
    await turn.reply(text, data)
