"""The contract between the Pulumi program and the app, checked against the app's own code.

Each real stack is rendered under mocks and compared with what the server imports at run time:
its `Settings` model and production rules, the table `v7 store init` creates, the Cognito flows
and claims it uses, the AWS calls its code makes (`aws_calls`), its WebSocket ping and drain.
Nothing of the app is copied here, so the test fails when either side changes alone; each
message says which side to change (docs/deploy.md, "The contract between infrastructure and
app"). The scan's own tests are in test_aws_calls.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest
from aws_calls import (
    IMPLIED_PREFIXES,
    KEY_USERS,
    app_calls,
    inventory,
    role_mismatches,
)
from contract_sides import (
    REPO,
    container,
    environment,
    image_command,
    init_table_layout,
    policy,
    pulumi_table_layout,
    setting_variables,
    stack_values,
    task_environment,
    task_settings,
)
from infra_harness import ACCOUNT_ID, Built, arn_of
from starlette.applications import Starlette
from v7infra.config import StackConfig
from v7infra.iam import bedrock_arns

from quotas import load_policy
from server.auth.cognito import AUTH_FLOWS, READ_ATTRIBUTES, cognito_issuer
from server.auth.verifier import MAX_LEEWAY
from server.backends import SettingsError, check_backend_urls
from server.cli import _parser
from server.health import routes as health_routes
from server.run import uvicorn_config
from server.settings import Settings
from store.dynamodb_admin import TTL_ATTRIBUTE
from store.table import INDEXES

STACKS = ("dev", "staging", "prod")
SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86_400}


# 1. Every variable is a setting with a valid value.


@pytest.mark.parametrize("stack", STACKS)
def test_every_variable_the_task_sets_is_a_setting(stacks: dict[str, Built], stack: str) -> None:
    known = setting_variables()
    env = task_environment(stacks[stack])
    assert env, "the task sets no variable"
    unknown = sorted(name for name in env if name.upper() not in known)
    assert not unknown, (
        f"the task definition sets {unknown}, which server/settings.py does not read (the "
        "server ignores them silently): remove them from pulumi/v7infra/compute.py, or add the "
        "setting to Settings"
    )
    settings = task_settings(stacks[stack])
    assert {known[name.upper()] for name in env} <= settings.model_fields_set


@pytest.mark.parametrize("stack", STACKS)
def test_the_environment_passes_the_servers_own_checks(
    stacks: dict[str, Built], stack: str
) -> None:
    settings = task_settings(stacks[stack])  # a ValidationError names the variable
    # What create_app checks before it binds a port: store, Redis and model URLs.
    try:
        check_backend_urls(settings, load_policy())
    except SettingsError as error:
        pytest.fail(f"`v7 serve` would refuse to start ({error}): fix pulumi/v7infra/compute.py")


# 2. Everything production needs is set; the port, health check and command agree.


@pytest.mark.parametrize("stack", STACKS)
def test_the_task_sets_everything_production_needs(stacks: dict[str, Built], stack: str) -> None:
    problems = task_settings(stacks[stack]).production_problems()
    assert not problems, (
        "the task definition misses what Settings.production_problems requires; set it in "
        f"pulumi/v7infra/compute.py: {problems}"
    )


def test_production_rules_refuse_the_local_defaults() -> None:
    """The rules are live: the settings a laptop runs with are not fit for production."""
    with environment({}):
        problems = Settings().production_problems()
    for variable in ("V7_AUTH", "V7_STORE_URL", "V7_MODEL", "V7_REDIS_URL", "V7_MEDIA_BUCKET"):
        assert any(problem.startswith(variable) for problem in problems), variable


@pytest.mark.parametrize("stack", STACKS)
def test_the_load_balancer_reaches_what_the_image_serves(
    stacks: dict[str, Built], stack: str
) -> None:
    built = stacks[stack]
    settings = task_settings(built)
    command = image_command()
    assert "v7" in command, f"the image does not run `v7 serve`: {command}"
    args = _parser().parse_args(command[command.index("v7") + 1 :])
    assert args.command == "serve", f"the image runs `v7 {args.command}`, not `v7 serve`"
    port = args.port or settings.port
    host = args.host or settings.host
    assert host == "0.0.0.0", (  # noqa: S104 (inside the container, behind the ALB's group)
        f"the image's server listens on {host}, unreachable from the load balancer: fix the "
        "Dockerfile's CMD"
    )
    (mapping,) = container(built)["portMappings"]
    target_group = built.one("aws:lb/targetGroup:TargetGroup", "app").inputs
    assert mapping["containerPort"] == port == target_group["port"], (
        f"the server listens on {port}; the container maps {mapping['containerPort']} and the "
        f"target group sends to {target_group['port']}: make pulumi/v7infra/network.py "
        "APP_PORT and the Dockerfile agree"
    )
    served = {route.path for route in health_routes if hasattr(route, "path")}
    assert target_group["healthCheck"]["path"] in served, (
        f"the health check asks {target_group['healthCheck']['path']}, the server serves "
        f"{sorted(served)}: fix pulumi/v7infra/compute.py"
    )


# 3. The table is the one `v7 store init` creates.


@pytest.mark.parametrize("stack", STACKS)
def test_the_table_is_the_one_store_init_creates(stacks: dict[str, Built], stack: str) -> None:
    table = stacks[stack].one("aws:dynamodb/table:Table", "table").inputs
    assert pulumi_table_layout(table) == init_table_layout(), (
        "the Pulumi table (left) differs from what `v7 store init` creates (right, "
        "store/dynamodb_admin.py create_table_request, from store/table.py INDEXES): change "
        "pulumi/v7infra/data.py, or the store if its layout changed on purpose"
    )
    assert TTL_ATTRIBUTE == "ttl"  # the attribute the store writes (store/table.py)
    env_table = task_settings(stacks[stack]).store_url.removeprefix("dynamodb://").split("?")[0]
    assert env_table == table["name"], "V7_STORE_URL names another table than the program's"


# 4. The Cognito client allows the server's flows, its tokens are what the server verifies.


@pytest.mark.parametrize("stack", STACKS)
def test_the_cognito_client_matches_the_server(stacks: dict[str, Built], stack: str) -> None:
    built = stacks[stack]
    client = built.one("aws:cognito/userPoolClient:UserPoolClient", "web")
    inputs = client.inputs
    assert set(inputs["explicitAuthFlows"]) == set(AUTH_FLOWS), (
        f"the app client allows {sorted(inputs['explicitAuthFlows'])}, the server uses "
        f"{sorted(AUTH_FLOWS)} (server/auth/cognito.py AUTH_FLOWS): make "
        "pulumi/v7infra/auth.py EXPLICIT_AUTH_FLOWS equal it"
    )
    assert inputs["generateSecret"] is False, "the server sends no SECRET_HASH: no client secret"
    assert inputs["enableTokenRevocation"] is True, "sign-out calls RevokeToken"
    missing = set(READ_ATTRIBUTES) - set(inputs["readAttributes"])
    assert not missing, f"the server reads {sorted(missing)} from ID tokens; the client hides it"

    # The verifier accepts a token whose iss is cognito_issuer(region, pool id) and whose
    # client_id (access) / aud (id) is V7_COGNITO_CLIENT_ID.
    settings = task_settings(built)
    pool = built.one("aws:cognito/userPool:UserPool", "users")
    assert inputs["userPoolId"] == pool.id == settings.cognito_user_pool_id
    assert settings.cognito_client_id == client.id, "V7_COGNITO_CLIENT_ID is another client"
    region = arn_of(pool).split(":")[3]
    assert arn_of(pool).endswith(f":userpool/{pool.id}")
    assert settings.cognito_region == region, "V7_COGNITO_REGION is not the pool's region"
    assert not settings.cognito_issuer, "V7_COGNITO_ISSUER would replace the pool's issuer"
    assert cognito_issuer(settings.cognito_region, settings.cognito_user_pool_id) == (
        f"https://cognito-idp.{region}.amazonaws.com/{pool.id}"
    )


def _validity_seconds(inputs: Mapping[str, Any], token: str, default_unit: str) -> float:
    units = inputs.get("tokenValidityUnits") or {}
    value = float(inputs[f"{token}Validity"])
    return value * SECONDS[units.get(token, default_unit)]


def _ui_refresh_lead_seconds() -> float:
    source = (REPO / "server/static/auth.js").read_text()
    match = re.search(r"const REFRESH_LEAD_MS = ([\d_]+);", source)
    assert match, "server/static/auth.js no longer declares REFRESH_LEAD_MS"
    return int(match.group(1).replace("_", "")) / 1000


@pytest.mark.parametrize("stack", STACKS)
def test_token_lifetimes_fit_the_servers_timing(stacks: dict[str, Built], stack: str) -> None:
    inputs = stacks[stack].one("aws:cognito/userPoolClient:UserPoolClient", "web").inputs
    access = _validity_seconds(inputs, "accessToken", "hours")
    identity = _validity_seconds(inputs, "idToken", "hours")
    refresh = _validity_seconds(inputs, "refreshToken", "days")
    lead = _ui_refresh_lead_seconds()
    # The UI refreshes `lead` before expiry (at half-life if shorter); the verifier forgives
    # MAX_LEEWAY of skew. An access token must outlive both with room to be used.
    short = (
        f"access tokens live {access:g} s: the UI (refresh {lead:g} s early) and the verifier "
        f"(leeway {MAX_LEEWAY:g} s) need longer; raise accessTokenValidity in "
        "pulumi/v7infra/auth.py"
    )
    assert access >= 2 * lead, short
    assert access >= 4 * MAX_LEEWAY, short
    # Local mode's bound on the same lifetime (Settings.token_ttl_seconds): at most one day.
    limit = Settings.model_fields["token_ttl_seconds"].metadata
    most = min(getattr(m, "le", float("inf")) for m in limit)
    assert max(access, identity) <= most, "tokens outlive the server's one-day bound"
    assert refresh > access, "refresh tokens must outlive access tokens, or nobody stays in"


# 5. The task role allows exactly the AWS calls the code makes, on the stack's own resources.


@pytest.fixture(scope="module")
def needed() -> dict[str, dict[str, list[str]]]:
    """The IAM actions the app's code needs, from its source (aws_calls)."""
    return inventory(app_calls())


@pytest.mark.parametrize("stack", STACKS)
def test_the_task_role_allows_exactly_the_calls_the_code_makes(
    stacks: dict[str, Built], stack: str, needed: dict[str, dict[str, list[str]]]
) -> None:
    problems = role_mismatches(needed, policy(stacks[stack], "task"))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("stack", STACKS)
def test_the_task_role_is_scoped_to_the_stacks_resources(
    stacks: dict[str, Built], stack: str, needed: dict[str, dict[str, list[str]]]
) -> None:
    built = stacks[stack]
    cfg = StackConfig.model_validate(stack_values(stack))
    table_arn = arn_of(built.one("aws:dynamodb/table:Table", "table"))
    index_arns = {f"{table_arn}/index/{index.name}" for index in INDEXES}
    bucket_arn = arn_of(built.one("aws:s3/bucket:Bucket", "media"))
    allowed = {
        "bedrock": set(bedrock_arns(cfg, ACCOUNT_ID)),
        "dynamodb": {table_arn} | index_arns,
        "cognito-idp": {arn_of(built.one("aws:cognito/userPool:UserPool", "users"))},
        "s3": {bucket_arn, f"{bucket_arn}/*"},
        "kms": {arn_of(built.one("aws:kms/key:Key", "data-key"))},
        "ses": {arn_of(built.one("aws:sesv2/emailIdentity:EmailIdentity", "mail"))},
    }
    for statement in policy(built, "task")["Statement"]:
        actions = statement["Action"]
        prefixes = {action.split(":")[0] for action in actions}
        assert len(prefixes) == 1, f"one service per statement: {statement['Sid']}"
        (prefix,) = prefixes
        outside = set(statement["Resource"]) - allowed[prefix]
        assert not outside, f"{statement['Sid']} reaches beyond the stack's own: {outside}"
        if "dynamodb:Query" in actions and index_arns & set(statement["Resource"]):
            assert set(statement["Resource"]) >= index_arns, "the store queries every GSI"
        if prefix in IMPLIED_PREFIXES:
            via = set(statement["Condition"]["StringEquals"]["kms:ViaService"])
            users = set(needed) & set(KEY_USERS)
            assert via == {f"{svc}.{cfg.region}.amazonaws.com" for svc in users}, (
                "the data key must be usable exactly via the services the code calls"
            )
    settings = task_settings(built)
    for name, url in settings.named_models.items():  # every model a tier file may name
        model_id = url.removeprefix("bedrock://").split("?")[0]
        assert any(arn.endswith(f"/{model_id}") for arn in allowed["bedrock"]), (
            f'the "{name}" model streams from {model_id}, which the role\'s Bedrock ARNs do '
            "not name"
        )


# 6. Sockets outlive the load balancer's idle timeout; a drain outlives deregistration.


@pytest.mark.parametrize("stack", STACKS)
def test_timeouts_cover_pings_and_drains(stacks: dict[str, Built], stack: str) -> None:
    built = stacks[stack]
    settings = task_settings(built)
    server = uvicorn_config(Starlette(), settings)
    ping = float(server.ws_ping_interval or 0)
    pong = float(server.ws_ping_timeout or 0)
    assert ping > 0, "the server sends no WebSocket pings: idle sockets would be cut"
    idle = built.one("aws:lb/loadBalancer:LoadBalancer", "alb").inputs["idleTimeout"]
    assert idle >= 2 * (ping + pong), (
        f"the ALB cuts sockets idle {idle} s; the server pings every {ping:g} s and waits "
        f"{pong:g} s for the pong (server/run.py): raise idleTimeoutSeconds"
    )
    drain = settings.drain_seconds
    delay = built.one("aws:lb/targetGroup:TargetGroup", "app").inputs["deregistrationDelay"]
    assert delay >= drain, (
        f"the ALB drops a deregistered task's sockets after {delay} s, before the app's "
        f"{drain:g} s drain (V7_DRAIN_SECONDS) ends: make them equal in pulumi/v7infra"
    )
    stop = container(built).get("stopTimeout")
    assert stop is not None, "without stopTimeout ECS kills after 30 s, whatever the drain"
    assert stop >= drain + float(server.timeout_graceful_shutdown or 0), (
        f"ECS kills the task {stop} s after SIGTERM, before the drain ({drain:g} s) and "
        f"uvicorn's shutdown ({server.timeout_graceful_shutdown} s) end: raise stopTimeout"
    )
