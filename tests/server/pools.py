"""User pools in moto's server for the Cognito-mode tests: one way to make a pool and its app
client, so each test module states only what its pool needs beyond the server's own flows."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import aioboto3

from server.auth.cognito import AUTH_FLOWS

REGION = "us-east-1"


def new_pool(
    moto_endpoint: str,
    name: str,
    *,
    email_usernames: bool = True,
    **client: Any,
) -> dict[str, str]:
    """A fresh pool (`AutoVerifiedAttributes` email; usernames are emails unless
    `email_usernames` is False) with a public app client allowing the server's `AUTH_FLOWS`
    plus whatever `client` adds; its `pool_id` and `client_id`."""

    async def create() -> dict[str, str]:
        async with aioboto3.Session().client(
            "cognito-idp", region_name=REGION, endpoint_url=moto_endpoint
        ) as cognito:
            created = await cognito.create_user_pool(
                PoolName=f"v7-{name}-{uuid.uuid4().hex[:6]}",
                AutoVerifiedAttributes=["email"],
                UsernameAttributes=["email"] if email_usernames else [],
            )
            pool_id = created["UserPool"]["Id"]
            made = await cognito.create_user_pool_client(
                UserPoolId=pool_id, ClientName="web", ExplicitAuthFlows=list(AUTH_FLOWS), **client
            )
            return {"pool_id": pool_id, "client_id": made["UserPoolClient"]["ClientId"]}

    return asyncio.run(create())
