"""The image definition, checked statically (no Docker engine on the test machines)."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass

from infra_harness import PROGRAM_DIR

ROOT = PROGRAM_DIR.parent
# The command the image runs; the graceful-shutdown test starts exactly this (docs/deploy.md).
# Binding all interfaces is right inside a container: only the ALB's security group reaches it.
SERVE_COMMAND = ["v7", "serve", "--host", "0.0.0.0", "--port", "8000"]  # noqa: S104


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def _stages() -> list[list[Instruction]]:
    """Dockerfile instructions grouped by stage, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    stages: list[list[Instruction]] = []
    for line in joined.splitlines():
        if not line.strip():
            continue
        keyword, _, args = line.strip().partition(" ")
        if keyword.upper() == "FROM":
            stages.append([])
        stages[-1].append(Instruction(keyword.upper(), args.strip()))
    return stages


def _final() -> list[Instruction]:
    return _stages()[-1]


def _only(stage: list[Instruction], keyword: str) -> str:
    found = [i.args for i in stage if i.keyword == keyword]
    assert len(found) == 1, f"{keyword}: {found}"
    return found[0]


def test_multi_stage_on_python_311_slim() -> None:
    stages = _stages()
    assert len(stages) >= 2
    assert all(_only(s, "FROM").startswith("python:3.11-slim") for s in stages)
    # The runtime stage takes only the built venv, never the compiler or the source tree.
    copies = [i.args for i in _final() if i.keyword == "COPY"]
    assert copies
    assert all(c.startswith("--from=") for c in copies)


def test_dependencies_come_from_the_constraints_file() -> None:
    runs = " ".join(i.args for i in _stages()[0] if i.keyword == "RUN")
    assert "pip install -c constraints.txt ." in runs


def test_every_package_is_copied_into_the_build() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = {
        i.args.split()[0]
        for i in _stages()[0]
        if i.keyword == "COPY" and not i.args.startswith("--")
    }
    assert wanted <= copied


def test_runs_as_a_non_root_user() -> None:
    user = _only(_final(), "USER").split(":")[0]
    assert user not in {"root", "0"}


def test_healthcheck_probes_healthz_without_curl() -> None:
    check = _only(_final(), "HEALTHCHECK")
    assert "/healthz" in check
    command = json.loads(check[check.index("CMD") + 3 :].strip())
    assert command[0] == "python"


def test_serves_on_8000_and_stops_on_sigterm() -> None:
    final = _final()
    assert json.loads(_only(final, "CMD")) == SERVE_COMMAND
    assert not [i for i in final if i.keyword == "ENTRYPOINT"]
    assert _only(final, "EXPOSE") == "8000"
    assert _only(final, "STOPSIGNAL") == "SIGTERM"
    assert "V7_FORWARDED_ALLOW_IPS=" in " ".join(i.args for i in final if i.keyword == "ENV")


def test_docs_name_the_same_command() -> None:
    assert " ".join(SERVE_COMMAND) in (ROOT / "docs" / "deploy.md").read_text()


def test_dockerignore_keeps_local_state_out() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".venv", "data", ".git", ".pytest_cache", ".mypy_cache", "**/__pycache__"} <= ignored
