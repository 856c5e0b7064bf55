"""The input token budget of a turn, filled in priority order.

Order (each step only takes what still fits, counted with `core.model.estimate_tokens`):

1. the system prompt, the tools and the template's own text: never trimmed;
2. the climber's latest message: shortened only if it alone would overflow, and never below
   `MIN_MESSAGE_CHARS` (the question must reach the model even under a tiny budget);
3. the slices, most important first: a slice that does not fit whole is shortened from its
   last (least important) lines, keeping at least its first line, or else dropped; a later,
   smaller slice may still fit after an earlier one was dropped;
4. earlier chat turns, newest first, each whole; the first that does not fit ends the history
   (a gap in the middle of a conversation would misrepresent it).

Pure: no I/O, deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from coaching.intent import Slice
from context.slices import SliceText
from core.model import Message, estimate_tokens

DEFAULT_BUDGET = 3000
"""Input tokens a turn may use (system, tools, facts, message and history)."""
MIN_MESSAGE_CHARS = 200
SHORTENED = " …[shortened to fit]"

Render = Callable[[Mapping[Slice, str], str], str]
"""Renders the user prompt from the included slices' lines (joined, without their title) and
the (cleaned) message."""


@dataclass
class Fitted:
    """What made it into the prompt."""

    user: str
    """The rendered user prompt (template, slices and the latest message)."""
    turns: list[Message]
    """Earlier turns kept, oldest first."""
    slices: list[Slice] = field(default_factory=list)
    shortened: dict[str, str] = field(default_factory=dict)
    """Slice → "kept N of M lines"."""
    dropped: list[Slice] = field(default_factory=list)
    turns_dropped: int = 0
    message_shortened: bool = False
    tokens: int = 0

    def trimmed(self) -> dict[str, Any]:
        """The summary stored in `contextUsed.trimmed`."""
        return {
            "droppedSlices": list(self.dropped),
            "shortenedSlices": dict(self.shortened),
            "droppedTurns": self.turns_dropped,
            "messageShortened": self.message_shortened,
        }


def fit(
    *,
    budget: int,
    fixed_tokens: int,
    render: Render,
    message: str,
    slices: Sequence[SliceText],
    turns: Sequence[Message],
) -> Fitted:
    """Fill `budget` in the documented order. `fixed_tokens` counts the system prompt and tools;
    `slices` come most important first; `turns` oldest first."""
    chosen: dict[Slice, str] = {}

    def cost(text: str) -> int:
        return fixed_tokens + estimate_tokens(render(chosen, text))

    fitted = Fitted(user="", turns=[])
    if cost(message) > budget and len(message) > MIN_MESSAGE_CHARS:
        message = _shorten(message, lambda text: cost(text) <= budget)
        fitted.message_shortened = True
    for piece in slices:
        for keep in range(len(piece.lines), 0, -1):
            chosen[piece.name] = piece.body(keep)
            if cost(message) <= budget:
                fitted.slices.append(piece.name)
                if keep < len(piece.lines):
                    fitted.shortened[piece.name] = f"kept {keep} of {len(piece.lines)} lines"
                break
            del chosen[piece.name]
        else:
            fitted.dropped.append(piece.name)
    fitted.user = render(chosen, message)
    used = fixed_tokens + estimate_tokens(fitted.user)
    kept: list[Message] = []
    for turn in reversed(turns):
        tokens = estimate_tokens(turn.content)
        if used + tokens > budget:
            break
        kept.append(turn)
        used += tokens
    fitted.turns = kept[::-1]
    fitted.turns_dropped = len(turns) - len(kept)
    fitted.tokens = used
    return fitted


def _shorten(message: str, fits: Callable[[str], bool]) -> str:
    """The longest prefix of `message` (at least `MIN_MESSAGE_CHARS`) that `fits`, marked."""
    low, high = MIN_MESSAGE_CHARS, len(message)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(message[:middle] + SHORTENED):
            low = middle
        else:
            high = middle - 1
    return message[:low] + SHORTENED
