"""`Chat`: the `ChatHandler` behind every socket (sans-I/O).

A `say` starting with "/" is routed to the command registry (case-insensitive, aliases
included); any other text is a coaching turn (`handlers/coach.py`), unless it only reports
something to log: then it is a journaling turn that costs no AI message
(`handlers/plain_log.py`). `stop` ends a running stream; `confirm` / `dismiss` answer a proposed
entry. Errors are raised as `HandlerError`s (or quota refusals) for the socket loop to turn into
`error` frames; a command that raises has written nothing. Commands, plain-words logs, confirms
and dismisses are kept in chat history by wrapping their `emit` (`handlers/transcript.py`); the
coaching turn keeps its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import replace
from typing import Literal

from core.caller import Caller
from core.clock import Clock
from core.errors import Conflict, HandlerError, NothingFound, UnknownCommand
from core.quota import Quota
from core.text import sentence
from grammar.catalogue import unknown_command
from grammar.dates import local_today
from grammar.nutrition import shows
from grammar.plan import plan_action
from handlers.coach import Coach
from handlers.commands import lookup
from handlers.commands.context import Repos, Turn
from handlers.frames import Confirm, Dismiss, Saved, Say, Stop
from handlers.journaling import journal_write
from handlers.plain_log import PlainLog
from handlers.proposals import KINDS, ProposalStore, confirmed, dismissed, write_confirmed
from handlers.runs import no_such_stream
from handlers.session import Allowances, Emit, Outgoing
from handlers.transcript import Transcript, recording
from handlers.undo import UndoLog
from quotas.policy import Policy, load_policy
from store.errors import ConditionFailed, NotFound
from store.repos.chat import ChatRepo
from store.table import Table

READ_ONLY = frozenset({"help", "history", "stats", "insights"})
"""Commands that write nothing and so do not count against the journal-write rate."""
JOURNAL_ENTRY = "log"
"""The command whose entries count against the weekly journal allowance (a session)."""
NUTRITION = "nutrition"
"""`/nutrition` alone shows the targets (a read); with words it sets the profile (a write)."""
PLAN = "plan"
"""`/plan` reads (show), writes a plan (new) or logs a session (done): see `_counted`."""


def _counted(name: str, args: str) -> Literal["read", "write", "session"]:
    """How a command counts against the journaling limits: not at all ("read"), against the
    write rate ("write"), or also as one of the week's journal entries ("session": `/log`, and
    `/plan done`, which logs today's planned session)."""
    if name in READ_ONLY:
        return "read"
    if name == NUTRITION:
        return "read" if shows(args) else "write"
    if name == PLAN:
        action = plan_action(args)
        return "read" if action == "show" else "session" if action == "done" else "write"
    return "session" if name == JOURNAL_ENTRY else "write"


@asynccontextmanager
async def _as_handler_errors() -> AsyncIterator[None]:
    """Store refusals as the climber should read them."""
    try:
        yield
    except ConditionFailed:
        raise Conflict("That changed while you were saving it; nothing was written") from None
    except NotFound as error:
        raise NothingFound(sentence(str(error))) from None


def _with_quota(emit: Emit, allowances: Allowances, caller: Caller) -> Emit:
    """`emit` that stamps every `saved` frame with where the caller now stands."""

    async def stamped(outgoing: Outgoing) -> None:
        frame = outgoing.frame
        if isinstance(frame, Saved):
            quota = await allowances.usage(caller)
            outgoing = replace(outgoing, frame=frame.model_copy(update={"quota": quota}))
        await emit(outgoing)

    return stamped


class Chat:
    """Serves slash commands, coaching turns and proposals for one app (shared by every
    socket). `clock` returns the current instant (timezone-aware); tests pass a fixed one.
    Without a `coach`, plain text is refused with a pointer to /help. `policy` says what each
    tier includes (default: the packaged `quotas/tiers.toml`)."""

    def __init__(
        self,
        table: Table,
        *,
        clock: Clock,
        allowances: Allowances | None = None,
        coach: Coach | None = None,
        policy: Policy | None = None,
    ) -> None:
        self._repos = Repos.on(table)
        self._policy = policy or load_policy()
        self._undo = UndoLog(table)
        self._clock = clock
        self._allowances = allowances
        self._coach = coach
        self._proposals = ProposalStore(table)
        self._plain_log = PlainLog(self._proposals, allowances)
        self._chat = ChatRepo(table)

    def _recording(self, caller: Caller, emit: Emit, said: Say | None = None) -> Emit:
        """`emit` that keeps the turn in the caller's chat history (`handlers.transcript`)."""
        return recording(emit, Transcript(self._chat, caller.user_id, self._clock), said)

    async def on_connect(self, caller: Caller) -> Quota | None:
        return await self._allowances.usage(caller) if self._allowances else None

    async def on_say(self, caller: Caller, say: Say, emit: Emit) -> None:
        """Run the slash command in `say`, or the coaching turn for plain text. Raises
        `UnknownCommand` for an unknown command, the command's own errors (`InvalidEntry`,
        not_found, conflict) and quota refusals. Not cancel-safe mid-write: a write that
        completed before cancellation stays written (and undoable)."""
        text = say.text.strip()
        caller = await self._in_their_zone(caller)
        if not text.startswith("/"):
            if self._coach is None:
                raise HandlerError("Coaching replies are not available here; try /help")
            logged = self._recording(caller, emit, said=say)
            if await self._logged_in_plain_words(caller, say.id, text, logged):
                return
            await self._coach.reply(caller, say.id, text, emit)
            return
        parts = text[1:].split(maxsplit=1)
        name = parts[0] if parts else ""
        args = parts[1] if len(parts) > 1 else ""
        command = lookup(name)
        if command is None:
            raise UnknownCommand(unknown_command(name))
        now = self._clock()
        today = local_today(now, caller.timezone)
        counted = _counted(command.name, args)
        writing: AbstractAsyncContextManager[None] = (
            nullcontext()
            if counted == "read"
            else journal_write(self._allowances, caller, session=counted == "session")
        )
        if self._allowances is not None:
            emit = _with_quota(emit, self._allowances, caller)
        emit = self._recording(caller, emit, said=say)
        turn = Turn(
            caller, say, self._repos, self._undo, now, today, emit, self._allowances, self._policy
        )
        async with _as_handler_errors(), writing:
            await command.run(turn, args.strip())

    async def _logged_in_plain_words(
        self, caller: Caller, say_id: str, text: str, emit: Emit
    ) -> bool:
        """Serve plain words that only report something to log as a journaling turn (no AI
        message); False when they are for the coach."""
        if not self._plain_log.may_log(text):
            return False
        now = self._clock()
        today = local_today(now, caller.timezone)
        return await self._plain_log.serve(caller, say_id, text, now=now, today=today, emit=emit)

    async def on_stop(self, caller: Caller, stop: Stop, emit: Emit) -> None:
        """End the caller's own running stream, on whichever process runs it: its
        `stream.end` ("stopped") is the answer. Raises not_found when it runs nowhere."""
        if self._coach is None:
            raise no_such_stream()
        await self._coach.runs.stop(caller.user_id, stop.stream)

    async def on_confirm(self, caller: Caller, confirm: Confirm, emit: Emit) -> None:
        """Write the proposal as its slash command would: the same rate, allowance, undo and
        `saved` frame to every tab. Checked before the proposal is consumed: the rate and (for a
        session) one of the week's journal entries first, then the proposal is taken, then
        written. A refusal, or a write that fails, leaves the proposal in place to confirm
        again; of two tabs confirming it at once, one writes it and the other gets not_found."""
        emit = self._recording(caller, emit)
        now = self._clock()
        caller = await self._in_their_zone(caller)
        kind = await self._proposals.peek(caller, confirm.proposal, now)
        if self._allowances is not None:
            emit = _with_quota(emit, self._allowances, caller)
        today = local_today(now, caller.timezone)
        say = Say(type="say", id=confirm.proposal, text=f"/confirm {confirm.proposal}")
        turn = Turn(caller, say, self._repos, self._undo, now, today, emit, self._allowances)
        session = KINDS[kind][2]  # a session counts as one of the week's journal entries
        async with _as_handler_errors(), journal_write(self._allowances, caller, session=session):
            async with self._proposals.claimed(caller, confirm.proposal, now) as (kind, data):
                created = await write_confirmed(self._repos, caller.user_id, kind, data)
            await confirmed(turn, kind, created)

    async def on_dismiss(self, caller: Caller, dismiss: Dismiss, emit: Emit) -> None:
        emit = self._recording(caller, emit)
        await self._proposals.take(caller, dismiss.proposal, self._clock())
        await dismissed(emit, dismiss.proposal)

    async def _in_their_zone(self, caller: Caller) -> Caller:
        """`caller` with the time zone their account has now: a socket's caller was read when
        it connected, and the zone may have changed since (`/profile timezone`, another tab).
        Unchanged for a user without an account record (a zone of None reads as UTC)."""
        try:
            user = await self._repos.users.get(caller.user_id)
        except NotFound:
            return caller
        return replace(caller, timezone=user.preferences.timezone)
