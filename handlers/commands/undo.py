"""`/undo [TOKEN]`: revert one write (the newest when no token is given).

The undo entry is claimed first (so two concurrent undos cannot both run), then the write is
reverted only if the item is still at the version the write left; otherwise the entry is put
back and the user gets `conflict` with nothing changed. An unknown, expired, already used or
another user's token is `not_found`. Undoing a session gives its weekly journal entry back if it
was logged in the current ISO week (`handlers.journaling.session_removed`), before the `saved`
frame, so the quota that frame carries already shows it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from typing import Any

from core.errors import Conflict, NothingFound
from handlers.commands import nutrition, plan, timezone
from handlers.commands.context import Repos, Turn
from handlers.frames import Saved
from handlers.journaling import session_removed
from handlers.session import Outgoing
from handlers.undo import GONE, UndoAction, UndoEntry
from store.errors import ConditionFailed, NotFound, TransactionCancelled
from store.records import BenchmarkSend, Goal, Injury, JournalEntry
from store.repos import versioned
from store.repos.versioned import fingerprint


async def run(turn: Turn, args: str) -> None:
    token = args.split()[0] if args.split() else None
    try:
        entry = await turn.undo.find(turn.user_id, token, turn.now)
    except LookupError:
        what = f"undo token {token}" if token else "recent write"
        raise NothingFound(f"There is no {what} to undo (already undone, or expired)") from None
    if not await turn.undo.claim(turn.user_id, entry):
        raise NothingFound("That write was already undone")
    try:
        removed = await _revert(turn, entry.action)
    except (ConditionFailed, TransactionCancelled, NotFound):
        await turn.undo.give_back(turn.user_id, entry)
        raise Conflict(
            f"The {entry.action.kind} changed since it was saved, so it was not undone"
        ) from None
    except BaseException:
        await _give_back_quietly(turn, entry)
        raise
    if isinstance(removed, JournalEntry):
        await session_removed(turn.allowances, turn.caller, removed.created_at)
    item: dict[str, Any] = {"undone": entry.action.kind, "id": entry.action.item_id}
    frame = Saved(reply_to=turn.say.id, kind="undo", item=item)
    await turn.emit(Outgoing(frame, to_all=True))


async def _give_back_quietly(turn: Turn, entry: UndoEntry) -> None:
    # The revert failed for another reason (store down, cancelled): keep the write undoable
    # when possible; the original error is what the user should see.
    with contextlib.suppress(Exception):
        await turn.undo.give_back(turn.user_id, entry)


async def _revert(turn: Turn, action: UndoAction) -> object:
    """Undo one write; returns the record it deleted (None when it restored something). Raises
    `ConditionFailed`/`TransactionCancelled`/`NotFound` when the item is no longer as the write
    left it (nothing changed then)."""
    user, repos = turn.user_id, turn.repos
    if action.entity == "nutrition":
        try:
            day = date.fromisoformat(action.item_id)
        except ValueError:  # `/meal` stores ISO dates only; this id names no day's log
            raise ConditionFailed(action.entity, action.item_id, "no such day") from None
        await versioned.nutrition_log(repos.table, day).restore(user, action.previous, action.after)
        return None
    if action.entity == "nutrition_profile":
        await nutrition.restore(repos, user, action)
        return None
    if action.entity == "athlete":
        await versioned.athlete_profile(repos.table).restore(user, action.previous, action.after)
        return None
    if action.entity == "preferences":
        await timezone.restore(repos, user, action)
        return None
    if action.entity == "plan":
        await plan.take_back(repos, user, action)
        return None
    repo, record_type = _ENTITIES[action.entity](repos)
    if action.after == GONE:
        # The write deleted the record: insert it again, refused if its id is taken meanwhile.
        await repo.insert(user, record_type.model_validate(action.previous))
        return None
    current = await repo.get(user, action.item_id)
    if fingerprint(current.to_wire()) != action.after:
        raise ConditionFailed(action.entity, action.item_id, "changed since the write")
    if action.op == "delete":
        await repo.delete(user, action.item_id, expected_version=current.version)
        return current
    previous = record_type.model_validate(action.previous)
    await repo.modify(
        user, action.item_id, lambda _current: previous, expected_version=current.version
    )
    return None


_ENTITIES: dict[str, Callable[[Repos], tuple[Any, Any]]] = {
    "journal": lambda repos: (repos.journal, JournalEntry),
    "send": lambda repos: (repos.sends, BenchmarkSend),
    "goal": lambda repos: (repos.goals, Goal),
    "injury": lambda repos: (repos.injuries, Injury),
}
