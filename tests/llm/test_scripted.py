"""`scripted://`: deterministic text on a fixed schedule, and its failure modes."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import pytest

from core.model import Stop, TextDelta, ToolCall, Usage
from core.model_url import ModelURLError
from core.pacing import repeated_words, words
from llm import open_model
from tests.llm.helpers import LOG_TOOL, collect, collect_until_error, prompt


async def test_text_is_deterministic_and_ends_with_usage_and_stop() -> None:
    url = "scripted://?ttft_ms=0&tokens_per_s=0&tokens=7&text=Rest%20one%20day."
    async with open_model(url) as model:
        first = await collect(model, prompt())
        second = await collect(model, prompt())
    assert first == second
    texts = [event.text for event in first if isinstance(event, TextDelta)]
    assert len(texts) == 7
    assert "".join(texts) == "Rest one day. Rest one day. Rest"
    usage, stop = first[-2:]
    assert isinstance(usage, Usage)
    assert usage.output_tokens == 7
    assert usage.input_tokens > 0
    assert stop == Stop("end")
    assert model.name == "scripted"


async def test_tokens_follow_the_schedule_without_drift() -> None:
    loop = asyncio.get_running_loop()
    async with open_model("scripted://?ttft_ms=100&tokens_per_s=200&tokens=40") as model:
        started = loop.time()
        arrivals: list[float] = []
        async with aclosing(model.stream(prompt())) as events:
            async for event in events:
                if isinstance(event, TextDelta):
                    arrivals.append(loop.time() - started)
    assert len(arrivals) == 40
    assert 0.099 <= arrivals[0] < 0.15
    # Token i is due at 100 ms + i * 5 ms; sleeping per token would accumulate lateness.
    lateness = [arrival - (0.1 + index / 200) for index, arrival in enumerate(arrivals)]
    assert min(lateness) >= -0.001
    assert lateness[-1] < 0.05


async def test_a_small_max_tokens_cuts_the_reply() -> None:
    async with open_model("scripted://?ttft_ms=0&tokens_per_s=0&tokens=50") as model:
        events = await collect(model, prompt(max_tokens=5))
    assert sum(isinstance(event, TextDelta) for event in events) == 5
    assert events[-1] == Stop("max_tokens")


async def test_failure_before_the_first_token() -> None:
    async with open_model("scripted://?ttft_ms=10&fail=before&kind=throttled") as model:
        seen, error = await collect_until_error(model, prompt())
    assert seen == []
    assert (error.kind, error.before_output, error.retryable) == ("throttled", True, True)


async def test_failure_after_some_tokens() -> None:
    async with open_model("scripted://?ttft_ms=0&tokens_per_s=0&fail=after:3") as model:
        seen, error = await collect_until_error(model, prompt())
    assert len(seen) == 3
    assert all(isinstance(event, TextDelta) for event in seen)
    assert (error.kind, error.before_output) == ("unavailable", False)


async def test_a_scripted_tool_call_is_offered_only_with_tools() -> None:
    url = (
        "scripted://?ttft_ms=0&tokens_per_s=0&tokens=2&tool=log_session"
        "&args=%7B%22discipline%22%3A%22boulder%22%7D"
    )
    async with open_model(url) as model:
        with_tools = await collect(model, prompt(tools=[LOG_TOOL]))
        without = await collect(model, prompt())
    assert with_tools[2] == ToolCall("scripted-tool-1", "log_session", {"discipline": "boulder"})
    assert with_tools[-1] == Stop("tool_use")
    assert not any(isinstance(event, ToolCall) for event in without)
    assert without[-1] == Stop("end")


async def test_closing_a_slow_stream_returns_at_once() -> None:
    async with open_model("scripted://?ttft_ms=0&tokens_per_s=1&tokens=100") as model:
        stream = model.stream(prompt())
        assert isinstance(await anext(stream), TextDelta)
        await asyncio.wait_for(stream.aclose(), 0.1)


@pytest.mark.parametrize(
    "url",
    [
        "scripted://?fail=sometimes",
        "scripted://?kind=exploded",
        "scripted://?tokens=-1",
        "scripted://?ttft=200",  # misspelt option
        "scripted://?tool=log_session&args=%5B1%5D",
        "nope://model",
        "no-scheme",
    ],
)
async def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(ModelURLError):
        async with open_model(url):
            pass


@pytest.mark.parametrize("text", ["Rest one day.", "  Leading space\nand lines ", "x"])
def test_words_concatenate_back_to_the_text(text: str) -> None:
    assert "".join(words(text)) == text
    assert "".join(repeated_words(text, len(words(text)))) == text
