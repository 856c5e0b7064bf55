"""Pagination cursors: opaque, URL-safe strings that name where a query stopped.

A cursor carries the index and partition of the query that issued it, so a cursor handed to a
different query is refused rather than silently continuing somewhere else. It is not signed:
it protects against mistakes, not against an attacker, and it reveals only keys the caller
could already read.
"""

from __future__ import annotations

import base64
import binascii
import json

from store.errors import InvalidCursor

_FORMAT = 1

StartKey = dict[str, str]
"""The key attributes of the last item returned: `pk`, `sk`, and the index's key pair."""


def encode_cursor(index: str | None, partition: str, last_key: StartKey) -> str:
    """An opaque cursor that continues the query on `index`/`partition` after `last_key`."""
    payload = {"f": _FORMAT, "i": index or "", "p": partition, "k": last_key}
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(
    cursor: str, index: str | None, partition: str, key_names: tuple[str, ...]
) -> StartKey:
    """The start key inside `cursor`; `key_names[0]` is the attribute holding the partition.

    Raises `InvalidCursor` when the cursor is not one this module wrote, or was written for
    another partition or index, or lacks one of `key_names`.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode())
    except (ValueError, UnicodeError, binascii.Error) as error:
        raise InvalidCursor("the cursor is malformed") from error
    if not isinstance(payload, dict) or payload.get("f") != _FORMAT:
        raise InvalidCursor("the cursor is malformed")
    if payload.get("i") != (index or "") or payload.get("p") != partition:
        raise InvalidCursor("the cursor belongs to another query")
    key = payload.get("k")
    if not isinstance(key, dict) or set(key) != set(key_names):
        raise InvalidCursor("the cursor is malformed")
    if not all(isinstance(value, str) and value for value in key.values()):
        raise InvalidCursor("the cursor is malformed")
    start = {str(name): str(value) for name, value in key.items()}
    if start[key_names[0]] != partition:
        raise InvalidCursor("the cursor belongs to another query")
    return start
