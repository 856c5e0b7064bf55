"""Streaming benchmark: what the server adds to a model's stream, at 1, 100 and 500 concurrent
coaching sessions on one `v7 serve` process, and how long context assembly takes.

The model is `scripted://` with fixed timing (first token after 200 ms, then 50 tokens/s, 300
tokens), so everything beyond that schedule is the server's: assembling context, reserving
quota, coalescing, framing, writing to sockets, saving the reply.

- server-added time to first token: first `stream.delta` arrival − `say` sent − 200 ms;
- added inter-delta delay: each delta's arrival − when its last token was due, counted from the
  session's first delta (coalescing holds text back by up to 40 ms by design, and is included);
- tokens delivered per second across all sessions, and server CPU seconds per 1,000 tokens.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

from bench.common import Served, cpu, percentile, premium_tokens, served
from context.assembly import CoachContext
from core.caller import Caller
from core.clock import system_clock
from handlers.proposals import PROPOSE_TOOL
from store import open_table
from store.records.journal import JournalEntryIn
from store.records.sends import BenchmarkSendIn
from store.repos.journal import JournalRepo
from store.repos.sends import SendRepo

TTFT_S = 0.2
TOKENS_PER_S = 50
TOKENS = 300
MODEL = f"scripted://?ttft_ms={int(TTFT_S * 1000)}&tokens_per_s={TOKENS_PER_S}&tokens={TOKENS}"
CONCURRENCY = (1, 100, 500)


@dataclass
class Start:
    """Every session connects first; then all turns start at once."""

    go: asyncio.Event = field(default_factory=asyncio.Event)
    connected: int = 0


async def session(
    server: Served, token: str, index: int, start: Start
) -> tuple[float, list[float], int]:
    """One coaching turn; (added TTFT, added delays of each delta, tokens received)."""
    ws: ClientConnection = await connect(
        server.ws_url,
        subprotocols=[Subprotocol("v7.chat.v1"), Subprotocol(f"bearer.{token}")],
        origin=Origin(server.origin),
        open_timeout=60,
        max_queue=None,
    )
    try:
        json.loads(await ws.recv())  # ready
        start.connected += 1
        await start.go.wait()
        sent = time.perf_counter()
        await ws.send(json.dumps({"type": "say", "id": f"q{index}", "text": "how was my week?"}))
        first: float | None = None
        words = 0
        delays: list[float] = []
        while True:
            frame = json.loads(await ws.recv())
            now = time.perf_counter()
            if frame["type"] == "stream.delta":
                words += len(frame["text"].split())
                if first is None:
                    first = now
                    first_words = words
                else:
                    due = first + (words - first_words) / TOKENS_PER_S
                    delays.append(max(0.0, now - due))
            elif frame["type"] == "error":
                raise RuntimeError(f"the turn was refused: {frame}")
            elif frame["type"] == "stream.end":
                break
        assert first is not None, "no delta arrived"
        return first - sent - TTFT_S, delays, words
    finally:
        await ws.close()


async def run_level(server: Served, tokens: list[str]) -> None:
    start = Start()
    tasks = [
        asyncio.create_task(session(server, token, i, start)) for i, token in enumerate(tokens)
    ]
    while start.connected < len(tokens):
        await asyncio.sleep(0.01)
    cpu_before = server.cpu_seconds()
    started = time.perf_counter()
    start.go.set()
    results = await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    cpu_used = server.cpu_seconds() - cpu_before
    ttfts = [r[0] * 1000 for r in results]
    delays = [d * 1000 for r in results for d in r[1]]
    delivered = sum(r[2] for r in results)
    print(
        f"  {len(tokens):>3} sessions: added TTFT p50 {statistics.median(ttfts):6.1f} ms, "
        f"p99 {percentile(ttfts, 0.99):6.1f} ms; added inter-delta delay p99 "
        f"{percentile(delays, 0.99):5.1f} ms; {delivered / elapsed:7.0f} tokens/s; "
        f"{cpu_used / (delivered / 1000):.3f} CPU s per 1,000 tokens"
    )


async def stop_latency(server: Served, token: str, runs: int = 8) -> None:
    """From sending `stop` (after the first delta) to receiving `stream.end`. Eight stops:
    within the premium burst of AI messages, so the rate limit does not refuse one."""
    timings = []
    async with connect(
        server.ws_url,
        subprotocols=[Subprotocol("v7.chat.v1"), Subprotocol(f"bearer.{token}")],
        origin=Origin(server.origin),
    ) as ws:
        await ws.recv()
        for run in range(runs):
            await ws.send(json.dumps({"type": "say", "id": f"stop{run}", "text": "go on"}))
            stream = ""
            while True:
                frame = json.loads(await ws.recv())
                if frame["type"] == "error":
                    raise RuntimeError(f"the turn was refused: {frame}")
                if frame["type"] == "stream.start":
                    stream = frame["stream"]
                if frame["type"] == "stream.delta":
                    break
            asked = time.perf_counter()
            await ws.send(json.dumps({"type": "stop", "stream": stream}))
            while True:
                frame = json.loads(await ws.recv())
                if frame["type"] == "stream.end":
                    assert frame["reason"] == "stopped", frame
                    timings.append((time.perf_counter() - asked) * 1000)
                    break
    print(
        f"  stop → stream.end: p50 {statistics.median(timings):.1f} ms, "
        f"p99 {percentile(timings, 0.99):.1f} ms over {runs} stops"
    )


async def context_latency() -> None:
    """Context assembly for a climber with 3 years of daily sessions and two sends a day."""
    today = system_clock().date()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'v7.db'}"
        async with open_table(url, data_dir=Path(tmp)) as table:
            user = uuid.uuid4().hex
            journal, sends = JournalRepo(table), SendRepo(table)
            for back in range(3 * 365):
                day = today - timedelta(days=back)
                entry = JournalEntryIn.model_validate(
                    {
                        "date": day.isoformat(),
                        "sessionType": "gym",
                        "duration": 60 + back % 90,
                        "rpe": 5 + back % 5,
                        "gradesCompleted": ["V3", "V4"],
                        "gradesAttempted": ["V5"],
                        "physicalCondition": {"soreness": {"fingers": back % 6}},
                        "notes": "steady session, worked on footwork",
                    }
                )
                await journal.create(user, entry)
                for grade in ("V4", "V5"):
                    send = BenchmarkSendIn.model_validate(
                        {"grade": grade, "date": day.isoformat(), "location": "Home gym"}
                    )
                    await sends.create(user, send)
            assembler = CoachContext(table, clock=table.clock, tools=[PROPOSE_TOOL])
            caller = Caller(user)
            timings = []
            for _ in range(30):
                started = time.perf_counter()
                await assembler.assemble(caller, "how is my training going?")
                timings.append((time.perf_counter() - started) * 1000)
    print(
        f"  context assembly, 3 years of daily history (1,095 sessions, 2,190 sends), SQLite: "
        f"p50 {statistics.median(timings):.1f} ms, p99 {percentile(timings, 0.99):.1f} ms"
    )


def main() -> None:
    print(f"streaming: v7 serve in its own process, {MODEL}, embedded SQLite and Redis")
    print(f"  machine: {cpu()}")
    with served(V7_MODEL=MODEL) as server:
        tokens = asyncio.run(premium_tokens(server.settings, max(CONCURRENCY) + 1))
        stopper = tokens.pop()
        for level in CONCURRENCY:
            asyncio.run(run_level(server, tokens[:level]))
            tokens = tokens[level:] + tokens[:level]
            if level == 1:  # before the load levels, so nothing else is queued
                asyncio.run(stop_latency(server, stopper))
    asyncio.run(context_latency())


if __name__ == "__main__":
    main()
