"""`python -m bench stream --peer chainlit`: the chainlit peer's rows, from the main venv.

The server is `chainlit run bench/peers/chainlit_app.py --headless` from the peers venv
(`.bench-peers/`, built by `make bench-peers`), in a temporary app root so chainlit's generated
`.chainlit/config.toml`, `chainlit.md` and `.files/` stay out of the repo. The client is
`bench/peers/chainlit_client.py`, run by the same venv's python (chainlit speaks socket.io, and
the project's venv has no socket.io client): one process per level, which prints its sessions'
timings as JSON; this process turns them into a `Row` and reads the server's CPU from /proc.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.common import free_port, process_cpu_seconds
from bench.stream_bench import TOKENS, TOKENS_PER_S, TTFT_MS, Row, p50_p99
from core.pacing import repeated_words
from llm.scripted import DEFAULT_TEXT

HERE = Path(__file__).resolve().parent
VENV = HERE.parents[1] / ".bench-peers"
PYTHON = VENV / "bin" / "python"
CHAINLIT = VENV / "bin" / "chainlit"
TARGET = "chainlit {version}, `cl.Message.stream_token` per token (auth off, default config)"


def installed() -> bool:
    return CHAINLIT.exists() and PYTHON.exists()


def version() -> str:
    found = subprocess.run(  # noqa: S603 - the peers venv's own python, fixed arguments
        [str(PYTHON), "-c", "import importlib.metadata as m; print(m.version('chainlit'))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout.strip()


@dataclass
class Chainlit:
    url: str
    process: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.process.pid)


@contextmanager
def chainlit_served() -> Iterator[Chainlit]:
    """The chainlit app on a free loopback port, streaming the scripted model's words."""
    with tempfile.TemporaryDirectory() as root:
        words = Path(root) / "words.json"
        words.write_text(json.dumps(list(repeated_words(DEFAULT_TEXT, TOKENS))))
        port = free_port()
        environment = {
            **os.environ,
            "CHAINLIT_APP_ROOT": root,
            "BENCH_WORDS": str(words),
            "BENCH_TTFT_MS": str(TTFT_MS),
            "BENCH_TOKENS_PER_S": str(TOKENS_PER_S),
        }
        for secret in ("CHAINLIT_AUTH_SECRET", "LITERAL_API_KEY", "DATABASE_URL"):
            environment.pop(secret, None)  # auth and the data layer stay off
        command = [
            str(CHAINLIT),
            "run",
            str(HERE / "chainlit_app.py"),
            "--headless",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        process = subprocess.Popen(  # noqa: S603 - the peers venv's chainlit, fixed arguments
            command, cwd=root, env=environment, stdout=subprocess.DEVNULL
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    httpx.get(url, timeout=1)
                    break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("chainlit did not start")
                time.sleep(0.2)
            yield Chainlit(url, process)
        finally:
            process.terminate()
            process.wait(timeout=30)


async def run_level(target: str, server: Chainlit, sessions: int) -> Row:
    """One level: the client process connects every session, then (after the server's CPU is
    read) all requests go out at once; the same columns as `stream_bench.run_level`."""
    client = await asyncio.create_subprocess_exec(
        str(PYTHON),
        str(HERE / "chainlit_client.py"),
        server.url,
        str(sessions),
        str(TTFT_MS),
        str(TOKENS_PER_S),
        str(TOKENS),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        limit=1 << 26,
    )
    assert client.stdin is not None
    assert client.stdout is not None
    if (await client.stdout.readline()).strip() != b"connected":
        await client.wait()
        raise RuntimeError("the chainlit client could not connect its sessions")
    cpu_before = server.cpu_seconds()
    client.stdin.write(b"go\n")
    await client.stdin.drain()
    measured = json.loads(await client.stdout.readline())
    cpu_used = server.cpu_seconds() - cpu_before
    await client.wait()
    results = measured["sessions"]
    elapsed = measured["elapsed"]
    delivered = sum(r["delivered"] for r in results)
    return Row(
        target,
        sessions,
        cpu_used / max(delivered, 1) * 1000,
        delivered / elapsed,
        p50_p99([r["first_extra"] for r in results if r["first_extra"] is not None]),
        p50_p99([late for r in results for late in r["lateness"]]),
        sessions * TOKENS - delivered,
        sum(1 for r in results if r["refused"]),
        f"client busy {measured['client_cpu'] / elapsed:.0%} (its own process: python-socketio "
        "over WebSocket, no per-message deflate)",
    )


async def rows(levels: tuple[int, ...]) -> None:
    if not installed():
        print(f"  chainlit: no peers venv at {VENV}; `make bench-peers` builds it")
        return
    target = TARGET.format(version=version())
    with chainlit_served() as server:
        for level in levels:
            row = await run_level(target, server, level)
            print(row.markdown(), flush=True)
