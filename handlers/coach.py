"""The coaching turn: reserve → context → stream → persist → settle (sans-I/O).

One `say` without a slash becomes one reply, streamed as `stream.start`, numbered
`stream.delta`s and `stream.end` (to every socket of the user). Deltas are coalesced
(`handlers/deltas.py`): text after a quiet spell goes out at once, and while text keeps coming
it goes out a window apart, so a fast model does not cost a frame per token.

Settling follows the quota rules exactly once on every path: finished → commit; failed before
any output → refund; stopped, disconnected or failed after output → commit (the climber got
something). `stop` cancels only the streaming part (the upstream call is closed by the model's
generator) and the turn still ends the stream, saves the partial reply and settles; the stream
is registered with `runs` (`handlers/runs.py`) while it streams, so a `stop` from any socket of
the climber reaches it. A model that fails, with a `ModelError` or any other exception (a bug
in a provider, logged with its traceback), ends the stream with reason "error"; if it failed
before any output it hands over to the fallback (the offline analyst), labelled, if there is
one; otherwise the climber gets `model_unavailable`.

The turn does not depend on the socket that asked: the caller decides when to cancel it (the
server lets it run on after a dropped socket; see `server/runs.py`). Cancelled, it still ends
the stream "stopped", saves and settles.

The turn is kept in chat history (`handlers/transcript.py`) in the order the climber saw it: their
words, the reply (stamped when it started, saved before its `stream.end` is sent, so a device
that reads the history after that has it) and the proposals made while it streamed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from coaching.intent import SHORT_INTENTS
from core.caller import Caller
from core.clock import Clock
from core.errors import HandlerError
from core.model import Model, ModelError, Prompt, Stop, TextDelta, ToolCall
from core.model import Usage as ModelUsage
from core.quota import Quota
from handlers.deltas import Coalescer, window_for
from handlers.frames import StreamDelta, StreamEnd, StreamStart, Usage
from handlers.proposals import ProposalStore
from handlers.runs import LocalRuns, Runs
from handlers.session import AiTicket, Allowances, Assembler, Emit, Outgoing
from handlers.transcript import Transcript, frame_message
from store.records.chat import ChatMessageIn, Role, TokenUsage
from store.repos.chat import ChatRepo

log = logging.getLogger("v7.coach")

FALLBACK_LABEL = "(The coach's model is unavailable right now; the offline coach answers.)\n\n"


def model_key(tier: str, *, quick: bool = False) -> str:
    """The key of a tier's own model in `Coach.models`: its coaching model, or with `quick` its
    lighter model for short answers."""
    return f"{tier}/quick" if quick else tier


class ModelUnavailable(HandlerError):
    code = "model_unavailable"


@dataclass
class _Turn:
    """One coaching turn in progress: who asked, where it streams, what has been said."""

    caller: Caller
    say_id: str
    emit: Emit
    transcript: Transcript
    stream_id: str = field(default_factory=lambda: "s" + secrets.token_hex(6))
    text: list[str] = field(default_factory=list)
    seq: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    reason: str = "end"
    answered_by: str = ""
    proposals: int = 0
    started: bool = False
    reply_at: datetime | None = None

    @property
    def delivered(self) -> bool:
        return self.seq > 0 or self.proposals > 0


@dataclass
class Coach:
    """Serves coaching turns for one app (shared by every socket)."""

    models: Mapping[str, Model]
    """Each tier's own models by `model_key`; "default" (`V7_MODEL`) for what a tier leaves to
    the server."""
    assembler: Assembler
    chat: ChatRepo
    proposals: ProposalStore
    clock: Clock
    allowances: Allowances | None = None
    fallback: Model | None = None
    runs: Runs = field(default_factory=LocalRuns)
    """Where running streams are registered, so `stop` reaches them (`handlers/runs.py`)."""

    def model_for(self, tier: str, intent: str | None = None) -> Model:
        """The model answering `tier`'s question of `intent`: the tier's quick model for a
        short answer (`coaching.intent.SHORT_INTENTS`), its coaching model otherwise; the
        default where the tier names none."""
        quick = intent in SHORT_INTENTS
        return self.models.get(model_key(tier, quick=quick)) or self.models["default"]

    async def reply(self, caller: Caller, say_id: str, text: str, emit: Emit) -> None:
        """Serve one coaching turn. Raises refusals (quota, rate) before anything is streamed,
        and `ModelUnavailable` when no model could answer (the reservation is refunded)."""
        ticket = await self.allowances.reserve_ai(caller) if self.allowances else None
        turn = _Turn(caller, say_id, emit, Transcript(self.chat, caller.user_id, self.clock))
        model = self.model_for(caller.tier)
        turn.answered_by = model.name
        used: dict[str, Any] = {}
        try:
            assembled = await self.assembler.assemble(caller, text)
            used = assembled.used
            # Which model answers depends on what is asked, known once the context is read.
            model = self.model_for(caller.tier, used.get("intent"))
            turn.answered_by = model.name
            said = ChatMessageIn(
                role=Role.USER, content=text, stream_id=turn.stream_id, say_id=say_id
            )
            await turn.transcript.write(said)
            turn.reply_at = turn.transcript.stamp()
            start = StreamStart(stream=turn.stream_id, reply_to=say_id, model=model.name)
            await emit(Outgoing(start, to_all=True))
            turn.started = True
            await self._stream(turn, model, assembled.prompt)
        finally:
            # Shielded: a disconnect must not skip the settling or the saved reply.
            await asyncio.shield(self._finish(turn, used, ticket))
        if not turn.delivered and turn.reason == "error":
            raise ModelUnavailable("the coach could not answer just now; try again shortly")

    async def _stream(self, turn: _Turn, model: Model, prompt: Prompt) -> None:
        """Run the streaming part as its own task, so `stop` can cancel just that."""
        task = asyncio.create_task(self._pump(turn, model, prompt))

        def stop() -> None:
            task.cancel()

        try:
            async with self.runs.running(turn.caller.user_id, turn.stream_id, stop):
                await asyncio.shield(task)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is None or not current.cancelling():
                # Stopped before the pump began (so it could not say so itself).
                turn.reason = "stopped"
                return
            # The turn itself is cancelled (the server shuts down): stop the model too, then
            # finish as "stopped".
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            turn.reason = "stopped"
            raise

    async def _pump(self, turn: _Turn, model: Model, prompt: Prompt) -> None:
        """Stream `model` (or, if it fails before any output, the fallback) into deltas."""
        try:
            await self._relay(turn, model, prompt)
        except asyncio.CancelledError:
            turn.reason = "stopped"
        except Exception as error:
            _failed(model, error)
            if turn.delivered or self.fallback is None:
                turn.reason = "error"
                return
            turn.answered_by = self.fallback.name
            await self._send(turn, FALLBACK_LABEL)
            try:
                await self._relay(turn, self.fallback, prompt)
            except asyncio.CancelledError:
                turn.reason = "stopped"
            except Exception as fallback_error:
                _failed(self.fallback, fallback_error)
                turn.reason = "error"

    async def _relay(self, turn: _Turn, model: Model, prompt: Prompt) -> None:
        stream = model.stream(prompt)
        try:
            window = window_for(len(self.runs))
            async with Coalescer(lambda text: self._send(turn, text), window=window) as deltas:
                async for event in stream:
                    match event:
                        case TextDelta(text=piece):
                            await deltas.add(piece)
                        case ToolCall():
                            await self._propose(turn, event)
                        case ModelUsage():
                            turn.input_tokens += event.input_tokens
                            turn.output_tokens += event.output_tokens
                        case Stop(reason=reason):
                            turn.reason = "max_tokens" if reason == "max_tokens" else "end"
        finally:
            await stream.aclose()

    async def _send(self, turn: _Turn, text: str) -> None:
        if not text:
            return
        turn.seq += 1
        turn.text.append(text)
        delta = StreamDelta(stream=turn.stream_id, seq=turn.seq, text=text)
        await turn.emit(Outgoing(delta, to_all=True))

    async def _propose(self, turn: _Turn, call: ToolCall) -> None:
        kind = str(call.arguments.get("kind", ""))
        entry = call.arguments.get("entry")
        try:
            if not isinstance(entry, dict):
                raise HandlerError("a proposal needs an entry object")
            proposal = await self.proposals.propose(
                turn.caller, turn.say_id, kind, entry, self.clock()
            )
        except HandlerError as error:
            # The model proposed something invalid: it is not shown, and the reply stands.
            log.info("proposal refused", extra={"reason": error.message[:200]})
            return
        turn.proposals += 1
        await turn.transcript.write_quietly(frame_message(proposal))
        await turn.emit(Outgoing(proposal, to_all=True))

    async def _finish(self, turn: _Turn, used: dict[str, Any], ticket: AiTicket | None) -> None:
        """Settle the reservation, end the stream (if it started) and save the reply."""
        quota: Quota | None = None
        if ticket is not None and self.allowances is not None:
            await self.allowances.settle_ai(
                ticket,
                delivered=turn.delivered,
                model=turn.answered_by,
                input_tokens=turn.input_tokens,
                output_tokens=turn.output_tokens,
            )
            with contextlib.suppress(Exception):
                quota = await self.allowances.usage(turn.caller)
        if not turn.started:
            return
        end_reason = turn.reason if turn.reason in ("end", "stopped", "max_tokens") else "error"
        end = StreamEnd(
            stream=turn.stream_id,
            seq=turn.seq,
            reason=end_reason,
            usage=Usage(input_tokens=turn.input_tokens, output_tokens=turn.output_tokens),
            quota=quota,
        )
        if turn.text:
            message = ChatMessageIn(
                role=Role.ASSISTANT,
                content="".join(turn.text),
                context_used=used or None,
                usage=TokenUsage(
                    model=turn.answered_by,
                    input_tokens=turn.input_tokens,
                    output_tokens=turn.output_tokens,
                ),
                stream_id=turn.stream_id,
                partial=end_reason != "end",
                say_id=turn.say_id,
                end_reason=end_reason,
            )
            # Quietly: persisting the reply must not turn a delivered answer into an error.
            await turn.transcript.write_quietly(message, at=turn.reply_at)
        await turn.emit(Outgoing(end, to_all=True))


def _failed(model: Model, error: Exception) -> None:
    """Log a model's failure: a `ModelError` is the provider's own report (safe, no traceback
    needed); anything else is a bug in the provider, logged with its traceback. Either way
    the stream ends with reason "error"."""
    if isinstance(error, ModelError):
        log.warning(
            "model failed",
            extra={"model": model.name, "kind": error.kind, "before": error.before_output},
        )
    else:
        log.error("model raised %s", type(error).__name__, exc_info=error)
