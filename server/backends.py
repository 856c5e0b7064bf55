"""Strict settings: every backend URL is checked before anything starts.

`V7_STORE_URL`, `V7_REDIS_URL`, the named models (`V7_MODEL`, `V7_STRONG_MODEL`,
`V7_QUICK_MODEL`) and the URLs a tier file names itself (`model` and `quick_model` in
`quotas/tiers.toml`) are read by the code that will open them
(`store.check_url`, `server.redis_url.check_url`, `server.models.MODELS.check`), but nothing is
opened or contacted. An unknown option, one given twice, a bad value or an unknown scheme raises
`SettingsError` naming the setting and the option, so `create_app` fails and `v7 serve` exits
non-zero with one line on stderr, before any port is bound or background task started.
(Whether a backend answers is checked when it is opened, in the lifespan.)
"""

from __future__ import annotations

from collections.abc import Callable

from quotas import Policy
from server.mailers import check_url as check_mail_url
from server.models import MODELS
from server.redis_url import check_url as check_redis_url
from server.settings import Settings
from store import check_url as check_store_url


class SettingsError(ValueError):
    """A setting is malformed. The message names the setting and what is wrong, never a
    credential the URL may hold."""


def check_backend_urls(settings: Settings, policy: Policy) -> None:
    """Raise `SettingsError` for the first backend URL that is malformed (module doc)."""
    checks: list[tuple[str, str, Callable[[str], None]]] = [
        (
            "V7_STORE_URL",
            settings.resolved_store_url,
            lambda url: check_store_url(url, data_dir=settings.data_dir),
        ),
        ("V7_REDIS_URL", settings.redis_url, check_redis_url),
        ("V7_MODEL", settings.model, MODELS.check),
        ("V7_MAIL_URL", settings.mail_url, check_mail_url),
    ]
    # Empty means V7_MODEL, checked above; a tier's "strong" or "quick" is one of these.
    for setting, url in (
        ("V7_STRONG_MODEL", settings.strong_model),
        ("V7_QUICK_MODEL", settings.quick_model),
    ):
        if url:
            checks.append((setting, url, MODELS.check))
    for name, tier in policy.tiers.items():
        for field, url in tier.own_model_urls.items():
            checks.append((f"tiers.toml [{name}] {field}", url, MODELS.check))
    for setting, url, check in checks:
        try:
            check(url)
        except ValueError as error:
            raise SettingsError(f"{setting}: {error}") from None
