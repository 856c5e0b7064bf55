"""Model providers that call out (Bedrock `converse_stream`, OpenAI-compatible endpoints) and the
scripted model for tests and benchmarks, behind the one interface of `core.model`, opened by URL.

    registry = Registry({**PROVIDERS, "analyst": open_analyst})   # the composition root
    async with registry.open(settings.model) as model:            # in the app's lifespan
        async with contextlib.aclosing(model.stream(prompt)) as events:
            async for event in events: ...

Schemes here: `bedrock://`, `openai://` / `openai+https://`, `scripted://`; a provider module is
imported only when its scheme is used. Models that do not call out (the offline coach) live with
their domain and are registered by the composition root (`server/models.py`).

Adding a provider: a module with `open_NAME(url: ModelURL)`, an async context manager yielding
a `Model` (it owns any client), named in `PROVIDERS`.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import cast

from core.model import Model
from core.model_url import ModelURL, ModelURLError

Opener = Callable[[ModelURL], AbstractAsyncContextManager[Model]]
"""Opens the model a parsed URL names, for as long as the context lasts."""

PROVIDERS: dict[str, str] = {
    "bedrock": "llm.bedrock:open_bedrock",
    "openai": "llm.openai:open_openai",
    "openai+http": "llm.openai:open_openai",
    "openai+https": "llm.openai:open_openai",
    "scripted": "llm.scripted:open_scripted",
}
"""scheme -> "module:function" of the providers in this package."""


class Registry:
    """Model openers by URL scheme: a "module:function" (imported on first use) or a callable."""

    def __init__(self, openers: Mapping[str, str | Opener]) -> None:
        self._openers = dict(openers)

    def schemes(self) -> list[str]:
        return sorted(self._openers)

    def _opener(self, scheme: str) -> Opener:
        target = self._openers.get(scheme)
        if target is None:
            known = ", ".join(f"{name}://" for name in self._openers)
            raise ModelURLError(f"unknown model scheme {scheme}:// (known: {known})")
        if not isinstance(target, str):
            return target
        module_name, _, function = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            raise ModelURLError(f"{scheme}:// is not available in this build") from None
        return cast(Opener, getattr(module, function))

    @asynccontextmanager
    async def open(self, url: str) -> AsyncIterator[Model]:
        """Open the model `url` names: clients (an aioboto3 Bedrock client, an httpx client) are
        created once here and closed on exit. Raises `ModelURLError` (before yielding) for a
        malformed URL, an unknown scheme or an unknown option."""
        parsed = ModelURL(url)
        async with self._opener(parsed.scheme)(parsed) as model:
            yield model


def open_model(url: str) -> AbstractAsyncContextManager[Model]:
    """A model of this package's providers (`Registry(PROVIDERS).open`)."""
    return Registry(PROVIDERS).open(url)


__all__ = ["PROVIDERS", "Opener", "Registry", "open_model"]
