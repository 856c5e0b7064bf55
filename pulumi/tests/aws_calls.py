"""The AWS calls the app makes, read from its source: the inventory the task role must equal.

The rule, and its limits:

- The app is the import-linter root packages of pyproject.toml (server, handlers, …, core).
- A module is a *client module of service S* when it imports S's type stubs
  (`types_aiobotocore_<s>` or `mypy_boto3_<s>`, also under `TYPE_CHECKING`) or opens a client
  with the literal `.client("<s>", …)`. mypy --strict makes every module that holds a client
  annotate it, so it imports the stubs: that is what makes the rule find a new module.
- In a client module of S, every call `anything.op(…)` whose attribute name is the snake_case
  name of one of S's botocore operations is a call of that operation, whatever the receiver is
  called (`self._client`, an alias, a parameter). So are `get_paginator("op")`,
  `generate_presigned_url("op" / ClientMethod="op")` and `generate_presigned_post` (s3
  PutObject): the signer's permission is what AWS checks when the URL is used.
- Missed: a call through `getattr` or a string built at run time, and a client held by a module
  that neither imports the stubs nor names the service (typed `Any`). Over-counted: a method of
  another object, in a client module, that happens to share an operation's name; the contract
  test then names the call, so it is fixed where it is seen.

Operations that need no IAM permission (botocore marks them `authtype: none` /
`smithy.api#noAuth`: Cognito's public SignUp, InitiateAuth, RevokeToken, …) are not in the
inventory; neither are calls in `OPERATOR_ONLY` code. `IAM_ACTIONS` maps the few operations
whose IAM action is not `<signing name>:<Operation>`.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import botocore.model
import botocore.session
from botocore import xform_name

REPO = Path(__file__).resolve().parents[2]
STUB_PREFIXES = ("types_aiobotocore_", "mypy_boto3_")

# Code the ECS task never runs: operators run it with their own credentials.
OPERATOR_ONLY: Mapping[tuple[str, str], str] = {
    ("store/dynamodb_admin.py", "init_dynamodb"): "`v7 store init`, run by an operator",
    ("store/dynamodb_admin.py", "_wait_active"): "`v7 store init` waits for ACTIVE",
    ("store/dynamodb_admin.py", "_point_in_time_recovery"): "`v7 store init` reports PITR",
    ("store/backfill.py", "_dynamodb_profiles"): "`v7 store init` backfills the account index",
}

# Granted for AWS services acting on the app's behalf, not for calls the code makes: the data
# key encrypts the table, so DynamoDB uses it for the app (only via DynamoDB: kms:ViaService).
IMPLIED_PREFIXES: Mapping[str, str] = {"kms": "the data key, used by the services that hold data"}
KEY_USERS = ("dynamodb", "s3")  # services whose data the data key encrypts (v7infra/data.py)

# Operations whose IAM action differs from the operation's name (AWS Service Authorization
# Reference). A transaction is authorised per item as the single-item actions it may carry.
IAM_ACTIONS: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("bedrock-runtime", "Converse"): ("bedrock:InvokeModel",),
    ("bedrock-runtime", "ConverseStream"): ("bedrock:InvokeModelWithResponseStream",),
    ("dynamodb", "TransactWriteItems"): (
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
    ),
    ("dynamodb", "TransactGetItems"): ("dynamodb:GetItem",),
    ("s3", "HeadObject"): ("s3:GetObject",),
    ("s3", "HeadBucket"): ("s3:ListBucket",),
    ("s3", "ListObjects"): ("s3:ListBucket",),
    ("s3", "ListObjectsV2"): ("s3:ListBucket",),
    ("s3", "CopyObject"): ("s3:GetObject", "s3:PutObject"),
    ("s3", "CreateMultipartUpload"): ("s3:PutObject",),
    ("s3", "UploadPart"): ("s3:PutObject",),
    ("s3", "CompleteMultipartUpload"): ("s3:PutObject",),
    ("s3", "DeleteObjects"): ("s3:DeleteObject",),
}
_PRESIGNERS = ("get_paginator", "generate_presigned_url")


@dataclass(frozen=True, order=True)
class Call:
    """One call site of an AWS operation."""

    service: str  # botocore's service name: "dynamodb", "bedrock-runtime", "cognito-idp", …
    operation: str  # botocore's operation name: "GetItem"
    where: str  # "store/dynamodb.py:74 DynamoTable.get"
    function: str  # the enclosing function's name ("" at module level)


def app_packages() -> tuple[str, ...]:
    """The app's packages, as pyproject.toml's import contract names them."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    packages: list[str] = project["tool"]["importlinter"]["root_packages"]
    return tuple(packages)


@cache
def _model(service: str) -> botocore.model.ServiceModel:
    return botocore.session.get_session().get_service_model(service)


@cache
def _available_services() -> frozenset[str]:
    return frozenset(botocore.session.get_session().get_available_services())


@cache
def operations(service: str) -> Mapping[str, str]:
    """snake_case method name -> operation name, from botocore's model of `service`."""
    return {xform_name(name): name for name in _model(service).operation_names}


@cache
def signing_name(service: str) -> str:
    """The IAM prefix of `service`'s actions (bedrock-runtime signs as bedrock, sesv2 as ses)."""
    return str(_model(service).signing_name)


def needs_iam(service: str, operation: str) -> bool:
    """False for operations AWS serves without SigV4 (botocore's `authtype: none`)."""
    model = _model(service).operation_model(operation)
    auth = getattr(model, "auth", None) or ()
    return model.auth_type != "none" and "smithy.api#noAuth" not in auth


def iam_actions(call: Call) -> tuple[str, ...]:
    return IAM_ACTIONS.get(
        (call.service, call.operation), (f"{signing_name(call.service)}:{call.operation}",)
    )


def _stub_service(module: str) -> str | None:
    for prefix in STUB_PREFIXES:
        if module.startswith(prefix):
            name = module.removeprefix(prefix).split(".")[0].replace("_", "-")
            return name if name in _available_services() else None
    return None


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _services(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "client"
        ):
            arg = node.args[0] if node.args else None
            keyword = next((k.value for k in node.keywords if k.arg == "service_name"), None)
            literal = _literal(arg) or _literal(keyword)
            if literal is not None and literal in _available_services():
                found.add(literal)
            continue
        else:
            continue
        found |= {s for s in map(_stub_service, names) if s is not None}
    return found


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: str, services: set[str]) -> None:
        self.path = path
        self.services = sorted(services)
        self.scope: list[str] = []
        self.calls: list[Call] = []

    def _scoped(self, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_ClassDef = _scoped
    visit_FunctionDef = _scoped
    visit_AsyncFunctionDef = _scoped

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute):
            for service in self.services:
                for operation in self._operations(service, node.func.attr, node):
                    function = self.scope[-1] if self.scope else ""
                    where = f"{self.path}:{node.lineno} {'.'.join(self.scope)}".rstrip()
                    self.calls.append(Call(service, operation, where, function))
        self.generic_visit(node)

    @staticmethod
    def _operations(service: str, name: str, node: ast.Call) -> list[str]:
        known = operations(service)
        if name in known:
            return [known[name]]
        if name in _PRESIGNERS:
            keyword = next((k.value for k in node.keywords if k.arg == "ClientMethod"), None)
            method = _literal(node.args[0] if node.args else None) or _literal(keyword)
            return [known[method]] if method is not None and method in known else []
        if name == "generate_presigned_post" and service == "s3":
            return ["PutObject"]
        return []


def calls_in_source(source: str, path: str) -> list[Call]:
    """Every AWS call site in one module's `source` (the rule in the module doc)."""
    tree = ast.parse(source, filename=path)
    services = _services(tree)
    if not services:
        return []
    scanner = _Scanner(path, services)
    scanner.visit(tree)
    return scanner.calls


def app_calls(packages: Iterable[str] | None = None) -> list[Call]:
    """Every AWS call site in the app's packages, sorted."""
    calls: list[Call] = []
    for package in packages or app_packages():
        for file in sorted((REPO / package).rglob("*.py")):
            path = file.relative_to(REPO).as_posix()
            calls += calls_in_source(file.read_text(), path)
    return sorted(calls)


def task_calls(calls: Iterable[Call]) -> list[Call]:
    """The calls the running task makes that need an IAM permission."""
    return [
        call
        for call in calls
        if needs_iam(call.service, call.operation)
        and (call.where.split(":")[0], call.function) not in OPERATOR_ONLY
    ]


def inventory(calls: Iterable[Call]) -> dict[str, dict[str, list[str]]]:
    """IAM prefix -> action -> the call sites that need it."""
    actions: dict[str, dict[str, list[str]]] = {}
    for call in task_calls(calls):
        for action in iam_actions(call):
            prefix = action.split(":")[0]
            actions.setdefault(prefix, {}).setdefault(action, []).append(call.where)
    return actions


def _as_list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def granted(policy: Mapping[str, object]) -> dict[str, set[str]]:
    """IAM prefix -> the actions a policy document allows (implied prefixes left out)."""
    actions: dict[str, set[str]] = {}
    statements = policy["Statement"]
    assert isinstance(statements, list)
    for statement in statements:
        if statement["Effect"] != "Allow":
            continue
        for action in _as_list(statement["Action"]):
            prefix = action.split(":")[0]
            if prefix not in IMPLIED_PREFIXES:
                actions.setdefault(prefix, set()).add(action)
    return actions


def role_mismatches(
    needed: Mapping[str, Mapping[str, list[str]]], policy: Mapping[str, object]
) -> list[str]:
    """What keeps `policy` from allowing exactly the `needed` actions (`inventory`), each
    saying which side to change; empty when they agree."""
    allowed = granted(policy)
    problems: list[str] = []
    for prefix in sorted(set(needed) | set(allowed)):
        calls = needed.get(prefix, {})
        for action in sorted(set(calls) - allowed.get(prefix, set())):
            problems.append(
                f"the code calls {action} ({'; '.join(calls[action])}) but the task role does "
                "not allow it: add it to pulumi/v7infra/iam.py (the deployed app would get "
                "AccessDenied)"
            )
        for action in sorted(allowed.get(prefix, set()) - set(calls)):
            problems.append(
                f"the task role allows {action} but no code calls it: remove it from "
                "pulumi/v7infra/iam.py (least privilege), or fix the scan in "
                "pulumi/tests/aws_calls.py if the call is there"
            )
    return problems
