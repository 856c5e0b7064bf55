"""Opening the models once for the app's life: the default (`V7_MODEL`), each tier's coaching
and quick models (`quotas/tiers.toml`: a named model, `Settings.named_models`, or a URL; one URL
named twice is opened once), and the offline analyst as the fallback when a remote model
fails."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import AsyncExitStack

from coaching.offline import open_analyst, parse_analyst
from core.model import Model
from core.model_url import ModelURL
from handlers.coach import model_key
from llm import PROVIDERS, Provider, Registry
from quotas import Policy

log = logging.getLogger("v7.models")


def _check_analyst(url: ModelURL) -> None:
    url.refuse_target()
    parse_analyst(url)


MODELS = Registry({**PROVIDERS, "analyst": Provider(check=_check_analyst, open=open_analyst)})
"""Every model scheme the app knows: the providers that call out, and the offline coach."""

ANALYST = "analyst://"


async def open_models(
    named: Mapping[str, str], policy: Policy, stack: AsyncExitStack
) -> tuple[dict[str, Model], Model | None]:
    """The models by `handlers.coach.model_key` (tier and use; key "default" for
    `named["default"]`) and the fallback (the offline coach, unless it is the default already).
    `named` gives the URL of every name a tier file may use (`Settings.named_models`).

    Raises `ModelURLError` for a malformed URL (`server.backends` checks every URL before the
    app starts, so this is a second line).
    """
    opened: dict[str, Model] = {}

    async def model_at(url: str) -> Model:
        if url not in opened:
            opened[url] = await stack.enter_async_context(MODELS.open(url))
        return opened[url]

    default_url = named["default"]
    models = {"default": await model_at(default_url)}
    for name, tier in policy.tiers.items():
        for field, url in tier.model_urls(named).items():
            models[model_key(name, quick=field == "quick_model")] = await model_at(url)
    fallback = None if default_url.startswith(ANALYST) else await model_at(ANALYST)
    return models, fallback
