"""The one typed settings object, built once from `V7_*` environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from server.auth.limits import AuthLimits
from server.auth.oauth import Provider, redirect_uri


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="V7_", extra="ignore", frozen=True)

    data_dir: Path = Field(default=Path("data"), description="Where embedded parts keep files.")
    store_url: str = Field(
        default="",
        description="sqlite:///PATH or dynamodb://TABLE?region=…&endpoint_url=…; "
        "empty means sqlite under data_dir.",
    )
    redis_url: str = Field(default="embedded://", description="embedded://, redis:// or rediss://")
    model: str = Field(default="analyst://", description="analyst://, bedrock://, openai://, …")
    strong_model: str = Field(
        default="",
        description='The model a tier file calls "strong" (Premium\'s coaching model): a model '
        "URL like V7_MODEL; empty means V7_MODEL.",
    )
    quick_model: str = Field(
        default="",
        description='The model a tier file calls "quick" (the lighter one for short answers): '
        "a model URL like V7_MODEL; empty means V7_MODEL.",
    )
    tiers_file: Path | None = Field(
        default=None,
        description="The tier policy to read instead of the packaged quotas/tiers.toml (e.g. "
        "other quotas); an invalid value fails start-up.",
    )
    auth: Literal["local", "cognito"] = "local"
    local_issuer: str = Field(
        default="urn:v7coach:local", description="`iss` of tokens minted in local auth mode."
    )
    local_client_id: str = "v7-local"
    token_ttl_seconds: int = Field(
        default=3600, gt=0, le=86_400, description="Lifetime of locally minted access tokens."
    )
    refresh_ttl_days: int = Field(default=30, gt=0, le=365)
    cognito_region: str = "us-east-1"
    cognito_user_pool_id: str = ""
    cognito_client_id: str = ""
    cognito_issuer: str = Field(
        default="",
        description="Override of the expected `iss` (emulators); empty means the AWS one.",
    )
    cognito_endpoint_url: str = Field(
        default="", description="Another Cognito endpoint (tests, emulators); empty for AWS."
    )
    cognito_domain: str = Field(
        default="",
        description="Base URL of the user pool's hosted UI for Google/Apple sign-in "
        "(https://PREFIX.auth.REGION.amazoncognito.com or a custom domain); empty: no such "
        "sign-in.",
    )
    oauth_providers: Annotated[list[Provider], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated identity providers offered through the hosted UI, by "
        "their Cognito names: Google, SignInWithApple. Empty: none. Cognito mode only.",
    )
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated exact origins allowed to open the WebSocket; empty: this "
        "server's own port on loopback (http://127.0.0.1:PORT, http://localhost:PORT).",
    )
    media_bucket: str = Field(
        default="", description="S3 bucket for climbers' media (deployments); empty locally."
    )
    mail_url: str = Field(
        default="outbox://",
        description="Where email goes: outbox:// writes each message as an .eml file under "
        "data_dir/outbox/ (a laptop); ses://?region=…&endpoint_url=… sends it through SES "
        "(SESv2 SendEmail).",
    )
    mail_from: str = Field(
        default="V7 Coach <coach@localhost>",
        description="The From address of every email (a verified SES identity in AWS).",
    )
    media_endpoint_url: str = Field(
        default="",
        description="Another S3 endpoint for the media bucket (moto, emulators); empty for AWS.",
    )
    media_region: str = Field(
        default="", description="The media bucket's region; empty: the environment's (AWS_REGION)."
    )
    media_upload_seconds: int = Field(
        default=900,
        ge=60,
        le=3600,
        description="How long a signed photo/video upload may be used; its reserved storage "
        "is given back after.",
    )
    media_download_seconds: int = Field(
        default=300, ge=10, le=3600, description="How long a signed media download link works."
    )
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        le=256,
        description="Server processes `v7 serve` runs on the one port (`--workers`); default: "
        "the machine's cores. 1 is a single process with no supervisor; more start a parent "
        "that owns the listening sockets and the embedded redis-server (server/workers.py).",
    )
    drain_seconds: float = Field(
        default=10.0,
        ge=0,
        description="On SIGTERM, how long running streams may finish before sockets close "
        "with 1001. The load balancer's deregistration delay is set to match.",
    )
    max_sockets_per_user: int = Field(
        default=10,
        ge=1,
        le=1_000,
        description="Open chat sockets one user may hold, counted across server processes; "
        'a socket beyond it closes the user\'s oldest with 1008 "too many connections".',
    )
    resume_grace_seconds: float = Field(
        default=30.0,
        ge=0,
        description="How long a reply streams on after the climber's last socket went away, "
        "so that they can resume it from any process; stopped if none of their sockets is back "
        "by then.",
    )
    erasure_retry_seconds: float = Field(
        default=60.0,
        gt=0,
        le=86_400,
        description="How often the server runs the `finish-erasures` job, finishing account "
        "erasures left pending (Redis or Cognito unreachable, a crash): one process at a time, "
        "under the job's Redis lock.",
    )
    scheduler: Literal["local", "external"] = Field(
        default="local",
        description="Who runs the per-climber jobs (weekly reports, reminders): local, this "
        "server process (on a laptop; several processes share the work through a Redis lock); "
        "external, EventBridge Scheduler starting `v7 jobs run NAME` tasks (AWS). The upkeep "
        "jobs (finishing erasures, media upkeep) run in the server either way.",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Addresses whose X-Forwarded-* headers are trusted (the load balancer's "
        "subnets in AWS).",
    )
    header_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="How long a connection may take to send a request line and headers (a REST "
        "request or the WebSocket upgrade), from when it opens or, kept alive, from the first "
        "byte of its next request; then it is closed (with 408 if part of a request came).",
    )
    max_header_bytes: int = Field(
        default=16 * 1024,
        ge=1024,
        le=1024 * 1024,
        description="Most bytes a request line and headers may take; more gets 431 and the "
        "connection closes.",
    )
    max_headers: int = Field(
        default=100,
        ge=8,
        le=128,
        description="Most header fields a request may have; more gets 431 and the connection "
        "closes. At most 128, the WebSocket library's own limit.",
    )
    max_body_bytes: int = Field(
        default=256 * 1024,
        ge=1024,
        le=64 * 1024 * 1024,
        description="Most bytes a REST request body may have; more gets 413 before it is read "
        "(at once from Content-Length, or when a chunked body passes it) and the connection "
        "closes.",
    )
    import_max_bytes: int = Field(
        default=32 * 1024 * 1024,
        ge=1024,
        le=256 * 1024 * 1024,
        description="Most bytes a logbook file sent to POST /users/import may have (its own "
        "limit instead of V7_MAX_BODY_BYTES; 100,000 rows of a CSV logbook are about 15 MB); "
        "more gets 413 before it is read.",
    )

    # Context assembly's cache of what is computed from each climber's records (issue 19).
    context_cache_users: int = Field(
        default=256,
        ge=1,
        le=100_000,
        description="Climbers whose computed context one process keeps (least recently used "
        "dropped first; a climber with 3 years of daily sessions takes about 180 KB).",
    )
    context_cache_max_age_seconds: float = Field(
        default=300,
        gt=0,
        le=86_400,
        description="Oldest a cached context may be: bounds how stale another process's entry "
        "can be after a write whose invalidation could not reach Redis.",
    )

    auth_limits: AuthLimits = Field(
        default_factory=AuthLimits,
        description="The limits of /auth/* per client address, per account and on argon2 "
        '(JSON; fields left out keep their defaults, e.g. {"sign_in_failures": {"count": 3, '
        '"seconds": 600, "max_seconds": 3600}}); see server/auth/limits.py.',
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("oauth_providers", mode="before")
    @classmethod
    def _split_providers(cls, value: object) -> object:
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    @field_validator("cognito_domain")
    @classmethod
    def _bare_domain(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and (
            not value.startswith(("https://", "http://"))
            or any(c in value for c in "?#@")
            or "/" in value.split("://", 1)[1]
        ):
            raise ValueError("must be a base URL like https://PREFIX.auth.REGION.amazoncognito.com")
        return value

    @property
    def oauth_enabled(self) -> bool:
        """Google/Apple sign-in is offered: Cognito mode with a hosted UI and providers."""
        return self.auth == "cognito" and bool(self.cognito_domain and self.oauth_providers)

    @property
    def oauth_redirect_uri(self) -> str:
        """Where the hosted UI sends the browser back: the app page at the first allowed
        origin (`server.auth.oauth.CALLBACK_PATH`). The app client's callback URL must be
        exactly this."""
        return redirect_uri(self.websocket_origins[0])

    @property
    def websocket_origins(self) -> list[str]:
        """The exact origins that may open the WebSocket: `allowed_origins`, else the web UI
        this server itself serves on loopback (so `v7 serve --port 9000` works as is)."""
        if self.allowed_origins:
            return self.allowed_origins
        return [f"http://127.0.0.1:{self.port}", f"http://localhost:{self.port}"]

    @property
    def named_models(self) -> dict[str, str]:
        """The URL of each model a tier file may name (`quotas.policy.MODEL_NAMES`): "default"
        is `V7_MODEL`, "strong" and "quick" their own setting or else `V7_MODEL`."""
        return {
            "default": self.model,
            "strong": self.strong_model or self.model,
            "quick": self.quick_model or self.model,
        }

    @property
    def resolved_store_url(self) -> str:
        return self.store_url or f"sqlite:///{self.data_dir / 'v7.db'}"

    def production_problems(self) -> list[str]:
        """What keeps these settings from serving a deployment of several tasks behind a load
        balancer; empty when nothing does. The one list of what production needs: the Pulumi
        task definition is checked against it (pulumi/tests/test_contract.py). Each problem
        names the setting and says why it is needed."""
        problems: list[str] = []

        def need(ok: bool, problem: str) -> None:
            if not ok:
                problems.append(problem)

        need(
            self.auth == "cognito",
            "V7_AUTH must be cognito: local mode keeps accounts and signing keys per deployment "
            "in the store and hashes passwords on the task",
        )
        for name, value in (
            ("V7_COGNITO_USER_POOL_ID", self.cognito_user_pool_id),
            ("V7_COGNITO_CLIENT_ID", self.cognito_client_id),
            ("V7_COGNITO_REGION", self.cognito_region),
        ):
            need(bool(value), f"{name} must be set: tokens are verified against that pool/client")
        for name, value in (
            ("V7_COGNITO_ISSUER", self.cognito_issuer),
            ("V7_COGNITO_ENDPOINT_URL", self.cognito_endpoint_url),
        ):
            need(not value, f"{name} must be empty: it points at an emulator, not AWS")
        need(
            self.store_url.startswith("dynamodb://"),
            "V7_STORE_URL must be dynamodb://: a SQLite file is private to one task",
        )
        need(
            self.model.startswith("bedrock://"),
            "V7_MODEL must be bedrock://: the other providers are for development",
        )
        for name, value in (
            ("V7_STRONG_MODEL", self.strong_model),
            ("V7_QUICK_MODEL", self.quick_model),
        ):
            need(
                not value or value.startswith("bedrock://"),
                f"{name} must be bedrock:// (or empty: V7_MODEL): the other providers are for "
                "development",
            )
        need(
            self.redis_url.startswith("rediss://"),
            "V7_REDIS_URL must be rediss://: quotas, fan-out and resume are shared across tasks "
            "through one Redis, reached over TLS",
        )
        need(
            bool(self.allowed_origins)
            and all(origin.startswith("https://") for origin in self.allowed_origins),
            "V7_ALLOWED_ORIGINS must list the site's https:// origins: the default allows only "
            "loopback",
        )
        need(
            self.forwarded_allow_ips not in ("", "127.0.0.1", "*"),
            "V7_FORWARDED_ALLOW_IPS must name the load balancer's subnets: otherwise client "
            "addresses (throttles, logs) are the balancer's, or anyone may forge them",
        )
        need(
            self.drain_seconds > 0,
            "V7_DRAIN_SECONDS must be above 0: a deploy would cut running replies short",
        )
        need(bool(self.media_bucket), "V7_MEDIA_BUCKET must name the media bucket")
        need(
            self.scheduler == "external",
            "V7_SCHEDULER must be external: EventBridge Scheduler starts the jobs as their own "
            "tasks, so a deploy or a scale-in never cuts a run short in a serving task",
        )
        need(
            not self.media_endpoint_url,
            "V7_MEDIA_ENDPOINT_URL must be empty: it points at an emulator, not S3",
        )
        return problems
