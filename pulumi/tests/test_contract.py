"""The contract between the Pulumi program and the app, checked against the app's own code.

Each real stack is rendered under mocks and compared with what the server imports at run time:
its `Settings` model and production rules, the table `v7 store init` creates, the Cognito flows
and claims it uses, the AWS calls its code makes (`aws_calls`), its WebSocket ping and drain.
Nothing of the app is copied here, so the test fails when either side changes alone; each
message says which side to change.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest
from aws_calls import (
    GRANTED_AHEAD_OF_CODE,
    IMPLIED_PREFIXES,
    KEY_USERS,
    app_calls,
    calls_in_source,
    inventory,
    role_mismatches,
)
from infra_harness import ACCOUNT_ID, PROGRAM_DIR, Built, arn_of, secret_value, stack_config
from pydantic import ValidationError
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
from store.dynamodb_admin import POINT_IN_TIME_RECOVERY, TTL_ATTRIBUTE, create_table_request
from store.table import INDEXES

STACKS = ("dev", "staging", "prod")
REPO = PROGRAM_DIR.parent
TASK = "aws:ecs/taskDefinition:TaskDefinition"
SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86_400}


def _container(built: Built) -> dict[str, Any]:
    definitions: list[dict[str, Any]] = json.loads(
        built.one(TASK, "app").inputs["containerDefinitions"]
    )
    (container,) = definitions
    return container


def _secret_values(built: Built) -> dict[str, str]:
    """Secrets Manager ARN -> the value the program stores in it."""
    versions = built.of_type("aws:secretsmanager/secretVersion:SecretVersion")
    values: dict[str, str] = {}
    for secret in built.of_type("aws:secretsmanager/secret:Secret"):
        for version in versions:
            if version.inputs["secretId"] == secret.id:
                values[arn_of(secret)] = secret_value(version.inputs["secretString"])
    return values


def task_environment(built: Built) -> dict[str, str]:
    """Every variable the container starts with: its environment and its secrets, the latter
    filled with the values the program stores (the Redis URL with the test AUTH token)."""
    container = _container(built)
    env = {item["name"]: item["value"] for item in container["environment"]}
    stored = _secret_values(built)
    for secret in container.get("secrets", []):
        assert secret["valueFrom"] in stored, (
            f"{secret['name']} comes from {secret['valueFrom']}, which the program does not "
            "create: fix pulumi/v7infra/compute.py"
        )
        env[secret["name"]] = stored[secret["valueFrom"]]
    return env


def _setting_variables() -> dict[str, str]:
    """Environment variable (upper case) -> the `Settings` field it sets."""
    prefix = Settings.model_config.get("env_prefix", "")
    names: dict[str, str] = {}
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names[(alias if isinstance(alias, str) else f"{prefix}{name}").upper()] = name
    return names


@contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    """Exactly `env` as the process's V7_* variables (the test runner's own removed)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.upper().startswith("V7_")]:
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        yield


def task_settings(built: Built) -> Settings:
    """The settings the task's server builds, read as `v7 serve` reads them (`Settings()`)."""
    with _environment(task_environment(built)):
        try:
            return Settings()
        except ValidationError as error:
            pytest.fail(
                "the task's V7_* environment does not validate as the server's Settings; fix "
                "the value in pulumi/v7infra/compute.py, or the setting in server/settings.py if "
                f"its rule is what changed:\n{error}"
            )


def _policy(built: Built, name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        built.one("aws:iam/rolePolicy:RolePolicy", name).inputs["policy"]
    )
    return document


def _image_command() -> list[str]:
    """ENTRYPOINT + CMD of the Dockerfile's final stage (exec form)."""
    text = re.sub(r"\\\n", " ", (REPO / "Dockerfile").read_text())
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        keyword, _, args = line.strip().partition(" ")
        if keyword.upper() == "FROM":
            found.clear()
        elif keyword.upper() in ("ENTRYPOINT", "CMD"):
            found[keyword.upper()] = json.loads(args)
    return found.get("ENTRYPOINT", []) + found.get("CMD", [])


# 1. Every variable is a setting with a valid value.


@pytest.mark.parametrize("stack", STACKS)
def test_every_variable_the_task_sets_is_a_setting(stacks: dict[str, Built], stack: str) -> None:
    known = _setting_variables()
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
    with _environment({}):
        problems = Settings().production_problems()
    for variable in ("V7_AUTH", "V7_STORE_URL", "V7_MODEL", "V7_REDIS_URL", "V7_MEDIA_BUCKET"):
        assert any(problem.startswith(variable) for problem in problems), variable


@pytest.mark.parametrize("stack", STACKS)
def test_the_load_balancer_reaches_what_the_image_serves(
    stacks: dict[str, Built], stack: str
) -> None:
    built = stacks[stack]
    settings = task_settings(built)
    command = _image_command()
    assert "v7" in command, f"the image does not run `v7 serve`: {command}"
    args = _parser().parse_args(command[command.index("v7") + 1 :])
    assert args.command == "serve", f"the image runs `v7 {args.command}`, not `v7 serve`"
    port = args.port or settings.port
    host = args.host or settings.host
    assert host == "0.0.0.0", (  # noqa: S104 (inside the container, behind the ALB's group)
        f"the image's server listens on {host}, unreachable from the load balancer: fix the "
        "Dockerfile's CMD"
    )
    (mapping,) = _container(built)["portMappings"]
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


def _keys(schema: list[dict[str, str]]) -> dict[str, str]:
    return {key["KeyType"]: key["AttributeName"] for key in schema}


def init_table_layout() -> dict[str, Any]:
    """The table `v7 store init` creates, in one neutral shape."""
    request = create_table_request("t")
    return {
        "billing": request["BillingMode"],
        "keys": _keys(request["KeySchema"]),
        "attributes": {
            a["AttributeName"]: a["AttributeType"] for a in request["AttributeDefinitions"]
        },
        "indexes": {
            index["IndexName"]: {
                "keys": _keys(index["KeySchema"]),
                "projection": index["Projection"]["ProjectionType"],
                "non_key": sorted(index["Projection"].get("NonKeyAttributes", [])),
            }
            for index in request.get("GlobalSecondaryIndexes", [])
        },
        "local_indexes": sorted(i["IndexName"] for i in request.get("LocalSecondaryIndexes", [])),
        "ttl": TTL_ATTRIBUTE,
        "point_in_time_recovery": POINT_IN_TIME_RECOVERY,
    }


def _pulumi_keys(spec: Mapping[str, Any]) -> dict[str, str]:
    if "keySchemas" in spec:
        return {key["keyType"]: key["attributeName"] for key in spec["keySchemas"]}
    keys = {"HASH": spec["hashKey"]}
    if spec.get("rangeKey"):
        keys["RANGE"] = spec["rangeKey"]
    return keys


def pulumi_table_layout(table: Mapping[str, Any]) -> dict[str, Any]:
    """The Pulumi table's inputs (camelCase) in the same shape."""
    ttl = table.get("ttl") or {}
    return {
        "billing": table.get("billingMode", "PROVISIONED"),
        "keys": _pulumi_keys(table),
        "attributes": {a["name"]: a["type"] for a in table.get("attributes", [])},
        "indexes": {
            index["name"]: {
                "keys": _pulumi_keys(index),
                "projection": index["projectionType"],
                "non_key": sorted(index.get("nonKeyAttributes", [])),
            }
            for index in table.get("globalSecondaryIndexes", [])
        },
        "local_indexes": sorted(i["name"] for i in table.get("localSecondaryIndexes", [])),
        "ttl": ttl.get("attributeName") if ttl.get("enabled") else None,
        "point_in_time_recovery": bool((table.get("pointInTimeRecovery") or {}).get("enabled")),
    }


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
    problems = role_mismatches(needed, _policy(stacks[stack], "task"))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("stack", STACKS)
def test_the_task_role_is_scoped_to_the_stacks_resources(
    stacks: dict[str, Built], stack: str, needed: dict[str, dict[str, list[str]]]
) -> None:
    built = stacks[stack]
    cfg = StackConfig.model_validate(_stack_values(stack))
    table_arn = arn_of(built.one("aws:dynamodb/table:Table", "table"))
    index_arns = {f"{table_arn}/index/{index.name}" for index in INDEXES}
    bucket_arn = arn_of(built.one("aws:s3/bucket:Bucket", "media"))
    allowed = {
        "bedrock": set(bedrock_arns(cfg, ACCOUNT_ID)),
        "dynamodb": {table_arn} | index_arns,
        "cognito-idp": {arn_of(built.one("aws:cognito/userPool:UserPool", "users"))},
        "s3": {bucket_arn, f"{bucket_arn}/*"},
        "kms": {arn_of(built.one("aws:kms/key:Key", "data-key"))},
    }
    for statement in _policy(built, "task")["Statement"]:
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
    model_id = settings.model.removeprefix("bedrock://").split("?")[0]
    assert any(arn.endswith(f"/{model_id}") for arn in allowed["bedrock"]), (
        f"V7_MODEL streams from {model_id}, which the role's Bedrock ARNs do not name"
    )


def _stack_values(stack: str) -> dict[str, object]:
    """The stack's config as StackConfig reads it (lists and numbers JSON-decoded)."""
    values: dict[str, object] = {"imageTag": "3f2a9c1"}
    for key, raw in stack_config(stack).items():
        name = key.split(":", 1)[1]
        try:
            values[name] = json.loads(raw)
        except ValueError:
            values[name] = raw
    return values


SYNTHETIC = """
from __future__ import annotations
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from types_aiobotocore_cognito_idp import CognitoIdentityProviderClient

class Erasure:
    def __init__(self, client: CognitoIdentityProviderClient) -> None:
        self._client = client

    async def erase(self, pool: str, user: str) -> None:
        client = self._client
        await client.admin_delete_user(UserPoolId=pool, Username=user)
        await self._client.sign_up(ClientId="c", Username=user, Password="p")
"""


def test_the_scan_finds_a_new_call_through_an_alias() -> None:
    calls = calls_in_source(SYNTHETIC, "server/erasure_cognito.py")
    assert [(c.service, c.operation) for c in calls] == [
        ("cognito-idp", "AdminDeleteUser"),
        ("cognito-idp", "SignUp"),
    ]
    needed = inventory(calls)
    assert needed == {
        "cognito-idp": {
            "cognito-idp:AdminDeleteUser": ["server/erasure_cognito.py:13 Erasure.erase"]
        }
    }, "SignUp is public (authtype none) and needs no grant"


def test_the_scan_reads_clients_by_name_and_presigned_urls() -> None:
    source = (
        "import aioboto3\n"
        "async def f(session, other):\n"
        "    async with session.client('s3') as s3, session.client('sesv2') as ses:\n"
        "        s3.generate_presigned_url('put_object', Params={})\n"
        "        await ses.send_email(Content={})\n"
        "        await other.query()\n"
    )
    needed = inventory(calls_in_source(source, "x.py"))
    assert {prefix: sorted(actions) for prefix, actions in needed.items()} == {
        "s3": ["s3:PutObject"],
        "ses": ["ses:SendEmail"],
    }
    # A module that holds no AWS client: a method called `query` is not DynamoDB's.
    assert calls_in_source("async def f(table):\n    await table.query()\n", "y.py") == []


def test_a_new_call_without_a_grant_fails_the_contract(prod: Built) -> None:
    """The mutation the contract exists for: the code starts calling an operation the role
    does not allow, and the comparison says to add it."""
    added = "from types_aiobotocore_dynamodb import DynamoDBClient\n" + (
        "async def f(client: DynamoDBClient) -> None:\n    await client.batch_write_item()\n"
    )
    calls = app_calls() + calls_in_source(added, "store/new.py")
    problems = role_mismatches(inventory(calls), _policy(prod, "task"))
    assert len(problems) == 1
    assert "dynamodb:BatchWriteItem (store/new.py:3 f)" in problems[0]
    assert "add it to pulumi/v7infra/iam.py" in problems[0]


def test_actions_granted_ahead_of_code_are_only_cognito_admin_calls() -> None:
    """The tolerance for parallel work stays narrow: admin calls on the pool, each with a
    reason."""
    assert all(a.startswith("cognito-idp:Admin") for a in GRANTED_AHEAD_OF_CODE)
    assert all(GRANTED_AHEAD_OF_CODE.values())


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
    stop = _container(built).get("stopTimeout")
    assert stop is not None, "without stopTimeout ECS kills after 30 s, whatever the drain"
    assert stop >= drain + float(server.timeout_graceful_shutdown or 0), (
        f"ECS kills the task {stop} s after SIGTERM, before the drain ({drain:g} s) and "
        f"uvicorn's shutdown ({server.timeout_graceful_shutdown} s) end: raise stopTimeout"
    )
