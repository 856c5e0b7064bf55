"""Streaming benchmark, side by side: V7 and the bare-`websockets` floor stream the same scripted
reply (first token after 200 ms, then 50 tokens/s, 100 tokens) to 100, 300 and 1,000 concurrent
sessions, each server in its own process on this machine, the client in this one.

- V7 is `v7 serve` (embedded SQLite and Redis, premium users), model `scripted://` with that
  timing: every session is a real coaching turn over `v7.chat.v1` (auth, quota reserve and
  settle, context, persistence, fan-out, the resume buffer);
- the floor is `bench/floor.py`: per connection it waits for one message, then sends the same
  stream one frame per token.
- with `--peer chainlit`, chainlit from its own venv (`make bench-peers`; `bench/peers/`), timed
  by a socket.io client in a process of its own.

Per target and level, one row (the issue 19 columns):

- server CPU s per 1,000 delivered tokens: the server process's own CPU (from /proc) over the
  level; V7's embedded redis-server is shown apart;
- tokens/s delivered across all sessions, from "go" to the last session's end;
- first token extra, p50/p99: first delta's arrival − when the script produced the first token;
- token lateness, p50/p99: per token, arrival − when the script produced it; a coalesced delta
  counts each of its tokens with that token's own production time;
- every token delivered: yes, or how many are missing;
- notes: how busy this client process was (near 100% means the client, not the server, set
  the pace), and for V7 the warnings it logged during the level: "redis unavailable" lines and
  all degraded-path warnings (queues full, records unavailable; there should be none while
  Redis is up), and the embedded redis-server's CPU.

"When the script produced token i" is `say sent + 200 ms + i / 50 s`, on this process's clock:
the script's schedule started the moment the request was sent, so whatever a server does before
it starts its model (auth, quota, context) is counted as its lateness.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import uvloop
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

from bench.common import (
    Floor,
    Served,
    cpu,
    floor_served,
    percentile,
    premium_tokens,
    raise_fd_limit,
    served,
)
from bench.degraded_log import degraded_lines
from context.assembly import CoachContext
from core.caller import Caller
from core.clock import system_clock
from handlers.proposals import PROPOSE_TOOL
from store import open_table
from store.records.journal import JournalEntryIn
from store.records.sends import BenchmarkSendIn
from store.repos.journal import JournalRepo
from store.repos.sends import SendRepo

TTFT_MS = 200
TOKENS_PER_S = 50
TOKENS = 100
MODEL = f"scripted://?ttft_ms={TTFT_MS}&tokens_per_s={TOKENS_PER_S}&tokens={TOKENS}"
LEVELS = (100, 300, 1000)
OPENING = 50
"""Sockets opened at a time before a level starts."""
PEERS = ("chainlit",)
"""Peers `--peer` adds (`bench/peers/`; `make bench-peers` installs them)."""
LEVEL_TIMEOUT_S = 120.0
"""A session still streaming this long after "go" counts its missing tokens and stops."""
UNAVAILABLE = b"redis unavailable"

Opener = Callable[[int], Awaitable[ClientConnection]]


@dataclass
class Start:
    """Every session connects first; then all requests go out at once."""

    go: asyncio.Event = field(default_factory=asyncio.Event)
    connected: int = 0


@dataclass
class Session:
    first_extra: float | None = None
    lateness: list[float] = field(default_factory=list)
    delivered: int = 0
    refused: str = ""


async def session(
    open_socket: Opener, index: int, start: Start, opening: asyncio.Semaphore
) -> Session:
    """One request and its streamed reply; every time in seconds."""
    async with opening:
        ws = await open_socket(index)
    result = Session()
    try:
        start.connected += 1
        await start.go.wait()
        sent = time.perf_counter()
        due = sent + TTFT_MS / 1000
        await ws.send(json.dumps({"type": "say", "id": f"q{index}", "text": "how was my week?"}))
        try:
            async with asyncio.timeout(LEVEL_TIMEOUT_S):
                while True:
                    frame = json.loads(await ws.recv())
                    arrived = time.perf_counter()
                    kind = frame["type"]
                    if kind == "stream.delta":
                        # The floor names each token; V7's deltas hold whole words, in order.
                        first = frame.get("token", result.delivered)
                        count = 1 if "token" in frame else len(frame["text"].split())
                        if result.first_extra is None:
                            result.first_extra = arrived - due
                        for token in range(first, first + count):
                            result.lateness.append(arrived - due - token / TOKENS_PER_S)
                        result.delivered += count
                    elif kind == "error":
                        result.refused = frame.get("code", "error")
                        break
                    elif kind == "stream.end":
                        break
        except TimeoutError:
            result.refused = "timeout"
        return result
    finally:
        await ws.close()


@dataclass
class Row:
    target: str
    sessions: int
    cpu_per_1000: float
    tokens_per_s: float
    first: tuple[float, float]
    late: tuple[float, float]
    missing: int
    refused: int
    note: str = ""

    def markdown(self) -> str:
        delivered = "yes" if not self.missing else f"no: {self.missing:,} missing"
        if self.refused:
            delivered += f" ({self.refused} sessions cut short)"
        return (
            f"| {self.target} | {self.sessions:,} | {self.cpu_per_1000:.3f} | "
            f"{self.tokens_per_s:,.0f} | {self.first[0]:,.0f} / {self.first[1]:,.0f} ms | "
            f"{self.late[0]:,.0f} / {self.late[1]:,.0f} ms | {delivered} | {self.note} |"
        )


def p50_p99(values: list[float]) -> tuple[float, float]:
    if not values:
        return (float("nan"), float("nan"))
    return (statistics.median(values) * 1000, percentile(values, 0.99) * 1000)


async def run_level(
    target: str, open_socket: Opener, sessions: int, cpu_seconds: Callable[[], float]
) -> Row:
    start, opening = Start(), asyncio.Semaphore(OPENING)
    tasks = [asyncio.create_task(session(open_socket, i, start, opening)) for i in range(sessions)]
    while start.connected < sessions:
        done = [task for task in tasks if task.done()]
        for task in done:
            task.result()  # a socket that could not open ends the benchmark, loudly
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.5)  # let the server settle after the handshakes
    cpu_before, client_before = cpu_seconds(), time.process_time()
    started = time.perf_counter()
    start.go.set()
    results = await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    cpu_used = cpu_seconds() - cpu_before
    client_busy = (time.process_time() - client_before) / elapsed
    delivered = sum(r.delivered for r in results)
    return Row(
        target,
        sessions,
        cpu_used / max(delivered, 1) * 1000,
        delivered / elapsed,
        p50_p99([r.first_extra for r in results if r.first_extra is not None]),
        p50_p99([late for r in results for late in r.lateness]),
        sessions * TOKENS - delivered,
        sum(1 for r in results if r.refused),
        f"client busy {client_busy:.0%}",
    )


def floor_opener(floor: Floor) -> Opener:
    async def open_socket(index: int) -> ClientConnection:
        return await connect(floor.ws_url, open_timeout=60, max_queue=None)

    return open_socket


def v7_opener(server: Served, tokens: list[str]) -> Opener:
    async def open_socket(index: int) -> ClientConnection:
        ws = await connect(
            server.ws_url,
            subprotocols=[Subprotocol("v7.chat.v1"), Subprotocol(f"bearer.{tokens[index]}")],
            origin=Origin(server.origin),
            open_timeout=60,
            max_queue=None,
        )
        ready = json.loads(await ws.recv())
        assert ready["type"] == "ready", ready
        return ws

    return open_socket


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
    """Context assembly for a climber with 3 years of daily sessions and two sends a day, on
    SQLite with the app's cache (embedded Redis holding the generation): cold is a turn after
    a write to the climber's records (read and computed), warm a turn with nothing written
    since (from the cache; the chat, templates and library still read)."""
    from context.cache import ContextCache
    from context.generations import RedisGenerations
    from server.redis_url import open_redis
    from store.repos.base import user_pk

    today = system_clock().date()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'v7.db'}"
        async with (
            open_table(url, data_dir=Path(tmp)) as table,
            open_redis("embedded://", Path(tmp)) as redis,
        ):
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
            cache = ContextCache()
            generations = RedisGenerations(redis, forget=cache.forget)
            table.on_write(generations.bump)
            assembler = CoachContext(
                table,
                clock=table.clock,
                tools=[PROPOSE_TOOL],
                generations=generations,
                cache=cache,
            )
            caller = Caller(user)
            cold: list[float] = []
            warm: list[float] = []
            for _ in range(30):
                # What a write to the climber's records does to every process's cache.
                await generations.bump([(user_pk(user), f"JOURNAL#{today.isoformat()}#x")])
                for turn in range(4):
                    started = time.perf_counter()
                    await assembler.assemble(caller, "how is my training going?")
                    (warm if turn else cold).append((time.perf_counter() - started) * 1000)
    print(
        "  context assembly, 3 years of daily history (1,095 sessions, 2,190 sends), SQLite: "
        f"cold (after a write) p50 {statistics.median(cold):.1f} ms, p99 "
        f"{percentile(cold, 0.99):.1f} ms; warm (cached) p50 {statistics.median(warm):.2f} ms, "
        f"p99 {percentile(warm, 0.99):.2f} ms"
    )


def print_header() -> None:
    print(
        "| target | sessions | server CPU s / 1,000 tokens | tokens/s | first token extra "
        "p50 / p99 | token lateness p50 / p99 | every token delivered | notes |"
    )
    print("|---|---|---|---|---|---|---|---|")


async def floor_rows(levels: tuple[int, ...]) -> None:
    with floor_served(TTFT_MS, TOKENS_PER_S, TOKENS) as floor:
        for level in levels:
            row = await run_level(
                "bare `websockets`, a frame per token (the floor)",
                floor_opener(floor),
                level,
                floor.cpu_seconds,
            )
            print(row.markdown(), flush=True)


async def v7_rows(levels: tuple[int, ...]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "v7-serve.log"
        with log_path.open("wb") as log, served(stderr=log, V7_MODEL=MODEL) as server:
            # Fresh users per level, so no user's rate limit or socket cap is in play, and
            # one more for the stop timings.
            tokens = await premium_tokens(server.settings, sum(levels) + 1)
            stopper = tokens.pop()
            offset = 0
            for level in levels:
                seen = log_path.stat().st_size
                redis_before = server.children_cpu_seconds()
                row = await run_level(
                    "V7 (premium users, embedded SQLite and Redis)",
                    v7_opener(server, tokens[offset : offset + level]),
                    level,
                    server.cpu_seconds,
                )
                offset += level
                redis_cpu = server.children_cpu_seconds() - redis_before
                with log_path.open("rb") as written:
                    written.seek(seen)
                    logged = written.read()
                unavailable = logged.count(UNAVAILABLE)
                outage = len(degraded_lines(logged.decode(errors="replace")))
                warned = logged.count(b'"level": "warning"') + logged.count(b'"level": "error"')
                delivered = max(level * TOKENS - row.missing, 1)
                row.note += (
                    f'; "redis unavailable" logged {unavailable:,}x, outage-path lines '
                    f"{outage:,} (bench/degraded_log.py), warnings {warned:,}; "
                    "redis-server "
                    f"{redis_cpu / delivered * 1000:.3f} CPU s / 1,000 tokens"
                )
                print(row.markdown(), flush=True)
            await stop_latency(server, stopper)
        print_warnings(log_path)


def print_warnings(log_path: Path) -> None:
    """What `v7 serve` warned about (its log is JSON lines), grouped by message. The degraded
    path's warnings are throttled per kind, so a count of 1 may stand for many occurrences."""
    counts: Counter[str] = Counter()
    for line in log_path.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("level") in {"warning", "error", "critical"}:
            counts[f"{entry['level']}: {str(entry.get('msg', ''))[:110]}"] += 1
    if counts:
        print(f"  v7 serve logged {sum(counts.values()):,} warnings/errors:")
        for message, count in counts.most_common(8):
            print(f"    {count:>5,}x {message}")
    else:
        print("  v7 serve logged no warnings or errors")


async def peer_rows(levels: tuple[int, ...], peers: tuple[str, ...]) -> None:
    """The optional peers (`--peer chainlit`), each from its own venv (`bench/peers/`)."""
    for peer in peers:
        if peer == "chainlit":
            from bench.peers import chainlit_peer  # it imports this module: not at the top

            await chainlit_peer.rows(levels)


async def run(levels: tuple[int, ...], peers: tuple[str, ...] = ()) -> None:
    print_header()
    await floor_rows(levels)
    await peer_rows(levels, peers)
    await v7_rows(levels)
    await context_latency()


def main(levels: tuple[int, ...] = LEVELS, peers: tuple[str, ...] = ()) -> None:
    fds = raise_fd_limit()
    print(
        f"streaming: the same scripted reply ({TTFT_MS} ms to the first token, {TOKENS_PER_S} "
        f"tokens/s, {TOKENS} tokens) from each target, one server process each, the client in "
        "this process on the same machine"
    )
    print(f"  machine: {cpu()}; open-file limit {fds:,}")
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(run(levels, peers))


if __name__ == "__main__":
    main()
