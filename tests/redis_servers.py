"""Plain `redis-server` processes (the binary the app's embedded Redis runs) on loopback TCP,
for the tests of the quotas and of the server: a Redis a test may kill, pause and restart, as
an ElastiCache node goes away."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from server.embedded_redis import redis_server_binary


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class TcpRedis:
    """A redis-server on 127.0.0.1:`port` that a test may kill, pause and restart (it keeps
    nothing on disk, so a restarted one is empty, like a fresh ElastiCache node)."""

    port: int
    directory: Path
    extra: tuple[str, ...] = ()
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(redis_server_binary()),
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--dir", str(self.directory),
                "--save", "",
                # No persistence: a restart is a fresh node, rebuilt from the store.
                "--appendonly", "no",
                *self.extra,
            ],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(500):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.01)
        code = self.process.poll()
        raise RuntimeError(f"redis-server did not start (exit status {code})")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None
