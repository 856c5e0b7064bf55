"""`/edit N FIELDS`: change entry N of the last `/history`, only the fields named, whatever its
age.

A session takes `/log`'s words, a send `/send`'s (`grammar.log.log_changes`,
`grammar.send.send_changes`). The change is applied to the entry as it was read and written only
if it is still at that version: a change landing in between is a conflict and nothing is
written. Answers with a `saved` frame of the entry's kind and an undo token that puts the entry
back as it was.
"""

from __future__ import annotations

from pydantic import ValidationError

from core.errors import Conflict
from grammar import log, send
from grammar.edit import EDIT_USAGE, parse_edit
from grammar.fields import invalid
from grammar.log import log_changes
from grammar.send import send_changes
from handlers.commands.context import Turn
from handlers.commands.listing import gone, numbered
from handlers.undo import UndoAction
from store.errors import ConditionFailed, NotFound
from store.records import BenchmarkSend, JournalEntry


async def run(turn: Turn, args: str) -> None:
    number, words = parse_edit(args)
    entry = await numbered(turn, number, EDIT_USAGE)
    try:
        updated = await _changed(turn, entry.record, words)
    except ConditionFailed:
        raise Conflict(
            f"Entry {number} changed while you were editing it, so nothing was written. Try again."
        ) from None
    except NotFound:
        raise gone(number) from None
    action = UndoAction(
        entry.kind, entry.entity, entry.id, "restore", updated.version, entry.record.to_wire()
    )
    await turn.saved(action, updated.to_wire())


async def _changed(
    turn: Turn, record: JournalEntry | BenchmarkSend, words: str
) -> JournalEntry | BenchmarkSend:
    """`record` with what `words` name changed, written on the version read. Raises
    `InvalidEntry`, and `ConditionFailed` / `NotFound` when it changed or went meanwhile."""
    user, version = turn.user_id, record.version
    if isinstance(record, JournalEntry):
        changes = log_changes(words, turn.today, record)
        try:
            return await turn.repos.journal.update(
                user, record.id, changes, expected_version=version
            )
        except ValidationError as error:
            raise invalid(error, log.USAGE) from None
    changes = send_changes(words, turn.today, record)
    try:
        return await turn.repos.sends.update(user, record.id, changes, expected_version=version)
    except ValidationError as error:
        raise invalid(error, send.USAGE) from None
