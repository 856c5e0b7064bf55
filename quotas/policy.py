"""The tier policy (`quotas/tiers.toml`): quotas, features, rate limits and model per tier.

Read once at start with `load_policy()`; a bad file raises `PolicyError` naming the file and the
field (`pro.rate_limits.ai_messages.per_minute: Input should be greater than 0`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from quotas.errors import PolicyError, UnknownTier

RateLimitName = Literal["ai_messages", "journal_writes", "rest_calls", "api_calls"]
RATE_LIMIT_NAMES: tuple[RateLimitName, ...] = (
    "ai_messages",
    "journal_writes",
    "rest_calls",
    "api_calls",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Unlimited(_Strict):
    unlimited: Literal[True]


Cap = Annotated[int, Field(ge=0)] | Unlimited
"""A quota: a count, or `{ unlimited = true }`."""


class RateLimit(_Strict):
    """A GCRA bucket: `per_minute` sustained, up to `burst` at once."""

    per_minute: Annotated[float, Field(gt=0)]
    burst: Annotated[int, Field(ge=1)]

    @property
    def interval_us(self) -> int:
        """Microseconds between two requests at the sustained rate."""
        return max(1, round(60_000_000 / self.per_minute))


class RateLimits(_Strict):
    ai_messages: RateLimit
    journal_writes: RateLimit
    rest_calls: RateLimit
    api_calls: RateLimit
    """REST calls made with a personal API token (`server/api_tokens.py`), counted per user
    apart from `rest_calls`, so a script cannot use up the web UI's budget."""

    def get(self, name: RateLimitName) -> RateLimit:
        limit: RateLimit = getattr(self, name)
        return limit


AnalyticsLevel = Literal["basic", "advanced"]
"""`analytics` of a tier: "basic" (totals, grades, pyramids, weekly load, soreness, injuries,
goals, nutrition, plan adherence over 30 or 90 days) or "advanced" (also week-over-week trends,
acute:chronic load, monotony and strain, finger load, and the 1-year period)."""

DEFAULT_MODEL = "default"
"""A tier's model value meaning the server's own `V7_MODEL`."""

MODEL_NAMES = (DEFAULT_MODEL, "strong", "quick")
"""The server's named models a tier may choose instead of a URL: "default" (`V7_MODEL`),
"strong" (`V7_STRONG_MODEL`) and "quick" (`V7_QUICK_MODEL`); the server decides which URL
each name is, so one tier file serves a laptop and every stack."""


class TierPolicy(_Strict):
    name: str = ""
    journal_entries_per_week: Cap
    ai_messages_per_month: Cap
    plan_generation: Literal["none", "standard", "custom"]
    media_storage_gb: Annotated[int, Field(ge=0)]
    email_reports: bool
    api_access: bool
    analytics: AnalyticsLevel = "basic"
    model: Annotated[str, Field(min_length=1)] = DEFAULT_MODEL
    """The coaching model: one of `MODEL_NAMES` or a model URL. A stronger model here
    ("strong") is what the seed's "priority model" means."""
    quick_model: Annotated[str, Field(min_length=1)] = DEFAULT_MODEL
    """The lighter model for short answers (an intent answered by one figure, see
    `coaching.intent.SHORT_INTENTS`): one of `MODEL_NAMES` or a model URL."""
    priority_model: bool | None = None
    """Read from older files only (before `model`/`quick_model` said it directly); ignored:
    which model answers is `model` and `quick_model`."""
    degraded_ai_messages_per_hour: Annotated[int, Field(ge=0)]
    rate_limits: RateLimits

    @field_validator("model", "quick_model")
    @classmethod
    def _model_url(cls, value: str) -> str:
        if value not in MODEL_NAMES and "://" not in value:
            raise ValueError(
                'must be "default", "strong", "quick" or a model URL such as "bedrock://…"'
            )
        return value

    @property
    def own_model_urls(self) -> dict[str, str]:
        """The URLs the tier file itself names, by field ("model", "quick_model"); the named
        models left out (the server's settings say what they are)."""
        fields = {"model": self.model, "quick_model": self.quick_model}
        return {field: url for field, url in fields.items() if url not in MODEL_NAMES}

    def model_urls(self, named: Mapping[str, str]) -> dict[str, str]:
        """The URL answering for each field ("model", "quick_model"): a name looked up in
        `named` (every one of `MODEL_NAMES` to a URL), a URL as written."""
        fields = {"model": self.model, "quick_model": self.quick_model}
        return {field: named.get(value, value) for field, value in fields.items()}

    @property
    def ai_limit(self) -> int | None:
        """AI messages per month; None when unlimited."""
        return _limit(self.ai_messages_per_month)

    @property
    def journal_limit(self) -> int | None:
        """Journal entries per ISO week; None when unlimited."""
        return _limit(self.journal_entries_per_week)


def _limit(cap: int | Unlimited) -> int | None:
    return None if isinstance(cap, Unlimited) else cap


class Policy(_Strict):
    tiers: dict[str, TierPolicy]

    @field_validator("tiers")
    @classmethod
    def _has_free(cls, tiers: dict[str, TierPolicy]) -> dict[str, TierPolicy]:
        if "free" not in tiers:
            raise ValueError("the policy must define the tier 'free' (the default tier)")
        return tiers

    def tier(self, name: str) -> TierPolicy:
        """The policy of tier `name`; raises `UnknownTier`."""
        try:
            return self.tiers[name]
        except KeyError:
            raise UnknownTier(name) from None


def load_policy(path: Path | None = None) -> Policy:
    """Parse and validate the policy at `path` (default: the packaged `tiers.toml`).

    Raises `PolicyError` with the file and every invalid field.
    """
    source = str(path) if path else "quotas/tiers.toml"
    try:
        if path is None:
            text = resources.files("quotas").joinpath("tiers.toml").read_text(encoding="utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"{source}: {exc}") from exc
    try:
        tiers = {name: {**body, "name": name} for name, body in raw.items()}
        return Policy.model_validate({"tiers": tiers})
    except (ValidationError, TypeError) as exc:
        raise PolicyError(f"{source}: {_describe(exc)}") from exc


_UNION_LABELS = ("int", "constrained", "Unlimited")


def _describe(exc: Exception) -> str:
    if not isinstance(exc, ValidationError):
        return "every top-level entry must be a [tier] table"
    problems = []
    for error in exc.errors():
        # Drop the wrapper ("tiers") and pydantic's union-branch labels from the field path.
        loc = [str(p) for p in error["loc"][1:] if not str(p).startswith(_UNION_LABELS)]
        problems.append(f"{'.'.join(loc)}: {error['msg']}")
    return "; ".join(dict.fromkeys(problems))
