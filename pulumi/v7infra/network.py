"""The network: a VPC (new, or an existing one by config) and the three security groups.

Traffic may flow only internet → ALB → tasks → Redis: the tasks' group admits the app port from
the ALB's group alone, and Redis's group admits 6379 from the tasks' group alone.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi_aws as aws

import pulumi
from v7infra.config import StackConfig

APP_PORT = 8000
REDIS_PORT = 6379


@dataclass(frozen=True)
class Network:
    vpc_id: pulumi.Input[str]
    cidr: str
    public_subnet_ids: list[pulumi.Input[str]]
    private_subnet_ids: list[pulumi.Input[str]]


@dataclass(frozen=True)
class SecurityGroups:
    alb: aws.ec2.SecurityGroup
    tasks: aws.ec2.SecurityGroup
    redis: aws.ec2.SecurityGroup


def _subnet_cidrs(vpc_cidr: str, count: int) -> tuple[list[str], list[str]]:
    """Public subnets get /24s at the bottom of the VPC, private ones /20s above them."""
    vpc = ipaddress.ip_network(vpc_cidr)
    public = [str(net) for net in list(vpc.subnets(new_prefix=24))[:count]]
    private = [str(net) for net in list(vpc.subnets(new_prefix=20))[1 : count + 1]]
    return public, private


def build_network(cfg: StackConfig) -> Network:
    """Use the configured VPC, or create one with public+private subnets and NAT gateways."""
    if cfg.existing_vpc_id is not None and cfg.existing_vpc_cidr is not None:
        return Network(
            vpc_id=cfg.existing_vpc_id,
            cidr=cfg.existing_vpc_cidr,
            public_subnet_ids=list(cfg.existing_public_subnet_ids),
            private_subnet_ids=list(cfg.existing_private_subnet_ids),
        )
    zones = aws.get_availability_zones(state="available").names[: cfg.az_count]
    vpc = aws.ec2.Vpc(
        "vpc",
        cidr_block=cfg.vpc_cidr,
        enable_dns_hostnames=True,
        enable_dns_support=True,
        tags={"Name": f"{cfg.name_prefix}-vpc"},
    )
    gateway = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
    public_routes = aws.ec2.RouteTable(
        "public-rt",
        vpc_id=vpc.id,
        routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}],
    )
    public_cidrs, private_cidrs = _subnet_cidrs(cfg.vpc_cidr, cfg.az_count)
    public: list[aws.ec2.Subnet] = []
    private: list[aws.ec2.Subnet] = []
    nats: list[aws.ec2.NatGateway] = []
    for index, zone in enumerate(zones):
        subnet = aws.ec2.Subnet(
            f"public-{index}",
            vpc_id=vpc.id,
            cidr_block=public_cidrs[index],
            availability_zone=zone,
            map_public_ip_on_launch=False,
            tags={"Name": f"{cfg.name_prefix}-public-{index}", "tier": "public"},
        )
        aws.ec2.RouteTableAssociation(
            f"public-{index}", subnet_id=subnet.id, route_table_id=public_routes.id
        )
        public.append(subnet)
        if index < cfg.nat_gateways:
            eip = aws.ec2.Eip(f"nat-{index}", domain="vpc")
            nats.append(
                aws.ec2.NatGateway(f"nat-{index}", subnet_id=subnet.id, allocation_id=eip.id)
            )
    route_tables = []
    for index, zone in enumerate(zones):
        # With fewer NAT gateways than zones, zones share one (cheaper, less zone-independent).
        nat = nats[index % len(nats)]
        routes = aws.ec2.RouteTable(
            f"private-rt-{index}",
            vpc_id=vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}],
        )
        subnet = aws.ec2.Subnet(
            f"private-{index}",
            vpc_id=vpc.id,
            cidr_block=private_cidrs[index],
            availability_zone=zone,
            map_public_ip_on_launch=False,
            tags={"Name": f"{cfg.name_prefix}-private-{index}", "tier": "private"},
        )
        aws.ec2.RouteTableAssociation(
            f"private-{index}", subnet_id=subnet.id, route_table_id=routes.id
        )
        private.append(subnet)
        route_tables.append(routes.id)
    # Gateway endpoints are free and keep DynamoDB, S3 and ECR-layer traffic off the NAT bill.
    for service in ("dynamodb", "s3"):
        aws.ec2.VpcEndpoint(
            f"{service}-endpoint",
            vpc_id=vpc.id,
            service_name=f"com.amazonaws.{cfg.region}.{service}",
            vpc_endpoint_type="Gateway",
            route_table_ids=route_tables,
        )
    return Network(
        vpc_id=vpc.id,
        cidr=cfg.vpc_cidr,
        public_subnet_ids=[subnet.id for subnet in public],
        private_subnet_ids=[subnet.id for subnet in private],
    )


def build_security_groups(cfg: StackConfig, network: Network) -> SecurityGroups:
    """The ALB, tasks and Redis groups, each rule a separate resource so none is implicit."""
    alb = aws.ec2.SecurityGroup(
        "alb-sg", vpc_id=network.vpc_id, description=f"{cfg.name_prefix} load balancer"
    )
    tasks = aws.ec2.SecurityGroup(
        "tasks-sg", vpc_id=network.vpc_id, description=f"{cfg.name_prefix} service tasks"
    )
    redis = aws.ec2.SecurityGroup(
        "redis-sg", vpc_id=network.vpc_id, description=f"{cfg.name_prefix} redis"
    )
    for port in (80, 443):
        aws.vpc.SecurityGroupIngressRule(
            f"alb-in-{port}",
            security_group_id=alb.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            cidr_ipv4="0.0.0.0/0",
        )
    aws.vpc.SecurityGroupEgressRule(
        "alb-out-tasks",
        security_group_id=alb.id,
        ip_protocol="tcp",
        from_port=APP_PORT,
        to_port=APP_PORT,
        referenced_security_group_id=tasks.id,
    )
    aws.vpc.SecurityGroupIngressRule(
        "tasks-in-alb",
        security_group_id=tasks.id,
        ip_protocol="tcp",
        from_port=APP_PORT,
        to_port=APP_PORT,
        referenced_security_group_id=alb.id,
    )
    # Tasks call AWS APIs (Bedrock, Cognito JWKS, ECR, logs) over HTTPS through the NAT.
    aws.vpc.SecurityGroupEgressRule(
        "tasks-out-https",
        security_group_id=tasks.id,
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        cidr_ipv4="0.0.0.0/0",
    )
    aws.vpc.SecurityGroupEgressRule(
        "tasks-out-redis",
        security_group_id=tasks.id,
        ip_protocol="tcp",
        from_port=REDIS_PORT,
        to_port=REDIS_PORT,
        referenced_security_group_id=redis.id,
    )
    aws.vpc.SecurityGroupIngressRule(
        "redis-in-tasks",
        security_group_id=redis.id,
        ip_protocol="tcp",
        from_port=REDIS_PORT,
        to_port=REDIS_PORT,
        referenced_security_group_id=tasks.id,
    )
    return SecurityGroups(alb=alb, tasks=tasks, redis=redis)
