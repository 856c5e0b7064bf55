"""Streaming locally composed text at a steady pace (the scripted and offline models).

The schedule is computed from one start time with the loop's clock, so per-token sleep
overshoot does not accumulate: token `i` is due at `start + first_delay + i * interval`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncGenerator, Iterable, Iterator

from core.model import TextDelta


def words(text: str) -> list[str]:
    """`text` split into word tokens that concatenate back to it (whitespace kept in front of
    each word)."""
    pieces: list[str] = []
    current = ""
    for char in text:
        if char.isspace() and current and not current.isspace():
            pieces.append(current)
            current = ""
        current += char
    if current:
        pieces.append(current)
    return pieces


def repeated_words(text: str, count: int) -> Iterator[str]:
    """`count` word tokens of `text`, starting over (after a space) as often as needed."""
    base = words(text)
    if not base:
        return iter(())
    cycle = itertools.chain(base, itertools.cycle([" " + base[0].lstrip(), *base[1:]]))
    return itertools.islice(cycle, count)


async def paced(
    tokens: Iterable[str], *, first_delay: float, tokens_per_s: float
) -> AsyncGenerator[TextDelta, None]:
    """Yield each token as a `TextDelta` on schedule; `tokens_per_s <= 0` means no pacing after
    the first delay (the loop is still yielded to between tokens). Cancel-safe."""
    loop = asyncio.get_running_loop()
    start = loop.time() + first_delay
    interval = 1.0 / tokens_per_s if tokens_per_s > 0 else 0.0
    for index, token in enumerate(tokens):
        delay = start + index * interval - loop.time()
        await asyncio.sleep(delay if delay > 0 else 0)
        yield TextDelta(token)
