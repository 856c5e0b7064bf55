"""Coalescing a model's text into deltas (`handlers.deltas`): the first words after a quiet
spell go out at once, what follows rides in deltas a window apart, nothing is lost or
reordered (also when the stream is stopped mid-window), a delta never grows past its cap, and
the window widens with the streams a process serves, within its bounds."""

from __future__ import annotations

import asyncio

from handlers.deltas import MAX_WINDOW_S, WINDOW_S, Coalescer, window_for

WINDOW = 0.05


class Sent:
    def __init__(self) -> None:
        self.deltas: list[str] = []

    async def __call__(self, text: str) -> None:
        self.deltas.append(text)


async def test_the_first_words_go_at_once_and_the_rest_a_window_later() -> None:
    sent = Sent()
    async with Coalescer(sent, window=WINDOW) as deltas:
        await deltas.add("Rest")
        assert sent.deltas == ["Rest"]  # not held back for the window
        for word in (" today", " and", " tomorrow"):
            await deltas.add(word)
        assert sent.deltas == ["Rest"]  # gathered while the window is open
        await asyncio.sleep(WINDOW * 3)
        assert sent.deltas == ["Rest", " today and tomorrow"]  # sent when it closed
        await asyncio.sleep(WINDOW * 10)  # a quiet spell (with room for a late loop)
        await deltas.add(".")  # after it: at once again
        assert sent.deltas[-1] == "."


async def test_what_is_gathered_when_the_stream_ends_or_stops_is_sent_in_order() -> None:
    sent = Sent()
    with_stop = asyncio.Event()

    async def stream() -> None:
        async with Coalescer(sent, window=10.0) as deltas:
            for word in ("One", " two", " three"):
                await deltas.add(word)
            with_stop.set()
            await asyncio.sleep(10)  # stopped here, mid-window

    task = asyncio.create_task(stream())
    await with_stop.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert "".join(sent.deltas) == "One two three"
    assert sent.deltas == ["One", " two three"]


async def test_a_delta_goes_out_as_soon_as_it_would_grow_past_its_cap() -> None:
    sent = Sent()
    async with Coalescer(sent, window=10.0, max_chars=10) as deltas:
        for word in ("a", "bbbbb", "ccccc", "d"):
            await deltas.add(word)
        assert sent.deltas == ["a", "bbbbbccccc"]
    assert sent.deltas == ["a", "bbbbbccccc", "d"]


def test_the_window_widens_with_the_streams_served_within_its_bounds() -> None:
    assert window_for(0) == window_for(150) == WINDOW_S
    assert WINDOW_S < window_for(300) < window_for(450) <= MAX_WINDOW_S
    assert window_for(100_000) == MAX_WINDOW_S
