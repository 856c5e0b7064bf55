"""Flatten declared stacks into (resource, property path) → value, and diff two of them."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from infra_harness import Built

Path = tuple[str, str, str]


def _flatten(prefix: str, value: Any, into: dict[str, Any]) -> None:
    if isinstance(value, str) and value[:1] in "[{":
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), item, into)
    elif (
        isinstance(value, list)
        and value
        and all(isinstance(item, dict) and "name" in item for item in value)
    ):
        # Name/value lists (container environment, secrets) compare by name, not position.
        for item in value:
            _flatten(f"{prefix}.{item['name']}", item, into)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _flatten(f"{prefix}[{index}]", item, into)
    else:
        into[prefix] = value


def flatten(built: Built) -> dict[Path, Any]:
    """Every leaf input of every resource; JSON documents are opened up too."""
    leaves: dict[Path, Any] = {}
    for (type_, name), resource in built.resources.items():
        flat: dict[str, Any] = {}
        _flatten("", resource.inputs, flat)
        leaves[(type_, name, "<exists>")] = True
        leaves.update({(type_, name, path): value for path, value in flat.items()})
    return leaves


def diff(a: Built, b: Built) -> set[Path]:
    """The leaves that differ (or exist in one stack only)."""
    left, right = flatten(a), flatten(b)
    return {path for path in left.keys() | right.keys() if left.get(path) != right.get(path)}
