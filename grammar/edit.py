"""`/edit N FIELDS` and `/delete N`: which entry of the last `/history` listing, and the words
that change it.

N is the number `/history` showed beside the entry (1 is the newest). The words after it are
read by the entry's own grammar: `/log`'s for a session (`grammar.log.log_changes`), `/send`'s
for a send (`grammar.send.send_changes`), and only the fields they name change. Pure functions.
"""

from __future__ import annotations

from core.errors import InvalidEntry

EDIT_USAGE = "/edit 2 rpe 8 notes: felt strong"

EDIT_GRAMMAR = (
    "/edit N WHAT TO CHANGE (N from /history; a session takes /log's words, e.g. rpe 8, "
    "date yesterday, sent V5, notes: TEXT; a send takes /send's, e.g. V6, flash, attempts 3, "
    'a new "NAME" in quotes)'
)

DELETE_USAGE = "/delete 2"

DELETE_GRAMMAR = "/delete N (N from /history)"

MAX_NUMBER = 999
"""No listing shows more entries than this; a bigger number is a typo, not an entry."""


def parse_edit(args: str) -> tuple[int, str]:
    """(the entry's number, the words that change it). Raises `InvalidEntry` without a number
    or without anything to change."""
    head, _, rest = args.strip().partition(" ")
    number = _number(head, EDIT_USAGE)
    if number is None:
        raise InvalidEntry(
            f"/edit needs the number of an entry from /history, then what to change — "
            f"e.g. {EDIT_USAGE}"
        )
    if not rest.strip():
        raise InvalidEntry(f"/edit {number} needs what to change — e.g. {EDIT_USAGE}")
    return number, rest.strip()


def parse_delete(args: str) -> int:
    """The entry's number. Raises `InvalidEntry` unless the text is exactly one number."""
    words = args.split()
    number = _number(words[0], DELETE_USAGE) if len(words) == 1 else None
    if number is None:
        raise InvalidEntry(
            f"/delete needs the number of an entry from /history — e.g. {DELETE_USAGE}"
        )
    return number


def _number(word: str, usage: str) -> int | None:
    text = word.lstrip("#")
    if not text.isdigit():
        return None
    number = int(text)
    if not 1 <= number <= MAX_NUMBER:
        raise InvalidEntry(f"Entries are numbered from 1, as /history shows them — e.g. {usage}")
    return number
