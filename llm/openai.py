"""`openai://HOST:PORT/v1?model=…&api_key_env=…`: any OpenAI-compatible chat completions
endpoint (Ollama, vLLM, …), streamed over server-sent events. `openai+https://` for TLS.

Options: `model` (required), `api_key_env` (the environment variable holding a bearer key, read
once at open), `max_tokens` (a cap on every request, default 4096), `tools=0` (do not offer
tools, for models without function calling), `retry_attempts`, `retry_base_ms`,
`retry_budget_ms`, `connect_timeout_s` (5), `read_timeout_s` (60), `pool` (256).

One httpx client serves every stream for the life of `open_openai`'s context.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial

import httpx

from core.model import Event, Model, ModelError, Prompt
from core.model_url import ModelURL, ModelURLError
from llm import Provider
from llm.openai_events import ChunkAssembler, SSEReader, build_body, http_error
from llm.retry import RetryPolicy, retried

_ERROR_BODY_LIMIT = 4096
_DRAIN_SECONDS = 0.25


@dataclass(frozen=True, slots=True)
class OpenAIOptions:
    endpoint: str  # …/chat/completions
    model: str
    max_tokens: int = 4096
    tools: bool = True
    retry: RetryPolicy = field(default_factory=RetryPolicy)


class OpenAIModel:
    """Implements `core.model.Model` over a shared `httpx.AsyncClient`."""

    def __init__(self, client: httpx.AsyncClient, options: OpenAIOptions) -> None:
        self._client = client
        self._options = options
        self.name = options.model
        self.supports_tools = options.tools

    def stream(self, prompt: Prompt) -> AsyncGenerator[Event, None]:
        """Stream one reply. Raises `ModelError`.

        HTTP 429 and 502–504 (and connection failures) before the first event are retried with
        backoff (through `retried`); after an event was yielded nothing is retried. The response
        is closed on every exit path: the end of the stream, an error, `aclose()` and
        cancellation. Nothing is sent before the first event is asked for.
        """
        # Each attempt builds its own request (cheap): `stream` stays lazy, as a generator is.
        return retried(partial(self._attempt, prompt), self._options.retry, _normalise)

    async def _attempt(self, prompt: Prompt) -> AsyncGenerator[Event, None]:
        """One POST, its server-sent events assembled; raises what the client raises."""
        options = self._options
        body = build_body(options.model, prompt, max_tokens=options.max_tokens, tools=options.tools)
        request = self._client.build_request("POST", options.endpoint, json=body)
        response = await self._client.send(request, stream=True)
        try:
            if response.status_code != 200:
                raise http_error(response.status_code, await _head(response))
            reader = SSEReader()
            assembler = ChunkAssembler()
            lines = response.aiter_lines()
            async for line in lines:
                data = reader.line(line)
                if data is None:
                    continue
                for event in assembler.feed(data):
                    yield event
                if assembler.done:
                    break
            if assembler.done:
                await _drain(lines)
            elif (data := reader.flush()) is not None:
                for event in assembler.feed(data):
                    yield event
            for event in assembler.finish():
                yield event
        finally:
            await response.aclose()


async def _drain(lines: AsyncIterator[str]) -> None:
    """Read what follows `[DONE]` (normally just the end of the body) so the connection goes
    back to the pool instead of being dropped; a server that keeps the body open after `[DONE]`
    gets a moment, then the connection is closed instead."""
    with contextlib.suppress(httpx.HTTPError, TimeoutError):
        async with asyncio.timeout(_DRAIN_SECONDS):
            async for _ in lines:
                pass


async def _head(response: httpx.Response) -> bytes:
    """At most the first few KiB of an error body (it is only searched for an error code)."""
    collected = b""
    async for chunk in response.aiter_bytes():
        collected += chunk
        if len(collected) >= _ERROR_BODY_LIMIT:
            break
    return collected[:_ERROR_BODY_LIMIT]


def _normalise(error: Exception, *, before_output: bool) -> ModelError:
    if isinstance(error, ModelError):
        if error.before_output and not before_output:
            return error.after_output()
        if before_output and not error.before_output:
            return ModelError(
                error.kind, error.message, retryable=error.retryable, before_output=True
            )
        return error
    if isinstance(error, httpx.TimeoutException):
        return ModelError("timeout", f"openai {type(error).__name__}", before_output=before_output)
    if isinstance(error, httpx.TransportError | OSError):
        return ModelError(
            "unavailable", f"openai {type(error).__name__}", before_output=before_output
        )
    return ModelError("internal", f"openai {type(error).__name__}", before_output=before_output)


def parse_openai(url: ModelURL) -> tuple[OpenAIOptions, dict[str, str], httpx.Timeout, int]:
    """Options, request headers, timeouts and pool size. Raises `ModelURLError`."""
    scheme = "https" if url.scheme == "openai+https" else "http"
    if not url.netloc:
        raise ModelURLError("openai:// needs a host: openai://HOST:PORT/v1?model=…")
    model = url.optional("model")
    if not model:
        raise ModelURLError("openai:// needs ?model=…")
    headers: dict[str, str] = {}
    key_env = url.optional("api_key_env")
    if key_env:
        key = os.environ.get(key_env)
        if not key:
            raise ModelURLError(f"openai:// api_key_env names {key_env}, which is not set")
        headers["Authorization"] = f"Bearer {key}"
    options = OpenAIOptions(
        endpoint=f"{scheme}://{url.netloc}{url.path.rstrip('/')}/chat/completions",
        model=model,
        max_tokens=url.integer("max_tokens", 4096, minimum=1),
        tools=url.text("tools", "1") != "0",
        retry=RetryPolicy(
            attempts=url.integer("retry_attempts", 3, minimum=1),
            base_delay=url.number("retry_base_ms", 250) / 1000,
            budget=url.number("retry_budget_ms", 2000) / 1000,
        ),
    )
    timeout = httpx.Timeout(
        connect=url.number("connect_timeout_s", 5, minimum=0.001),
        read=url.number("read_timeout_s", 60, minimum=0.001),
        write=10.0,
        pool=10.0,
    )
    pool = url.integer("pool", 256, minimum=1)
    url.check_all_read()
    return options, headers, timeout, pool


@asynccontextmanager
async def open_openai(url: ModelURL) -> AsyncIterator[Model]:
    """An OpenAI-compatible model whose HTTP client lives as long as the context."""
    options, headers, timeout, pool = parse_openai(url)
    limits = httpx.Limits(max_connections=pool, max_keepalive_connections=min(pool, 32))
    async with httpx.AsyncClient(headers=headers, timeout=timeout, limits=limits) as client:
        yield OpenAIModel(client, options)


PROVIDER = Provider(check=parse_openai, open=open_openai)
