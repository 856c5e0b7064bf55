"""A `say` is executed at most once per id: a retry is answered again, not executed again.

In the style of AWS Powertools' idempotency utility: `Idempotency` owns the logic, over a
small `RecordStore` (this process's memory here, `InMemoryRecords`; Redis in
`server/say_ledger.py`, so that a retry on any server process is recognised). One record per
(user, say id), with a fingerprint of the frame (its type and text) and a status:

- the first `say` with an id writes an **in-progress** record (atomically: of two racing
  copies, one runs) and executes, keeping the frames it sends;
- it **completes**: the record holds those frames (at most `max_bytes` of them) for `ttl_s`;
- it **fails** (raises: any refusal or error, which the caller turns into an `error` frame), is
  **cancelled**, or did **nothing** (a reply stopped before any output, its AI message refunded):
  the record is deleted, so a retry executes again.

A retry (same user, same id) is answered from the record:

- completed, same fingerprint: the first run's frames again, to the retrying socket only;
  nothing executes. Frames too large to keep: `conflict` (the reply is in chat history);
- a different fingerprint (another text under a used id): `conflict`, nothing executes;
- in progress: the retry waits up to `wait_s` for the first run to complete (then is answered as
  above) or to fail (then it executes itself); still running after that: `conflict` "still in
  progress". The first run's frames meanwhile reach every socket of the user as they go;
- an in-progress record is kept alive by its run (refreshed every third of
  `in_progress_ttl_s`), so one whose process died expires on its own and a retry then executes.

The store unavailable (Redis down): the say falls back to `fallback` (this process's memory),
so while the outage lasts a retry is recognised only on the process that ran the first copy.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from core.errors import HandlerError
from handlers.frames import Say, ServerFrame, StreamEnd, StreamStart

log = logging.getLogger("v7.idempotency")

Status = Literal["in_progress", "completed"]
Keep = Callable[[str], None]
"""Keeps one frame (its JSON text) for the answer to retries."""
Execute = Callable[[Keep], Awaitable[bool]]
"""Runs the `say`, calling `keep` with every frame it sends; raises when it fails. Returns
whether it did anything (False: forget it, as if it had failed, but without an error)."""
Answer = Callable[[str], None]
"""Sends one kept frame (its JSON text) to the socket that retried."""

TTL_S = 900.0
"""How long a completed say is remembered."""
IN_PROGRESS_TTL_S = 20.0
"""How long an in-progress record outlives the last refresh of its run."""
WAIT_S = 30.0
"""How long a retry waits for the first copy to finish (long enough for most replies)."""
MAX_BYTES = 256 * 1024
"""The most frame text a completed record keeps."""


class SayConflict(HandlerError):
    """The say id cannot be answered: another text under it, or it is still in progress."""

    code = "conflict"


class RecordsUnavailable(Exception):
    """The record store cannot be reached (e.g. Redis is down)."""


@dataclass(frozen=True)
class Record:
    status: Status
    fingerprint: str
    owner: str
    """The run that wrote the record (random): only it may complete, refresh or delete it."""
    frames: tuple[str, ...] | None = None
    """A completed run's frames; None when they were too large to keep."""


class RecordStore(Protocol):
    """Where records live. Every method raises `RecordsUnavailable` when the store cannot be
    reached, and nothing else for the store's own failures."""

    async def put_in_progress(
        self, user_id: str, say_id: str, record: Record, ttl_s: float
    ) -> Record | None:
        """Atomically: write `record` (in progress, living `ttl_s`) unless the say already has
        a record. None when written, else the existing record (unchanged)."""

    async def refresh(self, user_id: str, say_id: str, owner: str, ttl_s: float) -> None:
        """Let the in-progress record of `owner` live `ttl_s` from now (no-op if not theirs)."""

    async def complete(self, user_id: str, say_id: str, record: Record, ttl_s: float) -> None:
        """Replace the record of `record.owner` with `record` (completed, living `ttl_s`);
        no-op if the say's record is not theirs any more (it expired and was claimed)."""

    async def delete(self, user_id: str, say_id: str, owner: str) -> None:
        """Delete the record of `owner` (no-op if not theirs)."""


def delivers(frame: ServerFrame) -> bool:
    """Whether sending `frame` did something for the climber: any frame but the bare frame of a
    reply with no text (its `stream.start`, or a `stream.end` after no delta). A run that sent
    nothing else returns False from its `Execute`."""
    return not isinstance(frame, StreamStart) and not (
        isinstance(frame, StreamEnd) and frame.seq == 0
    )


def fingerprint(say: Say) -> str:
    """What makes two `say`s with one id the same request: the frame's type and text."""
    return hashlib.sha256(f"{say.type}\0{say.text}".encode()).hexdigest()[:32]


class Idempotency:
    """Runs each say at most once per (user, id); see the module doc for the rules.
    `clock` (monotonic seconds) and `sleep` measure the waits; tests may shorten them."""

    def __init__(
        self,
        store: RecordStore,
        *,
        fallback: RecordStore | None = None,
        ttl_s: float = TTL_S,
        in_progress_ttl_s: float = IN_PROGRESS_TTL_S,
        wait_s: float = WAIT_S,
        max_bytes: int = MAX_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._fallback = fallback if fallback is not None else InMemoryRecords(clock=clock)
        self._ttl = ttl_s
        self._in_progress_ttl = in_progress_ttl_s
        self._wait = wait_s
        self._max_bytes = max_bytes
        self._clock = clock

    async def run(self, user_id: str, say: Say, execute: Execute, answer: Answer) -> None:
        """Execute `say` for `user_id` unless it ran before: then `answer` each frame of the
        first run. Raises `SayConflict` (nothing executed, nothing answered) and whatever
        `execute` raises (after deleting the record, so that a retry executes)."""
        mine = Record("in_progress", fingerprint(say), secrets.token_hex(8))
        store = await self._claim(user_id, say.id, mine, answer)
        if store is None:
            return
        kept: list[str] = []
        beat = asyncio.create_task(self._keep_alive(store, user_id, say.id, mine.owner))
        try:
            did = await execute(kept.append)
        except BaseException:
            await _stopped(beat)
            # Shielded: a cancelled run must still free the id for a retry.
            await asyncio.shield(self._quietly(store.delete(user_id, say.id, mine.owner)))
            raise
        await _stopped(beat)
        if not did:
            await asyncio.shield(self._quietly(store.delete(user_id, say.id, mine.owner)))
            return
        frames = tuple(kept) if sum(map(len, kept)) <= self._max_bytes else None
        if frames is None:
            log.warning("say %s answered with too much to keep for retries", say.id)
        done = Record("completed", mine.fingerprint, mine.owner, frames)
        await asyncio.shield(self._quietly(store.complete(user_id, say.id, done, self._ttl)))

    async def _claim(
        self, user_id: str, say_id: str, mine: Record, answer: Answer
    ) -> RecordStore | None:
        """The store in which `mine` now holds the say (the caller executes it), or None when
        the say was answered from an earlier run's record."""
        store = self._store
        deadline = self._clock() + self._wait
        pause = 0.05
        while True:
            try:
                found = await store.put_in_progress(user_id, say_id, mine, self._in_progress_ttl)
            except RecordsUnavailable:
                if store is self._fallback:
                    raise
                log.warning("say records unavailable; retries are recognised on this process only")
                store = self._fallback
                continue
            if found is None:
                return store
            if found.fingerprint != mine.fingerprint:
                raise SayConflict(f"Say id {say_id} was already used for a different message")
            if found.status == "completed":
                if found.frames is None:
                    raise SayConflict(
                        f"Say {say_id} was answered already; its reply is in the chat history"
                    )
                for text in found.frames:
                    answer(text)
                return None
            if self._clock() + pause > deadline:
                raise SayConflict(
                    f"Say {say_id} is still in progress: its frames reach every open socket of "
                    "yours as they come (resume its stream for what you missed)"
                )
            await asyncio.sleep(pause)
            pause = min(pause * 1.5, 0.25)

    async def _keep_alive(self, store: RecordStore, user_id: str, say_id: str, owner: str) -> None:
        while True:
            await asyncio.sleep(self._in_progress_ttl / 3)
            await self._quietly(store.refresh(user_id, say_id, owner, self._in_progress_ttl))

    @staticmethod
    async def _quietly(operation: Coroutine[Any, Any, None]) -> None:
        """A write after the run: never turns an answer (or its failure) into another error."""
        try:
            await operation
        except RecordsUnavailable:
            log.warning("say record not updated: the record store is unavailable")


async def _stopped(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


class InMemoryRecords:
    """Records in this process's memory: at most `per_user` a user (oldest dropped first),
    each expiring on `clock` (monotonic seconds). Never unavailable."""

    def __init__(self, per_user: int = 256, clock: Callable[[], float] = time.monotonic) -> None:
        self._per_user = per_user
        self._clock = clock
        self._users: dict[str, OrderedDict[str, tuple[Record, float]]] = {}

    def _live(self, user_id: str) -> OrderedDict[str, tuple[Record, float]]:
        now = self._clock()
        records = self._users.setdefault(user_id, OrderedDict())
        for say_id in [key for key, (_, expires) in records.items() if expires <= now]:
            del records[say_id]
        return records

    def _owned(self, user_id: str, say_id: str, owner: str) -> bool:
        held = self._live(user_id).get(say_id)
        return held is not None and held[0].owner == owner

    async def put_in_progress(
        self, user_id: str, say_id: str, record: Record, ttl_s: float
    ) -> Record | None:
        records = self._live(user_id)
        held = records.get(say_id)
        if held is not None:
            return held[0]
        while len(records) >= self._per_user:
            records.popitem(last=False)
        records[say_id] = (record, self._clock() + ttl_s)
        return None

    async def refresh(self, user_id: str, say_id: str, owner: str, ttl_s: float) -> None:
        if self._owned(user_id, say_id, owner):
            records = self._users[user_id]
            records[say_id] = (records[say_id][0], self._clock() + ttl_s)

    async def complete(self, user_id: str, say_id: str, record: Record, ttl_s: float) -> None:
        if self._owned(user_id, say_id, record.owner):
            self._users[user_id][say_id] = (record, self._clock() + ttl_s)

    async def delete(self, user_id: str, say_id: str, owner: str) -> None:
        if self._owned(user_id, say_id, owner):
            del self._users[user_id][say_id]
