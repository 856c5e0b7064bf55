"""IAM: the task role (what the app may do) and the execution role (what ECS does to start it).

The task role names every action and every resource: Bedrock streaming on the configured model
and inference-profile ARNs only, DynamoDB item actions on the table and its two indexes only,
the Cognito admin calls on the pool only, the media calls on the media bucket and its objects
only, and the data key only via DynamoDB and S3. The actions are exactly the AWS calls the
app's code makes (pulumi/tests/test_contract.py reads them from the code). The policy
documents are pure functions of ARNs so the tests can check them whole.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi_aws as aws

import pulumi
from v7infra.config import StackConfig, profile_geo
from v7infra.data import GSI_NAMES

# ConverseStream is authorised as InvokeModelWithResponseStream.
BEDROCK_ACTIONS = ("bedrock:InvokeModelWithResponseStream",)
TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
)
INDEX_ACTIONS = ("dynamodb:Query",)
# Password sign-in and its MFA challenge are IAM-signed admin calls (the app client allows no
# public password flow); erasure signs the user out everywhere and deletes them.
COGNITO_ACTIONS = (
    "cognito-idp:AdminInitiateAuth",
    "cognito-idp:AdminRespondToAuthChallenge",
    "cognito-idp:AdminUserGlobalSignOut",
    "cognito-idp:AdminDeleteUser",
)
# The scheduled jobs' email (weekly reports, reminders) through SES v2, from the stack's identity.
MAIL_ACTIONS = ("ses:SendEmail",)
# server/media/s3.py: presigned POST (PutObject) and GET, HeadObject (GetObject), a ranged
# GetObject to sniff, DeleteObject(s); erasure lists the user's prefix (ListBucket, on the bucket).
MEDIA_OBJECT_ACTIONS = ("s3:PutObject", "s3:GetObject", "s3:DeleteObject")
MEDIA_BUCKET_ACTIONS = ("s3:ListBucket",)
KEY_ACTIONS = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey")
# Services that use the data key for the app: the table's and the media bucket's encryption.
KEY_VIA = ("dynamodb", "s3")
IMAGE_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
)


@dataclass(frozen=True)
class Roles:
    task: aws.iam.Role
    execution: aws.iam.Role


def bedrock_arns(cfg: StackConfig, account_id: str) -> list[str]:
    """Every ARN the configured model ids (`StackConfig.model_ids`: V7_MODEL, V7_STRONG_MODEL,
    V7_QUICK_MODEL) need to be invoked, each once, and nothing broader."""
    arns: list[str] = []
    for model_id in cfg.model_ids:
        geo = profile_geo(model_id)
        if geo is None:
            arns.append(f"arn:aws:bedrock:{cfg.region}::foundation-model/{model_id}")
            continue
        base = model_id.removeprefix(f"{geo}.")
        arns.append(f"arn:aws:bedrock:{cfg.region}:{account_id}:inference-profile/{model_id}")
        arns += [
            f"arn:aws:bedrock:{region}::foundation-model/{base}"
            for region in (cfg.model_regions or (cfg.region,))
        ]
    return list(dict.fromkeys([*arns, *cfg.model_arns]))


def _statement(sid: str, actions: Sequence[str], resources: Sequence[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": list(resources)}


def task_policy(
    *,
    region: str,
    model_arns: Sequence[str],
    table_arn: str,
    key_arn: str,
    user_pool_arn: str,
    mail_identity_arn: str,
    bucket_arn: str,
) -> dict[str, Any]:
    """The app's whole permission set; contains no wildcard action and no `*` resource."""
    key_use = _statement("DataKeyViaServices", KEY_ACTIONS, [key_arn])
    key_use["Condition"] = {
        "StringEquals": {
            "kms:ViaService": [f"{service}.{region}.amazonaws.com" for service in KEY_VIA]
        }
    }
    return {
        "Version": "2012-10-17",
        "Statement": [
            _statement("InvokeConfiguredModels", BEDROCK_ACTIONS, model_arns),
            _statement("Table", TABLE_ACTIONS, [table_arn]),
            _statement(
                "TableIndexes",
                INDEX_ACTIONS,
                [f"{table_arn}/index/{gsi}" for gsi in GSI_NAMES],
            ),
            _statement("UserPoolAdmin", COGNITO_ACTIONS, [user_pool_arn]),
            _statement("SendMail", MAIL_ACTIONS, [mail_identity_arn]),
            _statement("MediaObjects", MEDIA_OBJECT_ACTIONS, [f"{bucket_arn}/*"]),
            _statement("MediaBucket", MEDIA_BUCKET_ACTIONS, [bucket_arn]),
            key_use,
        ],
    }


def execution_policy(
    *, repository_arn: str, log_group_arn: str, secret_arn: str, key_arn: str
) -> dict[str, Any]:
    """Pull the image, write logs, read the one secret the container gets.

    `ecr:GetAuthorizationToken` is the single statement on `*`: the action has no resource-level
    permissions (it returns a registry-wide token), so AWS accepts no narrower resource.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            _statement("RegistryToken", ("ecr:GetAuthorizationToken",), ["*"]),
            _statement("PullImage", IMAGE_ACTIONS, [repository_arn]),
            _statement(
                "WriteLogs",
                ("logs:CreateLogStream", "logs:PutLogEvents"),
                [f"{log_group_arn}:log-stream:*"],
            ),
            _statement("ReadSecrets", ("secretsmanager:GetSecretValue",), [secret_arn]),
            _statement("DecryptSecrets", ("kms:Decrypt",), [key_arn]),
        ],
    }


def assumed_by(service: str, account_id: str) -> str:
    """A trust policy letting AWS `service` (e.g. "ecs-tasks.amazonaws.com") assume the role on
    behalf of this account only (the confused-deputy guard)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                }
            ],
        }
    )


def build_roles(
    cfg: StackConfig,
    *,
    table_arn: pulumi.Output[str],
    key_arn: pulumi.Output[str],
    repository_arn: pulumi.Output[str],
    log_group_arn: pulumi.Output[str],
    secret_arn: pulumi.Output[str],
    user_pool_arn: pulumi.Output[str],
    mail_identity_arn: pulumi.Output[str],
    bucket_arn: pulumi.Output[str],
) -> Roles:
    account_id = aws.get_caller_identity().account_id
    assume = assumed_by("ecs-tasks.amazonaws.com", account_id)
    task = aws.iam.Role("task", assume_role_policy=assume, description="V7 Coach app")
    aws.iam.RolePolicy(
        "task",
        role=task.id,
        policy=pulumi.Output.all(
            table_arn, key_arn, user_pool_arn, mail_identity_arn, bucket_arn
        ).apply(
            lambda arns: json.dumps(
                task_policy(
                    region=cfg.region,
                    model_arns=bedrock_arns(cfg, account_id),
                    table_arn=arns[0],
                    key_arn=arns[1],
                    user_pool_arn=arns[2],
                    mail_identity_arn=arns[3],
                    bucket_arn=arns[4],
                )
            )
        ),
    )
    execution = aws.iam.Role("execution", assume_role_policy=assume, description="ECS agent")
    aws.iam.RolePolicy(
        "execution",
        role=execution.id,
        policy=pulumi.Output.all(repository_arn, log_group_arn, secret_arn, key_arn).apply(
            lambda arns: json.dumps(
                execution_policy(
                    repository_arn=arns[0],
                    log_group_arn=arns[1],
                    secret_arn=arns[2],
                    key_arn=arns[3],
                )
            )
        ),
    )
    return Roles(task=task, execution=execution)
