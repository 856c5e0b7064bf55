"""Opening the models once for the app's life: the default (`V7_MODEL`), each tier's own
(`quotas/tiers.toml`), and the offline analyst as the fallback when a remote model fails."""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack

from llm import open_model
from llm.base import Model
from llm.errors import ModelURLError
from quotas import Policy

log = logging.getLogger("v7.models")

ANALYST = "analyst://"


async def open_models(
    default_url: str, policy: Policy, stack: AsyncExitStack
) -> tuple[dict[str, Model], Model | None]:
    """The model of each tier (key "default" for tiers using `default_url`) and the fallback;
    no models at all when the default is the analyst and this build has none.

    Raises `ModelURLError` for a malformed URL, so a bad setting stops the server at start.
    """
    opened: dict[str, Model] = {}

    async def model_at(url: str) -> Model:
        if url not in opened:
            opened[url] = await stack.enter_async_context(open_model(url))
        return opened[url]

    try:
        models = {"default": await model_at(default_url)}
    except ModelURLError:
        if not default_url.startswith(ANALYST):
            raise
        log.warning("no offline analyst in this build: coaching replies are off")
        return {}, None
    for name, tier in policy.tiers.items():
        if tier.model != "default":
            models[name] = await model_at(tier.model)
    fallback: Model | None = None
    if not default_url.startswith(ANALYST):
        try:
            fallback = await model_at(ANALYST)
        except ModelURLError:
            log.warning("no offline analyst in this build: a failing model gets no fallback")
    return models, fallback
