"""Where a benchmark send was climbed, for the analytics that split indoor from outdoor.

The climber's word wins. A send logged without indoor/outdoor takes the setting of that day's
sessions with sent climbs of its discipline when they were all in one setting: it is most likely
one of those climbs, and placing it elsewhere would count that climb in two groups (see
`coaching.analytics.grades`). Otherwise its setting stays None, unknown: never assumed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from store.grades import Discipline, discipline_of
from store.records.common import Setting
from store.records.journal import JournalEntry
from store.records.sends import BenchmarkSend


class SendSettings:
    """The setting of each send, given the sessions logged around it."""

    def __init__(self, entries: Iterable[JournalEntry]) -> None:
        self._days: dict[tuple[date, Discipline], set[Setting]] = defaultdict(set)
        for entry in entries:
            for ref in entry.grades_completed:
                self._days[(entry.date, discipline_of(ref.system))].add(entry.setting)

    def of(self, send: BenchmarkSend) -> Setting | None:
        """`send`'s setting as given, else its day's one session setting, else None."""
        if send.setting is not None:
            return send.setting
        settings = self._days.get((send.date, send.discipline), set())
        return next(iter(settings)) if len(settings) == 1 else None
