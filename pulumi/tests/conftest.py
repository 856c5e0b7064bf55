"""Pulumi program tests: make `v7infra` importable without shadowing the `pulumi` SDK.

The program's folder is also called `pulumi/`; it has no `__init__.py`, so putting it on
`sys.path` exposes only `v7infra` and `import pulumi` still finds the installed SDK.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from infra_harness import Built, build_stack, stack_config

STACKS = ("dev", "staging", "prod")


@pytest.fixture(scope="session")
def stacks() -> dict[str, Built]:
    """Each real stack, declared once per test session."""
    return {name: build_stack(name, stack_config(name)) for name in STACKS}


@pytest.fixture(scope="session")
def prod(stacks: dict[str, Built]) -> Built:
    return stacks["prod"]


def pytest_configure(config: pytest.Config) -> None:
    # pulumi_aws warns about its own deprecated aliases when imported; not ours to fix.
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:pulumi_aws.*")
