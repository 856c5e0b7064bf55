"""`bedrock://MODEL_ID?region=…&endpoint_url=…&max_tokens=…`: Bedrock `converse_stream`.

Options: `region`, `endpoint_url` (another endpoint: tests, VPC endpoints), `max_tokens` (a cap
on every request, default 4096), `cache=0` (no `cachePoint`, for models without prompt caching),
`tools=0` (do not offer tools), `retry_attempts` (3), `retry_base_ms` (250), `retry_budget_ms`
(2000), `connect_timeout_s` (5), `read_timeout_s` (60, the longest silence inside a stream),
`pool` (256 concurrent streams).

One aioboto3 client serves every stream for the life of `open_bedrock`'s context. botocore's
own retries are off: throttling is retried here, and only before any output was yielded.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import aioboto3
from aiobotocore.config import AioConfig
from types_aiobotocore_bedrock_runtime import BedrockRuntimeClient

from core.model import Event, Model, ModelError, Prompt
from core.model_url import ModelURL, ModelURLError
from llm import Provider
from llm.bedrock_events import StreamAssembler, build_request, normalise
from llm.retry import RetryPolicy, retried


@dataclass(frozen=True, slots=True)
class BedrockOptions:
    model_id: str
    max_tokens: int = 4096
    cache: bool = True
    tools: bool = True
    retry: RetryPolicy = field(default_factory=RetryPolicy)


class BedrockModel:
    """Implements `core.model.Model` over a shared `bedrock-runtime` client."""

    def __init__(self, client: BedrockRuntimeClient, options: BedrockOptions) -> None:
        self._client = client
        self._options = options
        self.name = options.model_id
        self.supports_tools = options.tools

    def stream(self, prompt: Prompt) -> AsyncGenerator[Event, None]:
        """Stream one reply. Raises `ModelError`.

        Throttling and unavailability before the first event are retried with backoff
        (`RetryPolicy`, through `retried`); after an event was yielded nothing is retried. The
        HTTP response is closed on every exit path: the end of the stream, an error, `aclose()`
        and cancellation. Nothing is sent before the first event is asked for.
        """
        # Each attempt builds its own request (cheap): `stream` stays lazy, as a generator is.
        return retried(partial(self._attempt, prompt), self._options.retry, normalise)

    async def _attempt(self, prompt: Prompt) -> AsyncGenerator[Event, None]:
        """One `converse_stream` call, its events assembled; raises what the client raises."""
        options = self._options
        request = build_request(
            options.model_id,
            prompt,
            max_tokens=options.max_tokens,
            cache=options.cache,
            tools=options.tools,
        )
        response = await self._client.converse_stream(**request)
        events = response["stream"]
        iterator = aiter(events)
        assembler = StreamAssembler()
        try:
            async for raw in iterator:
                event = assembler.feed(raw)
                if event is not None:
                    yield event
            for event in assembler.finish():
                yield event
        finally:
            # Closing the raw response drops the connection, so the service stops
            # generating (and billing) a reply nobody reads.
            events.close()
            await _aclose(iterator)


async def _aclose(iterator: AsyncIterator[Any]) -> None:
    aclose = getattr(iterator, "aclose", None)
    if aclose is not None:
        await aclose()


def parse_bedrock(url: ModelURL) -> tuple[BedrockOptions, dict[str, Any]]:
    """The model's options and the client's keyword arguments. Raises `ModelURLError`."""
    if not url.target:
        raise ModelURLError("bedrock:// needs a model id: bedrock://MODEL_ID?region=…")
    options = BedrockOptions(
        model_id=url.target,
        max_tokens=url.integer("max_tokens", 4096, minimum=1),
        cache=url.text("cache", "1") != "0",
        tools=url.text("tools", "1") != "0",
        retry=RetryPolicy(
            attempts=url.integer("retry_attempts", 3, minimum=1),
            base_delay=url.number("retry_base_ms", 250) / 1000,
            budget=url.number("retry_budget_ms", 2000) / 1000,
        ),
    )
    config = AioConfig(
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=url.number("connect_timeout_s", 5, minimum=0.001),
        read_timeout=url.number("read_timeout_s", 60, minimum=0.001),
        max_pool_connections=url.integer("pool", 256, minimum=1),
        tcp_keepalive=True,
    )
    client_args: dict[str, Any] = {"config": config}
    region = url.optional("region")
    if region:
        client_args["region_name"] = region
    endpoint_url = url.optional("endpoint_url")
    if endpoint_url:
        client_args["endpoint_url"] = endpoint_url
    url.check_all_read()
    return options, client_args


@asynccontextmanager
async def open_bedrock(url: ModelURL) -> AsyncIterator[Model]:
    """A Bedrock model whose client lives as long as the context. Raises `ModelURLError`."""
    options, client_args = parse_bedrock(url)
    session = aioboto3.Session()
    async with session.client("bedrock-runtime", **client_args) as client:
        yield BedrockModel(client, options)


PROVIDER = Provider(check=parse_bedrock, open=open_bedrock)


__all__ = [
    "PROVIDER",
    "BedrockModel",
    "BedrockOptions",
    "ModelError",
    "open_bedrock",
    "parse_bedrock",
]
