"""Model providers that call out (Bedrock `converse_stream`, OpenAI-compatible endpoints) and the
scripted model for tests and benchmarks, behind the one interface of `core.model`, opened by URL.

    registry = Registry({**PROVIDERS, "analyst": open_analyst})   # the composition root
    async with registry.open(settings.model) as model:            # in the app's lifespan
        async with contextlib.aclosing(model.stream(prompt)) as events:
            async for event in events: ...

Schemes here: `bedrock://`, `openai://` / `openai+https://`, `scripted://`; a provider module is
imported only when its scheme is used. Models that do not call out (the offline coach) live with
their domain and are registered by the composition root (`server/models.py`).

Adding a provider: a module with a `Provider`: `check(url: ModelURL)`, which reads every option
it knows and raises `ModelURLError` for a bad one, opening nothing; and `open(url: ModelURL)`, an
async context manager yielding a `Model` (it owns any client); named in `PROVIDERS`. Options no
`check` read are refused by the registry, so a misspelt option never passes silently.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import cast

from core.model import Model
from core.model_url import ModelURL, ModelURLError

Opener = Callable[[ModelURL], AbstractAsyncContextManager[Model]]
"""Opens the model a parsed URL names, for as long as the context lasts."""


@dataclass(frozen=True)
class Provider:
    """One model scheme's two entry points."""

    check: Callable[[ModelURL], object]
    """Reads the URL's options and raises `ModelURLError` for a malformed one; opens nothing."""
    open: Opener


PROVIDERS: dict[str, str] = {
    "bedrock": "llm.bedrock:PROVIDER",
    "openai": "llm.openai:PROVIDER",
    "openai+http": "llm.openai:PROVIDER",
    "openai+https": "llm.openai:PROVIDER",
    "scripted": "llm.scripted:PROVIDER",
}
"""scheme -> "module:name" of the `Provider`s in this package."""


class Registry:
    """Providers by URL scheme: a "module:name" (imported on first use) or a `Provider`."""

    def __init__(self, providers: Mapping[str, str | Provider]) -> None:
        self._providers = dict(providers)

    def schemes(self) -> list[str]:
        return sorted(self._providers)

    def _provider(self, scheme: str) -> Provider:
        target = self._providers.get(scheme)
        if target is None:
            known = ", ".join(f"{name}://" for name in self._providers)
            raise ModelURLError(f"unknown model scheme {scheme}:// (known: {known})")
        if not isinstance(target, str):
            return target
        module_name, _, name = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            raise ModelURLError(f"{scheme}:// is not available in this build") from None
        return cast(Provider, getattr(module, name))

    def check(self, url: str) -> None:
        """Raise `ModelURLError` if `url` is malformed, names an unknown scheme, or has an option
        that is unknown (named in the message) or out of range. Opens nothing, so it can run
        before anything starts."""
        parsed = ModelURL(url)
        self._provider(parsed.scheme).check(parsed)
        parsed.check_all_read()

    @asynccontextmanager
    async def open(self, url: str) -> AsyncIterator[Model]:
        """Open the model `url` names: clients (an aioboto3 Bedrock client, an httpx client) are
        created once here and closed on exit. Raises `ModelURLError` (before yielding, as
        `check` does) for a malformed URL, an unknown scheme or an unknown option."""
        self.check(url)
        parsed = ModelURL(url)
        async with self._provider(parsed.scheme).open(parsed) as model:
            yield model


def open_model(url: str) -> AbstractAsyncContextManager[Model]:
    """A model of this package's providers (`Registry(PROVIDERS).open`)."""
    return Registry(PROVIDERS).open(url)


__all__ = ["PROVIDERS", "Opener", "Provider", "Registry", "open_model"]
