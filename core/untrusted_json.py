"""Parsing JSON that a client sent (REST bodies, WebSocket frames): the one home of the nesting
limit.

    value = parse_json(text)          # raises BadJSON, a ValueError, with a message to show

`json.loads` recurses once per array or object level and raises `RecursionError` somewhere
around a thousand levels (under 2 KB of `[`), and whatever validates the result (pydantic)
recurses again. So before parsing, one linear pass over the raw text counts how deep arrays
and objects nest, skipping the contents of strings; text nested deeper than `MAX_JSON_DEPTH`
is refused without being parsed. Nothing this project accepts nests half as deep.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

MAX_JSON_DEPTH = 32
"""How deep arrays and objects may nest in a REST body or a frame (`{"a":[1]}` is 2 deep)."""

# A string, through its closing quote or, unterminated, the end of the text. Possessive, and every
# match runs to the end of a string, so stripping the strings out is one linear pass.
_STRING = re.compile(r'"(?:[^"\\]++|\\.?)*+(?:"|\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class BadJSON(ValueError):
    """The text is not JSON, or nests deeper than the limit. `str(error)` says which, in words a
    client can be shown (never the text itself)."""


def nesting_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays and objects in `text` nest deeper than `limit`, brackets inside strings not
    counted. Linear in `len(text)` and never recursive; it does not otherwise check that `text`
    is JSON (an unterminated string runs to the end)."""
    if text.count("[") + text.count("{") <= limit:
        return False  # too few brackets to nest that deep: the common case
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    # The depth after each bracket is a running sum; all of it runs in C.
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > limit


def parse_json(raw: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The value `raw` holds (bytes must be UTF-8). Raises `BadJSON` if it is not JSON, or if
    it nests deeper than `max_depth` (then without parsing it)."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")  # a leading BOM is dropped, as json.loads does
        except UnicodeDecodeError:
            raise BadJSON("not JSON: the text must be UTF-8") from None
    else:
        text = raw
    if nesting_exceeds(text, max_depth):
        raise BadJSON(f"JSON may nest at most {max_depth} arrays or objects deep")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise BadJSON("not valid JSON") from None
