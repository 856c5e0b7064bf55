"""Redis holds under load: a real `v7 serve` (embedded SQLite and Redis), many premium climbers
streaming a reply each at the same moment. Every token must arrive and the server must not
take one of Redis's outage paths (`bench.degraded_log`) while Redis is up: a busy connection
pool or an event loop running late under the burst is not an outage.

CI-sized: 150 sessions, a short scripted reply; the whole module takes about 15 s. Marked
`alone` because it loads both cores: `make test` runs it after the parallel run."""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.asyncio.client import ClientConnection

from bench.common import Served, premium_tokens, served
from bench.degraded_log import DEGRADED_PATTERNS, degraded_lines
from bench.stream_bench import v7_opener

pytestmark = pytest.mark.alone

SESSIONS = 300
TOKENS = 60
MODEL = f"scripted://?ttft_ms=100&tokens_per_s=60&tokens={TOKENS}"
OPENING = 50
"""Sockets opened at a time, as a browser crowd would (and as `python -m bench` does)."""
TURN_TIMEOUT_S = 20.0

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server_and_log() -> Iterator[tuple[Served, Path]]:
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "v7-serve.log"
        # PYTHONPATH: the server runs this checkout's code, whatever the venv was installed from.
        with (
            log_path.open("wb") as log,
            served(stderr=log, V7_MODEL=MODEL, PYTHONPATH=str(ROOT)) as server,
        ):
            yield server, log_path


async def one_turn(ws: ClientConnection, index: int, go: asyncio.Event) -> tuple[int, str]:
    """Ask once when `go` is set; the words streamed back, and how the turn ended."""
    await go.wait()
    await ws.send(json.dumps({"type": "say", "id": f"load{index}", "text": "how was my week?"}))
    words = 0
    async with asyncio.timeout(TURN_TIMEOUT_S):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == "stream.delta":
                words += len(frame["text"].split())
            elif frame["type"] == "error":
                return words, f"error {frame.get('code')}"
            elif frame["type"] == "stream.end":
                return words, str(frame.get("reason"))


async def test_a_burst_of_streaming_climbers_never_takes_the_redis_outage_path(
    server_and_log: tuple[Served, Path],
) -> None:
    server, log_path = server_and_log
    tokens = await premium_tokens(server.settings, SESSIONS)
    opening = asyncio.Semaphore(OPENING)
    open_socket = v7_opener(server, tokens)  # the benchmark's: each socket waits for `ready`

    async def opened(index: int) -> ClientConnection:
        async with opening:
            return await open_socket(index)

    sockets = await asyncio.gather(*(opened(index) for index in range(SESSIONS)))
    try:
        go = asyncio.Event()
        turns = [asyncio.create_task(one_turn(ws, i, go)) for i, ws in enumerate(sockets)]
        go.set()  # every climber asks at the same moment
        results = await asyncio.gather(*turns)
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets))

    cut_short = [(i, r) for i, r in enumerate(results) if r != (TOKENS, "end")]
    assert not cut_short, f"{len(cut_short)} of {SESSIONS} turns incomplete: {cut_short[:5]}"
    degraded = Counter(message(line) for line in degraded_lines(log_path.read_text("utf-8")))
    assert not degraded, f"outage paths taken while Redis was up: {dict(degraded)}"


def message(line: str) -> str:
    """The message of one JSON log line (the line itself if it is not JSON)."""
    try:
        return str(json.loads(line).get("msg", line))
    except (ValueError, AttributeError):
        return line


def test_every_outage_pattern_is_still_logged_by_its_module() -> None:
    # A reworded message would silently stop the load test from seeing it.
    for pattern, module in DEGRADED_PATTERNS.items():
        assert pattern in (ROOT / module).read_text(), (pattern, module)
