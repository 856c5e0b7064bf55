"""Model providers behind one streaming interface (see `llm.base`), chosen by URL.

    async with open_model(settings.model) as model:      # in the app's lifespan
        async with contextlib.aclosing(model.stream(prompt)) as events:
            async for event in events: ...

Schemes: `bedrock://`, `openai://` / `openai+https://`, `scripted://`, and `analyst://` (the
offline coach, from `llm.analyst`). A provider module is imported only when its scheme is used.

Adding a provider: a module with `open_NAME(url: ModelURL)`, an async context manager yielding
a `Model` (it owns any client), registered in `PROVIDERS`. A provider that composes its reply
locally reads `Prompt.facts`, streams its text with `llm.pacing.paced` and ends with
`Usage` (`llm.base.estimate_tokens`) and `Stop`, as `llm.scripted` does. Open an app-lifetime
model with `await stack.enter_async_context(open_model(url))` in the lifespan.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import cast

from llm.base import (
    Event,
    Message,
    Model,
    Prompt,
    Stop,
    StopReason,
    TextDelta,
    ToolCall,
    ToolSpec,
    Usage,
)
from llm.errors import ModelError, ModelURLError
from llm.url import ModelURL

Opener = Callable[[ModelURL], AbstractAsyncContextManager[Model]]

# scheme -> "module:function"; the function takes a ModelURL and returns an async context
# manager yielding the model (and owning its clients).
PROVIDERS: dict[str, str] = {
    "bedrock": "llm.bedrock:open_bedrock",
    "openai": "llm.openai:open_openai",
    "openai+http": "llm.openai:open_openai",
    "openai+https": "llm.openai:open_openai",
    "scripted": "llm.scripted:open_scripted",
    "analyst": "llm.analyst:open_analyst",
}


def _opener(scheme: str) -> Opener:
    target = PROVIDERS.get(scheme)
    if target is None:
        known = ", ".join(f"{name}://" for name in PROVIDERS)
        raise ModelURLError(f"unknown model scheme {scheme}:// (known: {known})")
    module_name, _, function = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        raise ModelURLError(f"{scheme}:// is not available in this build") from None
    return cast(Opener, getattr(module, function))


@asynccontextmanager
async def open_model(url: str) -> AsyncIterator[Model]:
    """Open the model a URL names, for as long as the context lasts: clients (an aioboto3
    Bedrock client, an httpx client) are created once here and closed on exit.

    Raises `ModelURLError` (before yielding) for a malformed URL or an unknown scheme.
    """
    parsed = ModelURL(url)
    async with _opener(parsed.scheme)(parsed) as model:
        yield model


__all__ = [
    "PROVIDERS",
    "Event",
    "Message",
    "Model",
    "ModelError",
    "ModelURL",
    "ModelURLError",
    "Prompt",
    "Stop",
    "StopReason",
    "TextDelta",
    "ToolCall",
    "ToolSpec",
    "Usage",
    "open_model",
]
