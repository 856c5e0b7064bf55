"""What the benchmarks share: the machine line, percentiles, and `v7 serve` as a real process
with users whose tokens are minted by the server's own key."""

from __future__ import annotations

import json
import os
import platform
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from core.pacing import repeated_words
from llm.scripted import DEFAULT_TEXT
from server.auth.local_issuer import LocalIssuer
from server.settings import Settings
from store import open_table
from store.records.user import Subscription, Tier, UserIn
from store.repos.users import UserRepo


def cpu() -> str:
    """CPU model, core count, OS and Python version, in one line."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{model}, {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}"
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def raise_fd_limit() -> int:
    """Raise this process's open-file limit to its hard limit (children started afterwards
    inherit it); returns the new soft limit. Thousands of sockets need it."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time process `pid` has used so far (its own, not its children's)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def rss_kib(pid: int) -> int:
    """Resident memory of process `pid`, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def children(pid: int) -> list[int]:
    """The direct child processes of `pid` (for `v7 serve`: the embedded redis-server)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Served:
    url: str
    ws_url: str
    origin: str
    settings: Settings
    process: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far."""
        return process_cpu_seconds(self.process.pid)

    def children_cpu_seconds(self) -> float:
        """CPU time of the server's running children (the embedded redis-server)."""
        return sum(process_cpu_seconds(child) for child in children(self.process.pid))


@contextmanager
def served(stderr: IO[bytes] | None = None, **env: str) -> Iterator[Served]:
    """`v7 serve` in its own process on loopback, embedded parts, in a temporary data dir;
    its log (stderr) goes to `stderr` when given, else to this process's."""
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        origin = f"http://127.0.0.1:{port}"
        settings = Settings(data_dir=Path(tmp), port=port, allowed_origins=[origin])
        environment = {
            **os.environ,
            "V7_DATA_DIR": tmp,
            "V7_ALLOWED_ORIGINS": origin,
            "V7_LOG_LEVEL": "warning",
            "V7_WORKERS": "1",  # one server process per target, as the floor has
            **env,
        }
        command = [str(Path(sys.executable).with_name("v7")), "serve", "--port", str(port)]
        process = subprocess.Popen(command, env=environment, stderr=stderr)  # noqa: S603
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{origin}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("v7 serve did not start")
                time.sleep(0.1)
            yield Served(origin, f"ws://127.0.0.1:{port}/ws", origin, settings, process)
        finally:
            process.terminate()
            process.wait(timeout=60)


async def premium_tokens(settings: Settings, count: int) -> list[str]:
    """`count` premium users (no quota stops a benchmark) and an access token for each."""
    issuer = LocalIssuer.load_or_create(
        settings.data_dir, issuer=settings.local_issuer, client_id=settings.local_client_id
    )
    tokens = []
    async with open_table(settings.resolved_store_url, data_dir=settings.data_dir) as table:
        users = UserRepo(table)
        for index in range(count):
            user = await users.create(
                uuid.uuid4().hex,
                UserIn(email=f"bench-{index}@example.com"),
                subscription=Subscription(tier=Tier.PREMIUM),
            )
            tokens.append(issuer.issue(user.id, None, "access", 3600))
    return tokens


@dataclass
class Floor:
    """The floor server (`bench/floor.py`) running in its own process."""

    ws_url: str
    process: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.process.pid)


@contextmanager
def floor_served(ttft_ms: int, tokens_per_s: float, tokens: int) -> Iterator[Floor]:
    """The floor server on a free loopback port, streaming the scripted model's words."""
    port = free_port()
    command = [sys.executable, "-m", "bench.floor", str(port), str(ttft_ms), str(tokens_per_s)]
    process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(json.dumps(list(repeated_words(DEFAULT_TEXT, tokens))).encode())
        process.stdin.write(b"\n")
        process.stdin.close()
        if process.stdout.readline().strip() != b"ready":
            raise RuntimeError("the floor server did not start")
        yield Floor(f"ws://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        process.wait(timeout=30)
