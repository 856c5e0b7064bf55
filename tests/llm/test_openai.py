"""`openai://` (Ollama, vLLM, …) against the loopback SSE server, through the real httpx client."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import pytest

from core.model import Model, Stop, TextDelta, ToolCall, Usage
from core.model_url import ModelURLError
from llm import open_model
from tests.llm.helpers import LOG_TOOL, collect, collect_until_error, prompt
from tests.llm.openai_server import DONE, HTTPErrorReply, OpenAIServer, SSEReply, chunk, sse, usage


def model_url(server: OpenAIServer, extra: str = "") -> str:
    return f"openai://{server.host}/v1?model=llama3.1:8b&retry_base_ms=20{extra}"


async def test_text_streams_with_usage_and_a_well_formed_request(
    openai: OpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("V7_TEST_OPENAI_KEY", "sk-local-test")
    openai.replies.append(
        SSEReply(
            [chunk("Rest "), chunk("a day."), chunk(finish="stop"), usage(90, 4, cached=64), DONE]
        )
    )
    url = model_url(openai, "&api_key_env=V7_TEST_OPENAI_KEY&max_tokens=200")
    async with open_model(url) as model:
        events = await collect(model, prompt(max_tokens=512, temperature=0.2))
        assert model.name == "llama3.1:8b"
    assert events == [
        TextDelta("Rest "),
        TextDelta("a day."),
        Usage(input_tokens=90, output_tokens=4, cache_read_tokens=64),
        Stop("end"),
    ]
    [received] = openai.received
    assert (received.method, received.path) == ("POST", "/v1/chat/completions")
    assert received.headers["authorization"] == "Bearer sk-local-test"
    assert received.body == {
        "model": "llama3.1:8b",
        "messages": [
            {"role": "system", "content": "You are V7 Coach. Facts: max boulder grade V5."},
            {"role": "user", "content": "How should I train this week?"},
        ],
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_tokens": 200,
        "temperature": 0.2,
    }


async def test_tool_calls_are_assembled_from_their_deltas(openai: OpenAIServer) -> None:
    def call(index: int, **function: str) -> dict[str, object]:
        fragment: dict[str, object] = {"index": index, "function": function}
        if "name" in function:
            fragment.update(id=f"call_{index}", type="function")
        return fragment

    openai.replies.append(
        SSEReply(
            [
                chunk(tool_calls=[call(0, name="log_session", arguments="")]),
                chunk(tool_calls=[call(0, arguments='{"discipline": "bo')]),
                chunk(tool_calls=[call(1, name="log_session", arguments='{"discipline"')]),
                chunk(tool_calls=[call(0, arguments='ulder", "grade": "V5"}')]),
                chunk(tool_calls=[call(1, arguments=': "route"}')]),
                chunk(finish="tool_calls"),
                usage(120, 30),
                DONE,
            ]
        )
    )
    async with open_model(model_url(openai)) as model:
        events = await collect(model, prompt("sent two V5s and a route", tools=[LOG_TOOL]))
    assert events == [
        ToolCall("call_0", "log_session", {"discipline": "boulder", "grade": "V5"}),
        ToolCall("call_1", "log_session", {"discipline": "route"}),
        Usage(input_tokens=120, output_tokens=30),
        Stop("tool_use"),
    ]
    assert openai.received[0].body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "log_session",
                "description": LOG_TOOL.description,
                "parameters": LOG_TOOL.input_schema,
            },
        }
    ]


async def test_sse_split_at_awkward_boundaries_is_reassembled(openai: OpenAIServer) -> None:
    body = b"".join(
        [
            b": keep-alive\r\n\r\n",
            chunk("Crimp ").replace(b"\n", b"\r\n"),
            chunk("less, "),
            chunk("hang more."),
            chunk(finish="length"),
            DONE,
        ]
    )
    cuts = [2, 17, 19, 23, 60, 61, 62, 150, len(body) - 3]
    pieces: list[bytes | float] = []
    for start, end in zip([0, *cuts], [*cuts, len(body)], strict=True):
        pieces += [body[start:end], 0.001]
    openai.replies.append(SSEReply(pieces))
    async with open_model(model_url(openai)) as model:
        events = await collect(model, prompt())
    assert events == [
        TextDelta("Crimp "),
        TextDelta("less, "),
        TextDelta("hang more."),
        Stop("max_tokens"),
    ]


async def test_rate_limit_before_output_is_retried(openai: OpenAIServer) -> None:
    openai.replies.append(HTTPErrorReply(429, {"error": {"type": "rate_limit_exceeded"}}))
    openai.replies.append(SSEReply([chunk("Ok."), chunk(finish="stop"), DONE]))
    async with open_model(model_url(openai)) as model:
        events = await collect(model, prompt())
    assert events == [TextDelta("Ok."), Stop("end")]
    assert len(openai.received) == 2


async def test_persistent_rate_limit_fails_before_output(openai: OpenAIServer) -> None:
    openai.replies.extend(HTTPErrorReply(429) for _ in range(2))
    async with open_model(model_url(openai, "&retry_attempts=2")) as model:
        _, error = await collect_until_error(model, prompt())
    assert (error.kind, error.before_output, error.retryable) == ("throttled", True, True)
    assert len(openai.received) == 2


@pytest.mark.parametrize(
    ("status", "kind", "attempts"),
    [
        (400, "bad_request", 1),
        (401, "access_denied", 1),
        (500, "internal", 1),
        (503, "unavailable", 3),
    ],
)
async def test_http_errors_are_normalised(
    openai: OpenAIServer, status: int, kind: str, attempts: int
) -> None:
    body = {"error": {"type": "invalid_request_error", "message": "How should I train: too long"}}
    openai.replies.extend(HTTPErrorReply(status, body) for _ in range(attempts))
    async with open_model(model_url(openai)) as model:
        _, error = await collect_until_error(model, prompt())
    assert (error.kind, error.before_output) == (kind, True)
    assert f"HTTP {status}" in str(error)
    assert "How should I train" not in str(error)
    assert len(openai.received) == attempts


async def test_malformed_sse_after_text_is_an_internal_error(openai: OpenAIServer) -> None:
    openai.replies.append(SSEReply([chunk("Warm "), sse('{"choices": [ broken'), DONE]))
    async with open_model(model_url(openai)) as model:
        seen, error = await collect_until_error(model, prompt())
    assert seen == [TextDelta("Warm ")]
    assert (error.kind, error.before_output) == ("internal", False)


async def test_an_error_object_inside_the_stream_is_raised(openai: OpenAIServer) -> None:
    openai.replies.append(SSEReply([chunk("Warm "), sse({"error": {"type": "rate_limit"}})]))
    async with open_model(model_url(openai)) as model:
        seen, error = await collect_until_error(model, prompt())
    assert seen == [TextDelta("Warm ")]
    assert (error.kind, error.before_output) == ("throttled", False)
    assert len(openai.received) == 1


async def test_connection_reset_mid_stream_is_unavailable(openai: OpenAIServer) -> None:
    openai.replies.append(SSEReply([chunk("Warm "), 0.01], reset=True))
    async with open_model(model_url(openai)) as model:
        seen, error = await collect_until_error(model, prompt())
    assert seen == [TextDelta("Warm ")]
    assert (error.kind, error.before_output) == ("unavailable", False)
    assert len(openai.received) == 1


async def test_connection_reset_before_output_is_retried(openai: OpenAIServer) -> None:
    openai.replies.append(SSEReply([], reset=True))
    openai.replies.append(SSEReply([chunk("Again."), chunk(finish="stop"), DONE]))
    async with open_model(model_url(openai)) as model:
        events = await collect(model, prompt())
    assert events == [TextDelta("Again."), Stop("end")]


async def test_a_stream_ending_without_finish_reason_is_an_error(openai: OpenAIServer) -> None:
    openai.replies.append(SSEReply([chunk("Half ")]))
    async with open_model(model_url(openai)) as model:
        seen, error = await collect_until_error(model, prompt())
    assert seen == [TextDelta("Half ")]
    assert (error.kind, error.before_output) == ("unavailable", False)


async def test_closing_or_cancelling_mid_reply_closes_the_connection(openai: OpenAIServer) -> None:
    closed = SSEReply([chunk("Thinking ")], hold=True)
    cancelled = SSEReply([chunk("Thinking ")], hold=True)
    openai.replies.extend([closed, cancelled])
    got_text = asyncio.Event()

    async def consume(model: Model, stop_early: bool) -> None:
        async with aclosing(model.stream(prompt())) as events:
            async for _ in events:
                got_text.set()
                if stop_early:
                    return

    async with open_model(model_url(openai)) as model:
        await consume(model, stop_early=True)
        await asyncio.wait_for(closed.released.wait(), 2)
        got_text.clear()
        task = asyncio.create_task(consume(model, stop_early=False))
        await asyncio.wait_for(got_text.wait(), 2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.wait_for(cancelled.released.wait(), 2)


@pytest.mark.parametrize(
    "url",
    [
        "openai://127.0.0.1:1/v1",  # no model
        "openai://127.0.0.1:1/v1?model=m&api_key_env=V7_TEST_UNSET_KEY",
        "openai://127.0.0.1:1/v1?model=m&max_token=5",  # misspelt option
        "openai://127.0.0.1:1/v1?model=m&read_timeout_s=soon",
    ],
)
async def test_malformed_urls_are_refused_at_open(url: str) -> None:
    with pytest.raises(ModelURLError):
        async with open_model(url):
            pass


async def test_consecutive_replies_reuse_one_connection(openai: OpenAIServer) -> None:
    for text in ("One.", "Two."):
        openai.replies.append(SSEReply([chunk(text), chunk(finish="stop"), usage(5, 1), DONE]))
    before = openai.connections
    async with open_model(model_url(openai)) as model:
        replies = [await collect(model, prompt()) for _ in range(2)]
    assert [reply[0] for reply in replies] == [TextDelta("One."), TextDelta("Two.")]
    assert openai.connections - before == 1
