"""`/history [N|7d]`: the user's recent sessions and sends, newest first, as a reply.

`N` (1-50) limits how many of each; `7d`/`2w`/`30 days` lists everything in that window."""

from __future__ import annotations

from grammar.history import parse_history
from handlers.commands.context import Turn
from store.records import BenchmarkSend, JournalEntry


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
