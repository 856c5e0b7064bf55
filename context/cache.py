"""This process's cache of what turns compute from each climber's records (`context.derived`).

An entry is used only when all of these hold, else it is computed afresh and replaces it:
- it was made under the climber's generation read at the start of this turn, before any record
  was read (`context.generations`): any write to their records since, on any process, has
  replaced that generation; when the generation cannot be read, no entry is used or kept;
- it is for the same day and time zone: "today", the 30 days and every week depend on the
  climber's date, read from the clock each turn (an entry made yesterday is never served
  today);
- it is at most `max_age` old (by the clock): the bound on staleness if a write's
  invalidation could not reach Redis.

Bounded: at most `max_users` climbers, the least recently used dropped first. Per process:
nothing here is shared, and nothing here is the truth (that is the table).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from context.derived import Derived

DEFAULT_USERS = 256
"""Climbers kept per process. An entry of a climber with 3 years of daily sessions is at most
about 180 KB (measured with tracemalloc, their analytics and its JSON dump the bulk): 256 of
them are under 50 MB; a climber with less history costs less."""
DEFAULT_MAX_AGE = timedelta(minutes=5)


@dataclass(frozen=True)
class _Entry:
    generation: str
    zone: str | None
    made: datetime
    derived: Derived


class ContextCache:
    """Per-climber entries keyed by user id; see the module doc for when one is used."""

    def __init__(
        self, *, max_users: int = DEFAULT_USERS, max_age: timedelta = DEFAULT_MAX_AGE
    ) -> None:
        if max_users < 1:
            raise ValueError("the context cache holds at least one climber")
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._max_users = max_users
        self._max_age = max_age
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(
        self, user_id: str, generation: str | None, today: date, zone: str | None, now: datetime
    ) -> Derived | None:
        """The climber's entry if it may be used now (see the module doc), else None."""
        entry = self._entries.get(user_id)
        if (
            entry is None
            or generation is None
            or entry.generation != generation
            or entry.derived.today != today
            or entry.zone != zone
            or not timedelta(0) <= now - entry.made <= self._max_age
        ):
            self.misses += 1
            return None
        self._entries.move_to_end(user_id)
        self.hits += 1
        return entry.derived

    def put(
        self,
        user_id: str,
        generation: str | None,
        zone: str | None,
        now: datetime,
        derived: Derived,
    ) -> None:
        """Keep `derived`, computed from records read after `generation` was read (None: the
        generation was unknown, and nothing is kept)."""
        if generation is None:
            self._entries.pop(user_id, None)
            return
        self._entries[user_id] = _Entry(generation, zone, now, derived)
        self._entries.move_to_end(user_id)
        while len(self._entries) > self._max_users:
            self._entries.popitem(last=False)

    def forget(self, user_id: str) -> None:
        """Drop the climber's entry (their records changed and other processes may not know)."""
        self._entries.pop(user_id, None)
