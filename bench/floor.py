"""The floor: a bare `websockets` server streaming the benchmark's scripted reply, nothing else.

`python -m bench.floor PORT TTFT_MS TOKENS_PER_S` reads the reply's tokens as one JSON list on
stdin, listens on 127.0.0.1:PORT and prints `ready` once it does. Per connection it waits for
one message, then sends the tokens as V7's frames look (`stream.delta` JSON, one frame per
token, carrying the token's index in `token`) and a `stream.end`. No auth, no quota, no store,
no Redis, and nothing of V7 imported: what any Python server must at least spend to stream
these tokens. The schedule is the scripted model's (`core.pacing`): token `i` is due at
`start + ttft + i / tokens_per_s` on the loop's clock, so sleep overshoot does not pile up.
"""

from __future__ import annotations

import asyncio
import json
import sys

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed


async def main(port: int, ttft: float, tokens_per_s: float, tokens: list[str]) -> None:
    interval = 1.0 / tokens_per_s

    async def stream(ws: ServerConnection) -> None:
        try:
            await ws.recv()
        except ConnectionClosed:  # an idle socket (`bench idle`) closing
            return
        loop = asyncio.get_running_loop()
        start = loop.time() + ttft
        for index, token in enumerate(tokens):
            delay = start + index * interval - loop.time()
            await asyncio.sleep(max(delay, 0.0))
            delta = {"type": "stream.delta", "seq": index + 1, "token": index, "text": token}
            await ws.send(json.dumps(delta))
        await ws.send(json.dumps({"type": "stream.end", "seq": len(tokens) + 1, "reason": "end"}))
        await ws.wait_closed()

    async with serve(stream, "127.0.0.1", port, max_queue=None, backlog=1024) as server:
        print("ready", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    port, ttft_ms, rate = sys.argv[1:4]
    words = [str(word) for word in json.loads(sys.stdin.readline())]
    asyncio.run(main(int(port), int(ttft_ms) / 1000, float(rate), words))
