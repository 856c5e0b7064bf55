"""`/history [N|7d]`: how many of the user's newest sessions and sends to list, or since when.

`N` (1-50) is how many entries, sessions and sends together; `7d`/`2w`/`30 days` a window."""

from __future__ import annotations

import re
from datetime import date, timedelta

from core.errors import InvalidEntry

USAGE = "/history 7d"

GRAMMAR = (
    "/history (the newest 10) · /history N · /history 7d | 2w | 30 days — numbered, "
    "newest first, for /edit N and /delete N"
)

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
