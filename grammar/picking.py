"""Choosing one of a listed set by the number `… list` showed, or by id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from core.errors import InvalidEntry, NothingFound


class HasId(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=HasId)


def pick(items: Sequence[T], ref: str, *, what: str, usage: str) -> T:
    """`items[N-1]` for "N" (as numbered by the listing), or the item whose id is `ref`.

    Raises `InvalidEntry` without a reference and `NothingFound` for one that matches nothing.
    """
    ref = ref.strip().lstrip("#")
    if not ref:
        raise InvalidEntry(f"Say which {what}: a number from the list or an id — e.g. {usage}")
    if ref.isdigit() and len(ref) < 6:
        index = int(ref)
        if 1 <= index <= len(items):
            return items[index - 1]
        raise NothingFound(f"There is no {what} number {index}; you have {len(items)} listed")
    for item in items:
        if item.id == ref:
            return item
    raise NothingFound(f"No {what} with id {ref}")
