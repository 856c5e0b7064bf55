"""The AWS-call scan (aws_calls) finds new calls, however the client is reached, and a new call
without a grant fails the contract."""

from __future__ import annotations

from aws_calls import (
    app_calls,
    awaited,
    calls_in_source,
    inventory,
    role_mismatches,
)
from contract_sides import policy
from infra_harness import Built

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
    problems = role_mismatches(inventory(calls), policy(prod, "task"))
    problems = [problem for problem in problems if not awaited(problem)]
    assert len(problems) == 1
    assert "dynamodb:BatchWriteItem (store/new.py:3 f)" in problems[0]
    assert "add it to pulumi/v7infra/iam.py" in problems[0]
