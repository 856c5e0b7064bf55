"""Durable data: the KMS key, the single DynamoDB table and the S3 media bucket.

The table mirrors `store/`'s single-table layout (pk/sk plus gsi1 and gsi2, all projecting ALL)
and the `ttl` attribute the store writes on expiring items.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi_aws as aws

import pulumi
from v7infra.config import StackConfig

GSI_NAMES = ("gsi1", "gsi2")


@dataclass(frozen=True)
class Data:
    key: aws.kms.Key
    table: aws.dynamodb.Table
    bucket: aws.s3.Bucket


def _tls_only_policy(bucket_arn: str) -> str:
    """Deny every request to the bucket or its objects that does not arrive over TLS."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": {"AWS": "*"},
                    "Action": "s3:*",
                    "Resource": [bucket_arn, f"{bucket_arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def build_table(cfg: StackConfig, key: aws.kms.Key) -> aws.dynamodb.Table:
    """On-demand, PITR, customer-managed KMS, TTL on `ttl`, deletion protection by config."""
    attributes: list[aws.dynamodb.TableAttributeArgsDict] = [
        {"name": name, "type": "S"} for name in ("pk", "sk")
    ]
    indexes: list[aws.dynamodb.TableGlobalSecondaryIndexArgsDict] = []
    for gsi in GSI_NAMES:
        attributes += [{"name": f"{gsi}pk", "type": "S"}, {"name": f"{gsi}sk", "type": "S"}]
        indexes.append(
            {
                "name": gsi,
                "key_schemas": [
                    {"attribute_name": f"{gsi}pk", "key_type": "HASH"},
                    {"attribute_name": f"{gsi}sk", "key_type": "RANGE"},
                ],
                "projection_type": "ALL",
            }
        )
    return aws.dynamodb.Table(
        "table",
        name=f"{cfg.name_prefix}-table",
        billing_mode="PAY_PER_REQUEST",
        hash_key="pk",
        range_key="sk",
        attributes=attributes,
        global_secondary_indexes=indexes,
        point_in_time_recovery={"enabled": True},
        server_side_encryption={"enabled": True, "kms_key_arn": key.arn},
        ttl={"attribute_name": "ttl", "enabled": True},
        deletion_protection_enabled=cfg.deletion_protection,
    )


def build_bucket(cfg: StackConfig, key: aws.kms.Key) -> aws.s3.Bucket:
    """Private, KMS-encrypted, TLS-only media bucket; uploads arrive by pre-signed PUT/POST."""
    bucket = aws.s3.Bucket("media", bucket_prefix=f"{cfg.name_prefix}-media-")
    aws.s3.BucketOwnershipControls(
        "media", bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"}
    )
    block = aws.s3.BucketPublicAccessBlock(
        "media",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        "media",
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {
                    "sse_algorithm": "aws:kms",
                    "kms_master_key_id": key.arn,
                },
                "bucket_key_enabled": True,
            }
        ],
    )
    # The public access block must exist first, so the policy can never be applied to a bucket
    # that would briefly accept a public statement.
    aws.s3.BucketPolicy(
        "media",
        bucket=bucket.id,
        policy=bucket.arn.apply(_tls_only_policy),
        opts=pulumi.ResourceOptions(depends_on=[block]),
    )
    aws.s3.BucketLifecycleConfiguration(
        "media",
        bucket=bucket.id,
        rules=[
            {
                "id": "infrequent-access",
                "status": "Enabled",
                "filter": {},
                "transitions": [
                    {
                        "days": cfg.media_infrequent_access_days,
                        "storage_class": "STANDARD_IA",
                    }
                ],
                "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
            }
        ],
    )
    aws.s3.BucketCorsConfiguration(
        "media",
        bucket=bucket.id,
        cors_rules=[
            {
                "allowed_methods": ["PUT", "POST", "GET"],
                "allowed_origins": list(cfg.origins),
                "allowed_headers": ["content-type", "content-md5", "x-amz-*"],
                "expose_headers": ["ETag"],
                "max_age_seconds": 3000,
            }
        ],
    )
    return bucket


def build_data(cfg: StackConfig) -> Data:
    key = aws.kms.Key(
        "data-key",
        description=f"{cfg.name_prefix} table and media",
        enable_key_rotation=True,
        deletion_window_in_days=30,
    )
    aws.kms.Alias("data-key", name=f"alias/{cfg.name_prefix}-data", target_key_id=key.key_id)
    return Data(key=key, table=build_table(cfg, key), bucket=build_bucket(cfg, key))
