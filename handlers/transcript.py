"""Chat history as the climber saw it: every turn's words, commands and cards, in order.

A turn's messages go to the climber's chat history (`store.repos.chat`) as it happens, so any
device that opens the chat later replays the same conversation:

- the coaching turn (`handlers/coach.py`) writes the climber's words, the coach's reply (whole
  or partial, with how it ended) and the proposals it made;
- a slash command, a confirm and a dismiss are recorded by `recording`, which wraps the turn's
  `emit`: each `reply`, `saved` or `proposal` frame is written just before it is sent,
  preceded, with the first of them, by the climber's command. A command that fails sends none
  of these, so it leaves nothing behind; `error` frames are never history.

Writing before sending means a device that connects and then reads the history never misses a
frame: whatever it was not sent live is already stored. A frame is stored as sent, less its
`quota` (a snapshot of that moment, not part of the conversation) and a reply's `data` (the
listing or analytics of that moment, which the REST API serves fresh, and which can be large).

History never turns a delivered answer into an error: a failed write is logged and the turn
goes on (the climber's entries are written by the command itself, not here).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from core.clock import Clock
from handlers.frames import Proposal, Reply, Saved, Say
from handlers.session import Emit, Outgoing
from store.records.chat import ChatMessageIn, Role
from store.repos.chat import ChatRepo

log = logging.getLogger("v7.history")

TICK = timedelta(microseconds=1)
"""The smallest step between two stamps of one turn (the resolution of the chat keys)."""

Replayed = Reply | Saved | Proposal


def frame_message(frame: Replayed) -> ChatMessageIn:
    """The chat message that keeps `frame` for replay; a reply's text is also its content."""
    kept = frame.model_dump(mode="json", exclude_none=True, exclude={"quota", "data"})
    content = frame.text if isinstance(frame, Reply) else ""
    return ChatMessageIn(role=Role.ASSISTANT, content=content, frame=kept)


def said_message(say: Say) -> ChatMessageIn:
    """The climber's `say` as a message: a slash command, or words for the coach."""
    text = say.text.strip()
    return ChatMessageIn(role=Role.USER, content=text, say_id=say.id, command=text.startswith("/"))


class Transcript:
    """One turn's messages in one climber's chat history, stamped in the order they happened.

    `stamp()` is the clock's "now", but always after the turn's previous stamp: the messages of
    a turn keep their order even under a clock that stands still, or two writes within one
    microsecond."""

    def __init__(self, chat: ChatRepo, user_id: str, clock: Clock) -> None:
        self._chat = chat
        self._user_id = user_id
        self._clock = clock
        self._last: datetime | None = None

    def stamp(self) -> datetime:
        now = self._clock()
        if self._last is not None and now <= self._last:
            now = self._last + TICK
        self._last = now
        return now

    async def write(self, *messages: ChatMessageIn, at: datetime | None = None) -> None:
        """Append `messages` in one write (all or none), in order, the first at `at` (a stamp
        taken earlier, e.g. when a reply started) or now. Raises the store's errors."""
        stamps = [at or self.stamp()]
        stamps += [self.stamp() for _ in messages[1:]]
        await self._chat.append_all(self._user_id, list(zip(messages, stamps, strict=True)))

    async def write_quietly(self, *messages: ChatMessageIn, at: datetime | None = None) -> None:
        """`write`, but a failure is only logged: the climber already has, or is about to get,
        what these messages record."""
        try:
            await self.write(*messages, at=at)
        except Exception:
            log.exception("could not save to chat history")


def recording(emit: Emit, transcript: Transcript, said: Say | None = None) -> Emit:
    """`emit` that writes each frame worth replaying to chat history just before sending it,
    preceded (once, with the first such frame) by the climber's `said`, stamped when the turn
    began: turns that overlap keep the order in which the climber sent them. A turn that sends
    no such frame writes nothing."""
    pending: list[ChatMessageIn] = [said_message(said)] if said is not None else []
    began: datetime | None = transcript.stamp() if said is not None else None

    async def recorded(outgoing: Outgoing) -> None:
        nonlocal began
        frame = outgoing.frame
        if isinstance(frame, Reply | Saved | Proposal):
            await transcript.write_quietly(*pending, frame_message(frame), at=began)
            pending.clear()
            began = None
        await emit(outgoing)

    return recorded
