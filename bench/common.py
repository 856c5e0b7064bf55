"""What the benchmarks share: the machine line, percentiles, and `v7 serve` as a real process
with users whose tokens are minted by the server's own key."""

from __future__ import annotations

import os
import platform
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

import httpx

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
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks


@contextmanager
def served(**env: str) -> Iterator[Served]:
    """`v7 serve` in its own process on loopback, embedded parts, in a temporary data dir."""
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        origin = f"http://127.0.0.1:{port}"
        settings = Settings(data_dir=Path(tmp), port=port, allowed_origins=[origin])
        environment = {
            **os.environ,
            "V7_DATA_DIR": tmp,
            "V7_ALLOWED_ORIGINS": origin,
            "V7_LOG_LEVEL": "warning",
            **env,
        }
        command = [str(Path(sys.executable).with_name("v7")), "serve", "--port", str(port)]
        process = subprocess.Popen(command, env=environment)  # noqa: S603 - our entry point
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
