"""`/insights`: a few computed insights (what changed, what to watch, one thing to try). It
takes nothing after the command name."""

from __future__ import annotations

from core.errors import InvalidEntry

USAGE = "/insights"
GRAMMAR = "/insights (what changed this week, what to watch, one thing to try; not an AI message)"


def parse_insights(args: str) -> None:
    """Accept an empty argument list. Raises `InvalidEntry` for anything else."""
    if args.strip():
        raise InvalidEntry(f"/insights takes nothing after it — e.g. {USAGE}")
