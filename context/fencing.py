"""Climber-authored text made safe to show a model: invisible characters removed, and fenced.

Everything the climber wrote (their message, earlier turns, notes, names, locations, goal
descriptions, injury names, profile strengths and weaknesses) reaches the model only through
`clean`, inside a fence: `fence` for a block, `quote` for a string inside a line of facts. The
system prompt tells the model that fenced text is data about the climber, never instructions.
"""

from __future__ import annotations

import re
from typing import Any

# Zero-width characters and joiners, bidirectional embeddings/overrides/isolates, invisible
# operators, BOM, interlinear annotation, variation selectors and Unicode tag characters: they
# can hide instructions from a human reader while a model still reads them.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
    "\U0001d173-\U0001d17a\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)
# Any tag of ours, opening or closing, however spaced or cased: climber text must not be able
# to close (or fake) the fence around it.
_OUR_TAG = re.compile(r"<(\s*/?\s*climber)", re.IGNORECASE)

TEXT_TAG = "climber_text"
"""The inline fence around a climber-authored string inside a line of facts."""


def clean(text: str) -> str:
    """`text` without invisible characters, and unable to open or close one of our fences."""
    if text.isascii() and "<" not in text:
        return text  # nothing to remove: every invisible character is outside ASCII
    return _OUR_TAG.sub(r"‹\1", _INVISIBLE.sub("", text))


def fence(tag: str, text: str) -> str:
    """`text`, cleaned, as a block between `<tag>` and `</tag>` on lines of their own."""
    return f"<{tag}>\n{clean(text)}\n</{tag}>"


def quote(text: str, limit: int = 300) -> str:
    """A climber-authored string for a line of facts: cleaned, on one line, at most `limit`
    characters, inside `<climber_text>`."""
    flat = " ".join(clean(text).split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return f"<{TEXT_TAG}>{flat}</{TEXT_TAG}>"


def clean_tree(value: Any) -> Any:
    """`value` (JSON-like: dicts, lists, strings, numbers) with every string `clean`ed."""
    kind = type(value)
    if kind is str:
        return clean(value)
    if kind is dict:
        return {
            key: clean_tree(item) if type(item) in _WALKED else item for key, item in value.items()
        }
    if kind is list:
        return [clean_tree(item) if type(item) in _WALKED else item for item in value]
    return value


_WALKED = frozenset({str, dict, list})
"""What `clean_tree` looks into (a model dump's JSON has no subclasses of these); numbers,
booleans and None are kept as they are without a call each."""
