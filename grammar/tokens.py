"""Splitting a command's arguments into words, with quotes, `@location` spans and `notes:`.

The grammar of every command is "order-free words": each command walks a `Cursor` over the
tokens and lets each of its matchers take what it recognises. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_QUOTES = {'"': '"', "“": "”", "'": "'", "‘": "’"}
_NOTES = re.compile(r"(?:^|\s)(notes?|comment)\s*:\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Token:
    """One word (or one quoted span, without its quotes) of the argument text."""

    text: str
    quoted: bool = False

    @property
    def word(self) -> str:
        """The text lower-cased, for keyword matching (quoted spans are never keywords)."""
        return "" if self.quoted else self.text.lower()


def split_notes(text: str) -> tuple[str, str | None]:
    """`text` before a `notes:` marker, and everything after it verbatim (None without one).

    A marker inside quotes counts too: notes are meant to be the rest of the line.
    """
    match = _NOTES.search(text)
    if match is None:
        return text, None
    notes = text[match.end() :].strip()
    return text[: match.start()], notes or None


def tokenize(text: str) -> list[Token]:
    """Words separated by whitespace; a span in quotes is one token. An unclosed quote runs to
    the end of the text. An apostrophe inside a word ("don't") is not a quote."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        closing = _QUOTES.get(char)
        starts_word = i == 0 or text[i - 1].isspace() or text[i - 1] == "@"
        if closing is not None and starts_word:
            end = text.find(closing, i + 1)
            if end < 0:
                end = n
            inner = text[i + 1 : end].strip()
            if inner:
                tokens.append(Token(inner, quoted=True))
            i = end + 1
            continue
        if char == "@" and i + 1 < n and text[i + 1] in _QUOTES:
            # `@"Red River Gorge"`: the at-sign, then a quoted span as the next token.
            tokens.append(Token("@"))
            i += 1
            continue
        j = i
        while j < n and not text[j].isspace():
            if text[j] == "@" and j > i:
                break
            j += 1
        tokens.append(Token(text[i:j]))
        i = j
    return tokens


class Cursor:
    """A position in a token list that matchers advance."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    @property
    def done(self) -> bool:
        return self.pos >= len(self.tokens)

    def peek(self, ahead: int = 0) -> Token | None:
        index = self.pos + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def word(self, ahead: int = 0) -> str:
        token = self.peek(ahead)
        return token.word if token is not None else ""

    def take(self, count: int = 1) -> list[Token]:
        taken = self.tokens[self.pos : self.pos + count]
        self.pos += len(taken)
        return taken

    def words(self, count: int) -> list[str]:
        """The next `count` words (fewer at the end), lower-cased, without advancing."""
        return [token.word for token in self.tokens[self.pos : self.pos + count]]

    def span_until(self, stop: Callable[[Cursor], bool]) -> str:
        """Take tokens until `stop(self)` holds at the current position (or the end); return
        them joined by single spaces. Takes at least one token when there is one."""
        taken: list[str] = []
        while not self.done and (not taken or not stop(self)):
            token = self.take()[0]
            taken.append(token.text)
        return " ".join(taken)


def take_location(cursor: Cursor, stop: Callable[[Cursor], bool]) -> str | None:
    """At a token starting with `@`, take the location it opens and return it; else None.

    `@Red River Gorge sent V4` gives "Red River Gorge" (multi-word until `stop` holds, i.e. the
    next keyword of the command); `@"The Gym"` gives "The Gym".
    """
    token = cursor.peek()
    if token is None or token.quoted or not token.text.startswith("@"):
        return None
    cursor.take()
    first = token.text[1:]
    if not first:
        following = cursor.peek()
        if following is None:
            return ""
        if following.quoted:
            cursor.take()
            return following.text
        cursor.take()
        first = following.text
    words = [first]
    while not cursor.done and not stop(cursor) and not cursor.word().startswith("@"):
        words.append(cursor.take()[0].text)
    return " ".join(words).strip()
