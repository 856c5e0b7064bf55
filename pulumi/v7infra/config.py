"""The stack's settings: one validated model read from the `v7:` Pulumi config namespace.

Every value that may differ between `dev`, `staging` and `prod` is a field here, and the program
branches on these fields only — never on the stack's name — so two stacks differ exactly where
their `Pulumi.<stack>.yaml` files differ. `load()` raises `pydantic.ValidationError` on a bad or
missing value before any resource is declared.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal, get_origin

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

import pulumi

NAMESPACE = "v7"
INFERENCE_PROFILE_GEOS = ("us", "eu", "apac", "us-gov", "global", "jp", "au", "ca")
# ElastiCache AUTH tokens: 16-128 printable characters without @, " or /.
# Where the server's hosted-UI sign-in comes back to (server/auth/oauth.py CALLBACK_PATH;
# pulumi/tests/test_infra_oauth.py checks the two agree).
OAUTH_CALLBACK_PATH = "/auth/oauth/callback"
_AUTH_TOKEN = re.compile(r"^[!#$%&'()*+,\-.0-9:;<=>?A-Z\[\]^_`a-z{|}~]{16,128}$")


class StackConfig(BaseModel):
    """What one stack configures; field names are the camelCase config keys."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    name_prefix: str = Field(pattern=r"^[a-z][a-z0-9-]{1,20}$")
    region: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")

    # Network: a new VPC unless existingVpcId is given (then all four existing* keys are needed).
    vpc_cidr: str = "10.40.0.0/16"
    az_count: int = Field(default=2, ge=2, le=3)
    nat_gateways: int = Field(default=1, ge=1, le=3)
    existing_vpc_id: str | None = None
    existing_vpc_cidr: str | None = None
    existing_public_subnet_ids: tuple[str, ...] = ()
    existing_private_subnet_ids: tuple[str, ...] = ()

    # Load balancer and domain.
    domain_name: str
    certificate_arn: str = Field(pattern=r"^arn:aws:acm:[a-z0-9-]+:\d{12}:certificate/[\w-]+$")
    idle_timeout_seconds: int = Field(default=600, ge=300, le=4000)
    allowed_origins: tuple[str, ...] = ()

    # Service.
    # The image to run: a tag pushed to the stack's ECR repository (tags are immutable, so a
    # release is a new tag and a rollback is setting the previous one).
    image_tag: str = Field(pattern=r"^\w[\w.-]{0,127}$")
    task_cpu: int = 1024
    task_memory: int = 2048
    min_tasks: int = Field(default=1, ge=1)
    max_tasks: int = Field(default=2, ge=1)
    cpu_target_percent: int = Field(default=60, ge=10, le=90)
    connections_per_task: int = Field(default=1000, ge=10)
    # One drain window for the app (V7_DRAIN_SECONDS), the ALB deregistration delay and the
    # ECS stop timeout (which must exceed it so SIGKILL never interrupts a drain).
    drain_seconds: int = Field(default=30, ge=5, le=110)

    # Data.
    deletion_protection: bool = False
    media_infrequent_access_days: int = Field(default=30, ge=30)

    # Cache.
    redis_node_type: str = "cache.t4g.micro"
    redis_nodes: int = Field(default=1, ge=1, le=6)
    redis_engine_version: str = "7.2"

    # Auth.
    mfa: Literal["OFF", "OPTIONAL", "ON"] = "OPTIONAL"
    cognito_domain_prefix: str | None = None
    oauth_callback_urls: tuple[str, ...] = ()
    google_client_id: str | None = None
    apple_services_id: str | None = None
    apple_team_id: str | None = None
    apple_key_id: str | None = None

    # Model: the id the server calls. A cross-region inference profile ("us.…") needs invoke
    # rights on the profile and on the foundation model in every region it routes to
    # (modelRegions); modelArns adds further explicit ARNs (e.g. an application profile).
    model_id: str = Field(pattern=r"^[a-z0-9][\w.:-]+$")
    # The models a tier file names "strong" (Premium's coaching model) and "quick" (short
    # answers), V7_STRONG_MODEL and V7_QUICK_MODEL; unset: modelId. The same rules and grants
    # as modelId apply to each (one modelRegions for all: keep them in one geography).
    strong_model_id: str | None = Field(default=None, pattern=r"^[a-z0-9][\w.:-]+$")
    quick_model_id: str | None = Field(default=None, pattern=r"^[a-z0-9][\w.:-]+$")
    model_regions: tuple[str, ...] = ()
    model_arns: tuple[str, ...] = ()

    # Email (weekly reports, reminders): sent through SES from this address, whose domain is
    # the stack's SES identity (verify its DKIM records in DNS). Default: coach@domainName.
    mail_from_address: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"
    )

    # Monitoring.
    log_retention_days: int = 30
    alarm_topic_arn: str | None = None
    alarm_server_errors_per_minute: int = Field(default=10, ge=1)
    alarm_throttles_per_minute: int = Field(default=5, ge=1)
    alarm_bedrock_errors_per_minute: int = Field(default=5, ge=1)
    alarm_redis_memory_percent: int = Field(default=80, ge=10, le=99)

    @field_validator("model_arns")
    @classmethod
    def _bedrock_arns_only(cls, arns: tuple[str, ...]) -> tuple[str, ...]:
        for arn in arns:
            if "*" in arn or not re.match(
                r"^arn:aws:bedrock:[a-z0-9-]+:(\d{12})?:"
                r"(foundation-model|inference-profile|application-inference-profile)/\S+$",
                arn,
            ):
                raise ValueError(f"not a wildcard-free Bedrock model or profile ARN: {arn}")
        return arns

    @model_validator(mode="after")
    def _consistent(self) -> StackConfig:
        if self.min_tasks > self.max_tasks:
            raise ValueError("minTasks must not exceed maxTasks")
        if self.nat_gateways > self.az_count:
            raise ValueError("natGateways must not exceed azCount")
        existing = (
            self.existing_vpc_cidr,
            self.existing_public_subnet_ids,
            self.existing_private_subnet_ids,
        )
        if self.existing_vpc_id is not None and not all(existing):
            raise ValueError("existingVpcId needs existingVpcCidr and both subnet id lists")
        apple = (self.apple_services_id, self.apple_team_id, self.apple_key_id)
        if any(apple) and not all(apple):
            raise ValueError("Apple sign-in needs appleServicesId, appleTeamId and appleKeyId")
        self._check_oauth()
        return self

    def _check_oauth(self) -> None:
        """Google/Apple sign-in needs the hosted UI, and the app client's callback URLs must be
        exactly the one redirect URI the server sends (`oauth_redirect_uri`)."""
        if not self.oauth_providers:
            if self.oauth_callback_urls:
                raise ValueError(
                    "oauthCallbackUrls without Google or Apple: nothing would use them"
                )
            return
        if self.cognito_domain_prefix is None:
            raise ValueError("Google/Apple sign-in needs cognitoDomainPrefix (the hosted UI)")
        if self.oauth_callback_urls != (self.oauth_redirect_uri,):
            raise ValueError(
                f"oauthCallbackUrls must be exactly [{self.oauth_redirect_uri}] (the first "
                "allowed origin and the server's callback path)"
            )

    @property
    def origins(self) -> tuple[str, ...]:
        """The browser origins allowed to open the WebSocket and upload media."""
        return self.allowed_origins or (f"https://{self.domain_name}",)

    @property
    def mail_from(self) -> str:
        """The From of the app's email (`V7_MAIL_FROM`)."""
        return f"V7 Coach <{self.mail_from_address or f'coach@{self.domain_name}'}>"

    @property
    def mail_domain(self) -> str:
        """The SES identity the app sends from: the From address's domain."""
        return self.mail_from.rstrip(">").rpartition("@")[2]

    @property
    def stop_timeout_seconds(self) -> int:
        """ECS waits this long after SIGTERM before SIGKILL: the drain window plus settling."""
        return min(self.drain_seconds + 10, 120)

    @property
    def strong_model(self) -> str:
        """The model id of V7_STRONG_MODEL: strongModelId, else modelId."""
        return self.strong_model_id or self.model_id

    @property
    def quick_model(self) -> str:
        """The model id of V7_QUICK_MODEL: quickModelId, else modelId."""
        return self.quick_model_id or self.model_id

    @property
    def model_ids(self) -> tuple[str, ...]:
        """Every model id the server may stream from, each once (modelId first)."""
        return tuple(dict.fromkeys((self.model_id, self.strong_model, self.quick_model)))

    @property
    def has_google(self) -> bool:
        return self.google_client_id is not None

    @property
    def has_apple(self) -> bool:
        return self.apple_services_id is not None

    @property
    def oauth_providers(self) -> tuple[str, ...]:
        """The identity providers the server offers, by their Cognito names."""
        return (("Google",) if self.has_google else ()) + (
            ("SignInWithApple",) if self.has_apple else ()
        )

    @property
    def oauth_redirect_uri(self) -> str:
        """The redirect URI the server sends to the hosted UI (`V7_ALLOWED_ORIGINS`' first)."""
        return self.origins[0].rstrip("/") + OAUTH_CALLBACK_PATH

    @property
    def hosted_ui_url(self) -> str | None:
        """The hosted UI's base URL (`V7_COGNITO_DOMAIN`), when the stack has a domain."""
        if self.cognito_domain_prefix is None:
            return None
        return f"https://{self.cognito_domain_prefix}.auth.{self.region}.amazoncognito.com"


def profile_geo(model_id: str) -> str | None:
    """The geography prefix of a cross-region inference profile id, else None."""
    geo, _, rest = model_id.partition(".")
    return geo if rest and geo in INFERENCE_PROFILE_GEOS else None


@dataclass(frozen=True)
class Secrets:
    """Secret config values, kept as secret Outputs so they stay encrypted in the state."""

    redis_auth_token: pulumi.Output[str]
    google_client_secret: pulumi.Output[str] | None
    apple_private_key: pulumi.Output[str] | None


def _checked_token(token: str) -> str:
    if not _AUTH_TOKEN.match(token):
        # The message never includes the token itself.
        raise ValueError('v7:redisAuthToken must be 16-128 printable chars without @ " or /')
    return token


def _is_text(annotation: object) -> bool:
    return annotation in (str, str | None) or get_origin(annotation) is Literal


def load() -> StackConfig:
    """Read the running stack's non-secret config (`v7:*` and `aws:region`).

    Raises `pydantic.ValidationError` on a missing or invalid value and
    `pulumi.ConfigMissingError` without `aws:region`.
    """
    config = pulumi.Config(NAMESPACE)
    values: dict[str, object] = {"region": pulumi.Config("aws").require("region")}
    for field_name, field in StackConfig.model_fields.items():
        key = field.alias or field_name
        raw = None if key == "region" else config.get(key)
        if raw is not None:
            # Lists, numbers and booleans arrive JSON-encoded; text stays text ("1.0" tags).
            values[key] = raw if _is_text(field.annotation) else json.loads(raw)
    return StackConfig.model_validate(values)


def load_secrets(stack: StackConfig) -> Secrets:
    """Read the secret config; raises `pulumi.ConfigMissingError` if a needed one is unset."""
    config = pulumi.Config(NAMESPACE)
    return Secrets(
        redis_auth_token=config.require_secret("redisAuthToken").apply(_checked_token),
        google_client_secret=(
            config.require_secret("googleClientSecret") if stack.has_google else None
        ),
        apple_private_key=config.require_secret("applePrivateKey") if stack.has_apple else None,
    )
