"""A moto user pool and app client configured exactly as the Pulumi program declares them.

The real program is rendered once under Pulumi's mocks (`pulumi/tests/infra_harness.py`), and
the `aws:cognito/userPool:UserPool` "users" and `aws:cognito/userPoolClient:UserPoolClient` "web"
inputs are translated, field by field, into `CreateUserPool` / `SetUserPoolMfaConfig` /
`CreateUserPoolClient` calls: nothing is copied. An input the translation does not know stops
the test, so a setting added to the program is either carried to the pool or named here as not
applying to a test pool (`IGNORED_*`).

moto accepts every field below but enforces only some of them (the password policy, username
attributes, MFA; not the client's `ExplicitAuthFlows` nor its token validity): tests assert the
rest against the rendered inputs themselves.
"""

from __future__ import annotations

import base64
import functools
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

if TYPE_CHECKING:
    from types_aiobotocore_cognito_idp import CognitoIdentityProviderClient

WORKTREE: Final = Path(__file__).resolve().parent.parent
STACK: Final = "prod"
POOL: Final = ("aws:cognito/userPool:UserPool", "users")
CLIENT: Final = ("aws:cognito/userPoolClient:UserPoolClient", "web")

# Inputs that name or protect the real resources, or point at a pool moto assigns itself.
IGNORED_POOL: Final = frozenset({"name", "deletionProtection", "tags"})
IGNORED_CLIENT: Final = frozenset({"name", "userPoolId"})


@dataclass(frozen=True)
class Rendered:
    """The pool's and the client's inputs as the program passed them (camelCase)."""

    pool: dict[str, Any]
    client: dict[str, Any]


@dataclass(frozen=True)
class DeployedPool:
    pool_id: str
    client_id: str
    rendered: Rendered


@functools.cache
def rendered() -> Rendered:
    """Render the program's `prod` stack once per test session (a few seconds)."""
    for folder in (WORKTREE / "pulumi", WORKTREE / "pulumi" / "tests"):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    from infra_harness import build_stack, stack_config

    built = build_stack(STACK, stack_config(STACK))
    return Rendered(pool=built.one(*POOL).inputs, client=built.one(*CLIENT).inputs)


def _unknown(inputs: dict[str, Any], known: set[str], ignored: frozenset[str]) -> None:
    unknown = set(inputs) - known - ignored
    if unknown:
        raise AssertionError(f"no translation to the Cognito API for {sorted(unknown)}")


def _int(value: Any) -> int:
    # The engine passes numbers as floats (12.0).
    return int(value)


def pool_request(inputs: dict[str, Any], pool_name: str) -> dict[str, Any]:
    """`CreateUserPool` parameters for the program's pool inputs."""
    request: dict[str, Any] = {"PoolName": pool_name}
    translate: dict[str, Callable[[Any], dict[str, Any]]] = {
        "usernameAttributes": lambda v: {"UsernameAttributes": list(v)},
        "autoVerifiedAttributes": lambda v: {"AutoVerifiedAttributes": list(v)},
        "usernameConfiguration": lambda v: {
            "UsernameConfiguration": {"CaseSensitive": bool(v["caseSensitive"])}
        },
        "passwordPolicy": lambda v: {
            "Policies": {
                "PasswordPolicy": {
                    "MinimumLength": _int(v["minimumLength"]),
                    "RequireLowercase": bool(v["requireLowercase"]),
                    "RequireUppercase": bool(v["requireUppercase"]),
                    "RequireNumbers": bool(v["requireNumbers"]),
                    "RequireSymbols": bool(v["requireSymbols"]),
                    "TemporaryPasswordValidityDays": _int(v["temporaryPasswordValidityDays"]),
                }
            }
        },
        "mfaConfiguration": lambda v: {"MfaConfiguration": str(v)},
        # applied with SetUserPoolMfaConfig (CreateUserPool has no field for it)
        "softwareTokenMfaConfiguration": lambda v: {},
        "accountRecoverySetting": lambda v: {
            "AccountRecoverySetting": {
                "RecoveryMechanisms": [
                    {"Name": m["name"], "Priority": _int(m["priority"])}
                    for m in v["recoveryMechanisms"]
                ]
            }
        },
        "schemas": lambda v: {"Schema": [_attribute(a) for a in v]},
    }
    _unknown(inputs, set(translate), IGNORED_POOL)
    for key, value in inputs.items():
        if key in translate:
            request.update(translate[key](value))
    return request


def _attribute(schema: dict[str, Any]) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "Name": schema["name"],
        "AttributeDataType": schema["attributeDataType"],
        "Mutable": bool(schema["mutable"]),
        "DeveloperOnlyAttribute": bool(schema["developerOnlyAttribute"]),
    }
    constraints = schema.get("stringAttributeConstraints")
    if constraints:
        attribute["StringAttributeConstraints"] = {
            "MinLength": str(constraints["minLength"]),
            "MaxLength": str(constraints["maxLength"]),
        }
    return attribute


def client_request(inputs: dict[str, Any], pool_id: str) -> dict[str, Any]:
    """`CreateUserPoolClient` parameters for the program's client inputs."""
    request: dict[str, Any] = {"UserPoolId": pool_id, "ClientName": "web"}
    units = inputs.get("tokenValidityUnits", {})
    translate: dict[str, Callable[[Any], dict[str, Any]]] = {
        "generateSecret": lambda v: {"GenerateSecret": bool(v)},
        "explicitAuthFlows": lambda v: {"ExplicitAuthFlows": list(v)},
        "preventUserExistenceErrors": lambda v: {"PreventUserExistenceErrors": v},
        "enableTokenRevocation": lambda v: {"EnableTokenRevocation": bool(v)},
        "accessTokenValidity": lambda v: {"AccessTokenValidity": _int(v)},
        "idTokenValidity": lambda v: {"IdTokenValidity": _int(v)},
        "refreshTokenValidity": lambda v: {"RefreshTokenValidity": _int(v)},
        "tokenValidityUnits": lambda v: {
            "TokenValidityUnits": {
                "AccessToken": units["accessToken"],
                "IdToken": units["idToken"],
                "RefreshToken": units["refreshToken"],
            }
        },
        "readAttributes": lambda v: {"ReadAttributes": list(v)},
        "writeAttributes": lambda v: {"WriteAttributes": list(v)},
        "supportedIdentityProviders": lambda v: {"SupportedIdentityProviders": list(v)},
        "allowedOauthFlowsUserPoolClient": lambda v: {"AllowedOAuthFlowsUserPoolClient": bool(v)},
        "allowedOauthFlows": lambda v: {"AllowedOAuthFlows": list(v)},
        "allowedOauthScopes": lambda v: {"AllowedOAuthScopes": list(v)},
        "callbackUrls": lambda v: {"CallbackURLs": list(v)},
        "logoutUrls": lambda v: {"LogoutURLs": list(v)},
    }
    _unknown(inputs, set(translate), IGNORED_CLIENT)
    for key, value in inputs.items():
        if key in translate and value is not None:
            request.update(translate[key](value))
    return request


async def create_deployed_pool(cognito: CognitoIdentityProviderClient) -> DeployedPool:
    """A new pool and app client in moto, configured from the rendered program."""
    program = rendered()
    created = await cognito.create_user_pool(
        **pool_request(program.pool, f"v7-deployed-{uuid.uuid4().hex[:6]}")
    )
    pool_id = created["UserPool"]["Id"]
    software_token = program.pool.get("softwareTokenMfaConfiguration")
    if software_token is not None:
        await cognito.set_user_pool_mfa_config(
            UserPoolId=pool_id,
            SoftwareTokenMfaConfiguration={"Enabled": bool(software_token["enabled"])},
            MfaConfiguration=program.pool["mfaConfiguration"],
        )
    client = await cognito.create_user_pool_client(**client_request(program.client, pool_id))
    return DeployedPool(pool_id, client["UserPoolClient"]["ClientId"], program)


def totp_now(secret: str, *, offset: int = 0) -> str:
    """The code an authenticator app shows now for the base32 `secret` (RFC 6238: SHA-1, 6
    digits, 30 s), plus `offset` to make a wrong one; never within a second of the step's end,
    since moto checks the current step only."""
    if 30 - time.time() % 30 < 1.5:
        time.sleep(30 - time.time() % 30 + 0.1)
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    totp = TOTP(key, 6, SHA1(), 30, enforce_key_length=False)  # noqa: S303 (RFC 6238's HMAC)
    return f"{(int(totp.generate(time.time())) + offset) % 1_000_000:06d}"
