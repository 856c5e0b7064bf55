"""The shared reference data a turn reads (the chat templates, the exercise library), kept per
process for `ttl_s` so a turn does not read and validate the same records every time.

Reference data changes only when an operator seeds it (`v7 store seed`); every server process
sees a new seed within `ttl_s` (the composition root's `REFERENCE_TTL_S`). With `ttl_s` 0
nothing is kept: every call reads the table, as tests that seed between turns need. Turns that
miss at the same moment share one read.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from context.plans import plan_library
from store.records.reference import ChatTemplate, Exercise, TemplateType
from store.repos.reference import ReferenceRepo
from store.table import Table

T = TypeVar("T")

REFERENCE_TTL_S = 30.0
"""How long a server process keeps reference data before reading it again."""


class SharedReference:
    """Templates and the exercise library of `table`, kept for `ttl_s` (0: not kept)."""

    def __init__(
        self,
        table: Table,
        *,
        ttl_s: float = 0.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._table = table
        self._repo = ReferenceRepo(table)
        self._ttl = ttl_s
        self._monotonic = monotonic
        self._kept: dict[str, tuple[float, asyncio.Task[Any]]] = {}

    async def templates(self, kind: TemplateType) -> list[ChatTemplate]:
        """The templates of `kind` (`ReferenceRepo.list_templates`)."""
        return await self._read(f"templates/{kind.value}", lambda: self._repo.list_templates(kind))

    async def library(self) -> list[Exercise]:
        """The exercise library (`context.plans.plan_library`)."""
        return await self._read("library", lambda: plan_library(self._table))

    async def _read(self, key: str, load: Callable[[], Awaitable[T]]) -> T:
        if self._ttl <= 0:
            return await load()
        now = self._monotonic()
        kept = self._kept.get(key)
        if kept is None or kept[0] <= now or _failed(kept[1]):
            task: asyncio.Task[T] = asyncio.ensure_future(load())
            self._kept[key] = (now + self._ttl, task)
        else:
            task = kept[1]
        # Shielded: one caller cancelled does not cancel the read the others wait for.
        value: T = await asyncio.shield(task)
        return value


def _failed(task: asyncio.Task[Any]) -> bool:
    """A read that failed (or was cancelled) is not kept: the next turn reads again."""
    return task.done() and (task.cancelled() or task.exception() is not None)
