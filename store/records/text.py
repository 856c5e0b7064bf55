"""Text as the store keeps it: no invisible or bidirectional control characters.

Every string field of a record passes through `visible` when it is validated (the record base
applies it; see `store.records.base`), so notes, names, locations and labels are stored as a
reader sees them, whichever way they arrived (REST, a slash command, a confirmed proposal).

Removed:

* control characters (Unicode Cc) other than tab and line feed; a carriage return, alone or
  before a line feed, becomes one line feed, so line breaks survive in every text field;
* format characters (Unicode Cf): zero-width space, non-joiner and joiner (U+200B–U+200D),
  left-to-right and right-to-left marks, word joiner and invisible operators (U+2060–U+2064),
  bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the byte
  order mark (U+FEFF), soft hyphen, interlinear annotation and the other Cf characters, and the
  whole tag block (U+E0000–U+E007F);
* lone surrogates (Cs), which no text encoding can carry, and the Hangul fillers (U+115F,
  U+1160, U+3164, U+FFA0) that render as nothing.

Kept: a zero-width joiner between two emoji (👨‍👩‍👧, 🏃‍♀️, 👩🏽‍💻), which makes them one
picture; variation selectors (❤️ needs U+FE0F); everything visible. A flag written with tag
characters (🏴 + tags, such as Scotland's) keeps only its black flag.
"""

from __future__ import annotations

import re
import unicodedata

ZWJ = "\u200d"

_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # Cc but tab (09) and line feed (0a); CR is handled apart
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e007f"
    "\ud800-\udfff"  # lone surrogates
    "\u115f\u1160\u3164\uffa0]"  # Hangul fillers
)
_CARRIAGE_RETURN = re.compile("\r\n?")

_EMOJI_MODIFIERS = range(0x1F3FB, 0x1F400)
"""Skin-tone modifiers (Sk), which may stand before a joiner: 👩🏽‍💻."""
_VARIATION_SELECTORS = "\ufe0e\ufe0f"


def visible(text: str) -> str:
    """`text` without the invisible characters listed in this module's docstring."""
    if text.isascii() and text.isprintable():
        return text  # the common case, at the cost of two C scans
    if "\r" in text:
        text = _CARRIAGE_RETURN.sub("\n", text)
    return _INVISIBLE.sub(_kept, text)


def _kept(match: re.Match[str]) -> str:
    """The replacement of one invisible character: itself for a joiner between emoji, else
    nothing."""
    if match.group() != ZWJ:
        return ""
    text, at = match.string, match.start()
    before = at - 1
    while before >= 0 and text[before] in _VARIATION_SELECTORS:
        before -= 1
    after = at + 1
    if before < 0 or after >= len(text):
        return ""
    return ZWJ if _emoji(text[before]) and _emoji(text[after]) else ""


def _emoji(char: str) -> bool:
    """Whether `char` can stand on either side of an emoji joiner: a pictograph or symbol
    (Unicode So), or a skin-tone modifier."""
    return unicodedata.category(char) == "So" or ord(char) in _EMOJI_MODIFIERS
