"""`bedrock://` through the real aioboto3 client against the loopback event-stream server."""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import aclosing
from urllib.parse import quote

import pytest

from core.model import Model, Stop, TextDelta, ToolCall, Usage
from core.model_url import ModelURLError
from llm import open_model
from tests.llm.bedrock_server import (
    BedrockServer,
    ErrorReply,
    StreamReply,
    ending,
    event,
    exception,
    text_deltas,
    text_reply,
)
from tests.llm.helpers import LOG_TOOL, collect, collect_until_error, prompt

MODEL_ID = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
USAGE = {"inputTokens": 812, "outputTokens": 3, "totalTokens": 815}


def model_url(server: BedrockServer, **options: str) -> str:
    query = {"region": "us-east-1", "endpoint_url": server.url, "retry_base_ms": "20"}
    query.update(options)
    return f"bedrock://{MODEL_ID}?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items())


async def test_text_streams_with_usage_and_a_well_formed_request(bedrock: BedrockServer) -> None:
    bedrock.replies.append(StreamReply(list(text_reply(["Rest ", "a full ", "day."], usage=USAGE))))
    async with open_model(model_url(bedrock, max_tokens="300")) as model:
        events = await collect(model, prompt(max_tokens=512))
        assert model.name == MODEL_ID
    assert events == [
        TextDelta("Rest "),
        TextDelta("a full "),
        TextDelta("day."),
        Usage(input_tokens=812, output_tokens=3),
        Stop("end"),
    ]
    [received] = bedrock.received
    assert received.method == "POST"
    assert received.path == f"/model/{quote(MODEL_ID, safe='')}/converse-stream"
    assert received.headers["authorization"].startswith("AWS4-HMAC-SHA256")
    body = received.body
    # The URL's cap wins over the prompt's larger one; maxTokens is always sent.
    assert body["inferenceConfig"] == {"maxTokens": 300}
    assert body["system"] == [
        {"text": "You are V7 Coach. Facts: max boulder grade V5."},
        {"cachePoint": {"type": "default"}},
    ]
    assert body["messages"] == [
        {"role": "user", "content": [{"text": "How should I train this week?"}]}
    ]
    assert "toolConfig" not in body


async def test_tool_use_input_split_over_deltas_becomes_one_call(bedrock: BedrockServer) -> None:
    fragments = ['{"discip', 'line": "bou', 'lder", "gra', 'de": "V5"}']
    frames = [
        event("messageStart", {"role": "assistant"}),
        *text_deltas(["Logging that."]),
        event("contentBlockStop", {"contentBlockIndex": 0}),
        event(
            "contentBlockStart",
            {
                "contentBlockIndex": 1,
                "start": {"toolUse": {"toolUseId": "tu-1", "name": "log_session"}},
            },
        ),
        *[
            event("contentBlockDelta", {"contentBlockIndex": 1, "delta": {"toolUse": {"input": f}}})
            for f in fragments
        ],
        *ending(
            "tool_use",
            index=1,
            usage={**USAGE, "cacheReadInputTokens": 700, "cacheWriteInputTokens": 0},
        ),
    ]
    bedrock.replies.append(StreamReply(list(frames)))
    async with open_model(model_url(bedrock)) as model:
        events = await collect(model, prompt("sent two V5s", tools=[LOG_TOOL], temperature=0.3))
    assert events == [
        TextDelta("Logging that."),
        ToolCall(id="tu-1", name="log_session", arguments={"discipline": "boulder", "grade": "V5"}),
        Usage(input_tokens=812, output_tokens=3, cache_read_tokens=700, cache_write_tokens=0),
        Stop("tool_use"),
    ]
    body = bedrock.received[0].body
    assert body["inferenceConfig"] == {"maxTokens": 512, "temperature": 0.3}
    assert body["toolConfig"] == {
        "tools": [
            {
                "toolSpec": {
                    "name": "log_session",
                    "description": LOG_TOOL.description,
                    "inputSchema": {"json": LOG_TOOL.input_schema},
                }
            }
        ]
    }


@pytest.mark.parametrize(
    ("exception_type", "kind"),
    [("throttlingException", "throttled"), ("modelStreamErrorException", "unavailable")],
)
async def test_exception_event_after_text_fails_without_retry(
    bedrock: BedrockServer, exception_type: str, kind: str
) -> None:
    start = event("messageStart", {"role": "assistant"})
    bedrock.replies.append(
        StreamReply([start, *text_deltas(["You "]), exception(exception_type, "slow down")])
    )
    async with open_model(model_url(bedrock)) as model:
        seen, error = await collect_until_error(model, prompt())
    assert seen == [TextDelta("You ")]
    assert error.kind == kind
    assert error.before_output is False
    assert len(bedrock.received) == 1  # never retried once the climber saw text


async def test_throttling_event_before_any_output_is_retried(bedrock: BedrockServer) -> None:
    bedrock.replies.append(StreamReply([exception("throttlingException", "busy")]))
    bedrock.replies.append(StreamReply(list(text_reply(["Hello."], usage=USAGE))))
    async with open_model(model_url(bedrock)) as model:
        events = await collect(model, prompt())
    assert events[0] == TextDelta("Hello.")
    assert events[-1] == Stop("end")
    assert len(bedrock.received) == 2


async def test_pre_stream_throttling_is_retried_then_succeeds(bedrock: BedrockServer) -> None:
    bedrock.replies.append(ErrorReply(429, "ThrottlingException"))
    bedrock.replies.append(ErrorReply(429, "ThrottlingException", in_body=True))
    bedrock.replies.append(StreamReply(list(text_reply(["Fine."], usage=USAGE))))
    async with open_model(model_url(bedrock)) as model:
        events = await collect(model, prompt())
    assert [e for e in events if isinstance(e, TextDelta)] == [TextDelta("Fine.")]
    assert len(bedrock.received) == 3


async def test_persistent_throttling_gives_up_within_the_budget(
    bedrock: BedrockServer, caplog: pytest.LogCaptureFixture
) -> None:
    bedrock.replies.extend(ErrorReply(429, "ThrottlingException") for _ in range(3))
    async with open_model(model_url(bedrock, retry_base_ms="100", retry_budget_ms="400")) as model:
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="llm.retry"):
            seen, error = await collect_until_error(model, prompt())
        elapsed = time.monotonic() - started
    retries = [record.getMessage() for record in caplog.records if record.name == "llm.retry"]
    assert len(retries) == 2
    assert all("ThrottlingException" in line for line in retries)
    assert not any("How should I train" in line for line in retries)
    assert seen == []
    assert (error.kind, error.before_output, error.retryable) == ("throttled", True, True)
    assert "ThrottlingException" in str(error)
    assert "How should I train" not in str(error)
    assert len(bedrock.received) == 3
    assert elapsed < 1.5


@pytest.mark.parametrize(
    ("status", "error_type", "kind"),
    [
        (400, "ValidationException", "bad_request"),
        (403, "AccessDeniedException", "access_denied"),
        (408, "ModelTimeoutException", "timeout"),
        (500, "InternalServerException", "internal"),
    ],
)
async def test_pre_stream_errors_are_normalised_and_not_retried(
    bedrock: BedrockServer, status: int, error_type: str, kind: str
) -> None:
    bedrock.replies.append(ErrorReply(status, error_type, "messages.0: 'How should I train'"))
    async with open_model(model_url(bedrock)) as model:
        _, error = await collect_until_error(model, prompt())
    assert (error.kind, error.before_output) == (kind, True)
    assert len(bedrock.received) == 1
    if kind == "bad_request":
        assert "How should I train" not in str(error)  # may quote the climber: never logged


async def test_unavailable_before_output_is_retried(bedrock: BedrockServer) -> None:
    bedrock.replies.append(ErrorReply(503, "ServiceUnavailableException", in_body=True))
    bedrock.replies.append(StreamReply(list(text_reply(["Back."]))))
    async with open_model(model_url(bedrock)) as model:
        events = await collect(model, prompt())
    assert events == [TextDelta("Back."), Stop("end")]


async def test_frames_split_at_awkward_boundaries_are_reassembled(bedrock: BedrockServer) -> None:
    frames = text_reply(["Climb ", "slab ", "on ", "rest ", "days."], usage=USAGE)
    blob = b"".join(frames)
    second = len(frames[0]) + len(frames[1])  # where the second text delta starts
    cuts = sorted(
        {
            3,  # inside the first prelude
            len(frames[0]) + 10,  # inside the first delta's prelude CRC
            len(frames[0]) + 20,  # inside its headers
            second + 1,
            *range(second + 2, second + 40),  # one byte at a time through a prelude and headers
            len(blob) - 2,  # inside the last message CRC
        }
    )
    pieces: list[bytes | float] = []
    for start, end in zip([0, *cuts], [*cuts, len(blob)], strict=True):
        pieces += [blob[start:end], 0.001]
    bedrock.replies.append(StreamReply(pieces))
    async with open_model(model_url(bedrock)) as model:
        events = await collect(model, prompt())
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Climb slab on rest days."
    assert events[-2:] == [Usage(input_tokens=812, output_tokens=3), Stop("end")]


async def test_a_stream_cut_before_message_stop_is_an_error(bedrock: BedrockServer) -> None:
    bedrock.replies.append(StreamReply([*text_deltas(["Half "])]))
    async with open_model(model_url(bedrock)) as model:
        seen, error = await collect_until_error(model, prompt())
    assert seen == [TextDelta("Half ")]
    assert (error.kind, error.before_output) == ("unavailable", False)


async def first_text(model: Model) -> None:
    async with aclosing(model.stream(prompt())) as events:
        async for item in events:
            assert item == TextDelta("Thinking ")
            return  # leaving the block acloses the stream mid-reply


async def test_closing_the_stream_mid_reply_closes_the_connection(bedrock: BedrockServer) -> None:
    reply = StreamReply([event("messageStart", {"role": "assistant"}), *text_deltas(["Thinking "])])
    reply.hold = True
    bedrock.replies.append(reply)
    async with open_model(model_url(bedrock)) as model:
        await first_text(model)
        await asyncio.wait_for(reply.released.wait(), 2)


async def test_cancelling_the_consumer_closes_the_connection(bedrock: BedrockServer) -> None:
    reply = StreamReply([*text_deltas(["Thinking "])], hold=True)
    bedrock.replies.append(reply)
    got_text = asyncio.Event()

    async def consume(model: Model) -> None:
        async with aclosing(model.stream(prompt())) as events:
            async for _ in events:
                got_text.set()

    async with open_model(model_url(bedrock)) as model:
        task = asyncio.create_task(consume(model))
        await asyncio.wait_for(got_text.wait(), 2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.wait_for(reply.released.wait(), 2)


async def test_silence_inside_a_stream_times_out(bedrock: BedrockServer) -> None:
    reply = StreamReply([*text_deltas(["Wait "])], hold=True)
    bedrock.replies.append(reply)
    async with open_model(model_url(bedrock, read_timeout_s="0.3")) as model:
        seen, error = await collect_until_error(model, prompt())
    assert seen == [TextDelta("Wait ")]
    assert (error.kind, error.before_output) == ("timeout", False)
    await asyncio.wait_for(reply.released.wait(), 2)


async def test_an_unreachable_endpoint_is_unavailable(bedrock: BedrockServer) -> None:
    url = (
        f"bedrock://{MODEL_ID}?region=us-east-1&endpoint_url=http://127.0.0.1:9&retry_budget_ms=50"
    )
    async with open_model(url) as model:
        _, error = await collect_until_error(model, prompt())
    assert (error.kind, error.before_output) == ("unavailable", True)


async def test_consecutive_replies_reuse_one_connection(bedrock: BedrockServer) -> None:
    for text in ("One.", "Two."):
        bedrock.replies.append(StreamReply(list(text_reply([text], usage=USAGE))))
    before = bedrock.connections
    async with open_model(model_url(bedrock)) as model:
        replies = [await collect(model, prompt()) for _ in range(2)]
    assert [reply[0] for reply in replies] == [TextDelta("One."), TextDelta("Two.")]
    assert bedrock.connections - before == 1


async def test_an_inference_profile_arn_without_caching_or_tools(bedrock: BedrockServer) -> None:
    arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-3-70b-v1:0"
    bedrock.replies.append(StreamReply(list(text_reply(["Hi."]))))
    url = f"bedrock://{arn}?region=us-east-1&endpoint_url={bedrock.url}&cache=0&tools=0"
    async with open_model(url) as model:
        events = await collect(model, prompt(tools=[LOG_TOOL]))
        assert (model.name, model.supports_tools) == (arn, False)
    assert events == [TextDelta("Hi."), Stop("end")]
    [received] = bedrock.received
    assert received.path == f"/model/{quote(arn, safe='')}/converse-stream"
    assert received.body["system"] == [{"text": "You are V7 Coach. Facts: max boulder grade V5."}]
    assert "toolConfig" not in received.body


@pytest.mark.parametrize(
    "url",
    [
        "bedrock://?region=us-east-1",  # no model id
        f"bedrock://{MODEL_ID}?region=us-east-1&maxtokens=5",  # misspelt option
        f"bedrock://{MODEL_ID}?max_tokens=0",
        f"bedrock://{MODEL_ID}?retry_attempts=2&retry_attempts=3",
    ],
)
async def test_malformed_urls_are_refused_at_open(url: str) -> None:
    with pytest.raises(ModelURLError):
        async with open_model(url):
            pass
