"""The two IAM-signed Cognito calls of an erasure, on the user pool (`server.erasures`).

`CognitoAdmin(client, pool_id)` takes the lifespan's `cognito-idp` client (the CLI makes its
own); it never creates one. The task role allows `cognito-idp:AdminUserGlobalSignOut` and
`cognito-idp:AdminDeleteUser` on the pool only (`pulumi/v7infra/iam.py`).

Both calls are idempotent: a user Cognito does not know (`UserNotFoundException`) counts as
done, so an erasure run again after a crash finishes. Any other refusal, an unreachable
endpoint, or no answer within `CALL_TIMEOUT_S` raises `CognitoUnavailable`, naming only the
operation and Cognito's error code (never the username, which is an email in some pools).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from types_aiobotocore_cognito_idp import CognitoIdentityProviderClient

log = logging.getLogger(__name__)

CALL_TIMEOUT_S = 10.0
"""How long one admin call (botocore's retries included) may take before the step counts as
failed; the erasure's tombstone makes a later run finish it."""


class CognitoUnavailable(Exception):
    """An admin call did not complete: Cognito refused it (other than "no such user"), could
    not be reached, or did not answer in time."""


class CognitoAdmin:
    def __init__(self, client: CognitoIdentityProviderClient, pool_id: str) -> None:
        self._client = client
        self._pool_id = pool_id

    async def sign_out_everywhere(self, username: str) -> None:
        """AdminUserGlobalSignOut: revoke every refresh token of the user (access tokens
        already issued are refused by the server, whose account read finds them erased)."""
        await self._call(
            "AdminUserGlobalSignOut",
            self._client.admin_user_global_sign_out(UserPoolId=self._pool_id, Username=username),
        )

    async def delete_user(self, username: str) -> None:
        """AdminDeleteUser: the user, their password and attributes leave the pool; signing
        in again is an unknown user (`invalid_credentials`)."""
        await self._call(
            "AdminDeleteUser",
            self._client.admin_delete_user(UserPoolId=self._pool_id, Username=username),
        )

    async def _call(self, operation: str, call: Awaitable[Any]) -> None:
        try:
            async with asyncio.timeout(CALL_TIMEOUT_S):
                await call
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code == "UserNotFoundException":
                return  # gone already: done
            log.warning("cognito refused %s: %s", operation, code)
            raise CognitoUnavailable(f"{operation}: {code}") from None
        except (BotoCoreError, TimeoutError) as exc:
            log.warning("cognito unreachable for %s: %s", operation, type(exc).__name__)
            raise CognitoUnavailable(f"{operation}: {type(exc).__name__}") from None
