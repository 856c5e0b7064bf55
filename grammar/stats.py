"""`/stats [30d|90d|1y]`: which period of analytics the climber asks for."""

from __future__ import annotations

import re
from typing import Literal

from core.errors import InvalidEntry

USAGE = "/stats 30d"
GRAMMAR = "/stats (last 30 days) · /stats 30d | 90d | 1y"

PeriodKey = Literal["30d", "90d", "1y"]
"""The period's key, as `/analytics/*?period=` spells it."""

_ALIASES: dict[str, PeriodKey] = {
    "30": "30d",
    "30d": "30d",
    "30days": "30d",
    "month": "30d",
    "90": "90d",
    "90d": "90d",
    "90days": "90d",
    "1y": "1y",
    "1year": "1y",
    "year": "1y",
    "365d": "1y",
}


def parse_period(args: str) -> PeriodKey:
    """The period named by `args` (30 days when empty). Raises `InvalidEntry`."""
    text = re.sub(r"\s+", "", args.lower())
    if not text:
        return "30d"
    period = _ALIASES.get(text)
    if period is None:
        raise InvalidEntry(f"/stats takes 30d, 90d or 1y — e.g. {USAGE}")
    return period
