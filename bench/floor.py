"""The floor: a bare `websockets` server streaming the benchmark's scripted reply, nothing else.

`python -m bench.floor PORT TTFT_MS TOKENS_PER_S TOKENS` listens on 127.0.0.1:PORT and prints
`ready` once it does. Per connection it waits for one message, then sends the scripted stream
as V7's frames look (`stream.delta` JSON, one frame per token, carrying the token's index in
`token`) and a `stream.end`. No auth, no quota, no store, no Redis: what any server must at
least spend to stream these tokens. The schedule is the scripted model's (`core.pacing`): token
`i` is due at `start + ttft + i / tokens_per_s` on the loop's clock, so sleep overshoot does
not pile up and the floor is not late by construction.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from websockets.asyncio.server import ServerConnection, serve

from bench.common import free_port, process_cpu_seconds
from core.pacing import repeated_words
from llm.scripted import DEFAULT_TEXT


async def main(port: int, ttft: float, tokens_per_s: float, count: int) -> None:
    tokens = list(repeated_words(DEFAULT_TEXT, count))
    interval = 1.0 / tokens_per_s

    async def stream(ws: ServerConnection) -> None:
        await ws.recv()
        loop = asyncio.get_running_loop()
        start = loop.time() + ttft
        for index, token in enumerate(tokens):
            delay = start + index * interval - loop.time()
            await asyncio.sleep(max(delay, 0.0))
            delta = {"type": "stream.delta", "seq": index + 1, "token": index, "text": token}
            await ws.send(json.dumps(delta))
        await ws.send(json.dumps({"type": "stream.end", "seq": count + 1, "reason": "end"}))
        await ws.wait_closed()

    async with serve(stream, "127.0.0.1", port, max_queue=None, backlog=1024) as server:
        print("ready", flush=True)
        await server.serve_forever()


@dataclass
class Floor:
    ws_url: str
    process: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.process.pid)


@contextmanager
def floor_served(ttft_ms: int, tokens_per_s: float, tokens: int) -> Iterator[Floor]:
    """The floor server in its own process, on a free loopback port."""
    port = free_port()
    command = [sys.executable, "-m", "bench.floor", str(port), str(ttft_ms), str(tokens_per_s)]
    process = subprocess.Popen([*command, str(tokens)], stdout=subprocess.PIPE)  # noqa: S603
    try:
        assert process.stdout is not None
        if process.stdout.readline().strip() != b"ready":
            raise RuntimeError("the floor server did not start")
        yield Floor(f"ws://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    port, ttft_ms, rate, count = sys.argv[1:5]
    asyncio.run(main(int(port), int(ttft_ms) / 1000, float(rate), int(count)))
