"""Answering a repeated `say` again instead of executing it again.

A client that lost its connection resends the `say` it is unsure about with the same `id`. The
first `say` runs; any repeat (during or after the run) receives the frames the first produced.
Memory is bounded per user and entries expire.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from handlers.frames import ServerFrame


@dataclass
class Answer:
    frames: list[ServerFrame] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    created: float = 0.0


class ReplayCache:
    def __init__(
        self,
        per_user: int = 256,
        ttl_s: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._per_user = per_user
        self._ttl = ttl_s
        self._clock = clock
        self._users: dict[str, OrderedDict[str, Answer]] = {}

    def claim(self, user_id: str, say_id: str) -> tuple[Answer, bool]:
        """The answer slot for this say, and whether the caller is the first (should execute)."""
        now = self._clock()
        answers = self._users.setdefault(user_id, OrderedDict())
        while answers:
            oldest = next(iter(answers.values()))
            if now - oldest.created <= self._ttl and len(answers) < self._per_user:
                break
            answers.popitem(last=False)
        existing = answers.get(say_id)
        if existing is not None:
            return existing, False
        answer = Answer(created=now)
        answers[say_id] = answer
        return answer, True

    def forget(self, user_id: str) -> None:
        self._users.pop(user_id, None)
