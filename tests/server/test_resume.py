"""`resume` after a reconnect, on the same or another server process sharing the Redis.

The streams come from a test `ChatHandler` installed in both live apps: a `say` starting with
"stream" emits `stream.start`, five deltas, waits for the test to open a gate, then five more
deltas and `stream.end` — all through the real `emit` of the socket loop, with `to_all` as the
coaching turn sends them, registered with the app's running streams (`server/runs.py`) as the
coaching turn's are, so a `stop` from any process ends it "stopped". That exercises what the
coaching turn relies on (recording every stream frame as it is emitted, fan-out to the user's
other sockets, a turn that outlives its socket) rather than writing into the buffer by hand,
and it lets the test decide exactly when the stream is mid-flight.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection

from core.caller import Caller
from core.quota import Quota
from handlers.frames import (
    Confirm,
    Dismiss,
    Say,
    Stop,
    StreamDelta,
    StreamEnd,
    StreamStart,
    Usage,
    encode,
)
from handlers.session import ChatHandler, Emit, Outgoing
from server.errors import ApiError
from server.runs import RunRegistry
from server.streams import FOLLOW_BLOCK_MS, TTL_S, StreamBuffer, stream_key
from tests.redis_servers import free_port
from tests.server.helpers import sign_up
from tests.server.pair import (
    Frame,
    Pair,
    assert_nothing_more,
    chat,
    receive,
    say,
    server_pair,
    services_of,
    user_id_of,
)

FIRST = 5
"""Deltas sent before the gate; as many again after it."""


class GatedStreams:
    """Streams for `say`s starting with "stream"; everything else goes to the real handler."""

    def __init__(self, inner: ChatHandler, runs: RunRegistry) -> None:
        self.inner = inner
        self.runs = runs
        self.gates: dict[str, threading.Event] = {}

    def gate(self, stream: str) -> threading.Event:
        return self.gates.setdefault(stream, threading.Event())

    async def on_connect(self, caller: Caller) -> Quota | None:
        return await self.inner.on_connect(caller)

    async def on_say(self, caller: Caller, say: Say, emit: Emit) -> None:
        if not say.text.startswith("stream"):
            await self.inner.on_say(caller, say, emit)
            return
        stream = say.text.split()[1]
        gate = self.gate(stream)
        stopped = asyncio.Event()
        await emit(Outgoing(StreamStart(stream=stream, reply_to=say.id, model="gated"), True))
        sent = 0
        try:
            async with self.runs.running(caller.user_id, stream, stopped.set):
                while sent < 2 * FIRST and not stopped.is_set():
                    if sent == FIRST:
                        while not gate.is_set() and not stopped.is_set():
                            await asyncio.sleep(0.005)
                        if stopped.is_set():
                            break
                    delta = StreamDelta(stream=stream, seq=sent + 1, text=f"w{sent + 1} ")
                    await emit(Outgoing(delta, to_all=True))
                    sent += 1
            reason = "stopped" if stopped.is_set() else "end"
            await emit(Outgoing(_end(stream, sent + 1, reason), to_all=True))
        except asyncio.CancelledError:
            # As the coaching turn does: cancelled (a shutdown), the stream still ends.
            await emit(Outgoing(_end(stream, sent + 1, "stopped"), to_all=True))
            raise

    async def on_stop(self, caller: Caller, stop: Stop, emit: Emit) -> None:
        await self.inner.on_stop(caller, stop, emit)

    async def on_confirm(self, caller: Caller, confirm: Confirm, emit: Emit) -> None:
        await self.inner.on_confirm(caller, confirm, emit)

    async def on_dismiss(self, caller: Caller, dismiss: Dismiss, emit: Emit) -> None:
        await self.inner.on_dismiss(caller, dismiss, emit)


def _end(stream: str, seq: int, reason: str) -> StreamEnd:
    return StreamEnd.model_validate(
        {
            "stream": stream,
            "seq": seq,
            "reason": reason,
            "usage": Usage(input_tokens=1, output_tokens=seq),
        }
    )


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    with server_pair(Path(tmp_path_factory.mktemp("resume"))) as servers:
        for server in (servers.a, servers.b):
            services = services_of(server)
            services.chat = GatedStreams(services.chat, services.runs)
        yield servers
        for handler in (services_of(servers.a).chat, services_of(servers.b).chat):
            assert isinstance(handler, GatedStreams)
            for gate in handler.gates.values():
                gate.set()  # so that no stream outlives the test waiting on its gate


def gated(pair: Pair) -> GatedStreams:
    handler = services_of(pair.a).chat
    assert isinstance(handler, GatedStreams)
    return handler


def new_stream() -> str:
    return f"s-{uuid.uuid4().hex[:12]}"


async def resume(socket: ClientConnection, stream: str, after: int) -> None:
    await socket.send(json.dumps({"type": "resume", "stream": stream, "after": after}))


async def read_through_end(socket: ClientConnection) -> list[Frame]:
    frames = [await receive(socket)]
    while frames[-1]["type"] not in ("stream.end", "error"):
        frames.append(await receive(socket))
    return frames


async def buffered_end(pair: Pair, user_id: str, stream: str, within_s: float = 5) -> None:
    """Wait until the stream's `stream.end` is in the buffer."""
    redis = Redis.from_url(pair.redis.url)
    try:
        deadline = time.monotonic() + within_s
        while True:
            last: Any = await redis.xrevrange(stream_key(user_id, stream), count=1)
            if last and b"e" in last[0][1]:
                return
            assert time.monotonic() < deadline, "the stream did not end"
            await asyncio.sleep(0.01)
    finally:
        await redis.aclose()


def by_seq(frames: list[Frame]) -> list[Frame]:
    """`frames` as a client places them: by seq (the end, which repeats the last seq, last),
    each (type, seq) once."""
    placed: dict[tuple[int, bool], Frame] = {}
    for frame in frames:
        placed.setdefault((frame.get("seq", 0), frame["type"] == "stream.end"), frame)
    return [placed[key] for key in sorted(placed)]


def seqs(frames: list[Frame]) -> list[int]:
    return [frame.get("seq", 0) for frame in frames]


async def test_a_tab_that_reconnects_to_another_process_gets_the_rest_then_the_live_stream(
    pair: Pair,
) -> None:
    alice = await sign_up(pair.a, "alice")
    stream = new_stream()
    async with chat(pair.a, alice) as origin:
        async with chat(pair.b, alice) as tab:
            await say(origin, "c1", f"stream {stream}")
            # Every socket of the user sees the stream, across processes.
            start = await receive(tab)
            assert start == {
                "type": "stream.start",
                "stream": stream,
                "reply_to": "c1",
                "model": "gated",
            }
            assert (await receive(tab))["seq"] == 1
            assert (await receive(tab))["seq"] == 2
            # The tab drops here, having seen seq 2 (3..5 are on their way or buffered).
        async with chat(pair.b, alice) as back:
            await resume(back, stream, after=2)
            buffered = [await receive(back) for _ in range(FIRST - 2)]
            assert seqs(buffered) == [3, 4, 5]
            # The rest is produced only now, on A, and followed live by the replay on B; the
            # socket's own live copies (B is subscribed to alice's channel) are held back.
            gated(pair).gate(stream).set()
            rest = await read_through_end(back)
            assert seqs(rest) == [*range(FIRST + 1, 2 * FIRST + 1), 2 * FIRST + 1]
            assert [f["text"] for f in rest[:-1]] == [f"w{n} " for n in range(6, 11)]
            assert rest[-1]["type"] == "stream.end"
            assert rest[-1]["reason"] == "end"
            await assert_nothing_more(back)
        # The socket that asked saw the whole stream once.
        whole = await read_through_end(origin)
        assert [f["type"] for f in whole[:1]] == ["stream.start"]
        assert seqs(whole[1:]) == list(range(1, 2 * FIRST + 2))
        await assert_nothing_more(origin, settle_s=0)


async def test_a_dropped_socket_leaves_its_stream_running_for_a_stop_from_another_process(
    pair: Pair,
) -> None:
    alice = await sign_up(pair.a, "alice")
    stream = new_stream()
    async with chat(pair.a, alice) as socket:
        await say(socket, "c1", f"stream {stream}")
        assert (await receive(socket))["type"] == "stream.start"
        assert (await receive(socket))["seq"] == 1
    # The drop did not stop the stream (it waits at its gate, within the grace window)...
    user_id = await user_id_of(pair.b, alice)
    with pytest.raises(AssertionError):
        await buffered_end(pair, user_id, stream, within_s=0.5)
    async with chat(pair.b, alice) as stopper:
        # ...until a `stop` from a socket on the other process.
        await stopper.send(json.dumps({"type": "stop", "stream": stream}))
        end = await receive(stopper)
        assert end["type"] == "stream.end"
        assert end["reason"] == "stopped"
    await buffered_end(pair, user_id, stream)
    async with chat(pair.b, alice) as back:
        await resume(back, stream, after=1)
        rest = await read_through_end(back)
        assert seqs(rest) == [2, 3, 4, 5, 6]
        assert rest[-1]["type"] == "stream.end"
        assert rest[-1]["reason"] == "stopped"
        await assert_nothing_more(back, settle_s=0)

        # From the beginning (after 0): the start frame too, then everything once.
        await resume(back, stream, after=0)
        whole = await read_through_end(back)
        assert whole[0]["type"] == "stream.start"
        assert whole[0]["reply_to"] == "c1"
        assert seqs(whole[1:]) == [1, 2, 3, 4, 5, 6]

        # After the end: nothing to send, and no error.
        await resume(back, stream, after=6)
        await assert_nothing_more(back)


async def test_unknown_expired_or_foreign_streams_are_not_found(pair: Pair) -> None:
    alice = await sign_up(pair.a, "alice")
    bob = await sign_up(pair.a, "bob")
    stream = new_stream()
    async with chat(pair.a, alice) as socket:
        await say(socket, "c1", f"stream {stream}")
        gated(pair).gate(stream).set()
        assert (await read_through_end(socket))[-1]["reason"] == "end"
    alice_id = await user_id_of(pair.b, alice)

    async with chat(pair.b, bob) as intruder:
        await resume(intruder, stream, after=0)
        refused = await receive(intruder)
        assert refused["type"] == "error"
        assert refused["code"] == "not_found"
        await assert_nothing_more(intruder, settle_s=0)

    async with chat(pair.b, alice) as socket:
        await resume(socket, new_stream(), after=0)
        unknown = await receive(socket)
        assert unknown["type"] == "error"
        assert unknown["code"] == "not_found"

        # A finished stream stays resumable for about two minutes, then it is gone.
        redis = Redis.from_url(pair.redis.url)
        try:
            key = stream_key(alice_id, stream)
            assert 0 < await redis.ttl(key) <= TTL_S
            await resume(socket, stream, after=9)
            assert seqs(await read_through_end(socket)) == [10, 11]
            await redis.delete(key)  # what the expiry does
        finally:
            await redis.aclose()
        await resume(socket, stream, after=9)
        expired = await receive(socket)
        assert expired["type"] == "error"
        assert expired["code"] == "not_found"
        await assert_nothing_more(socket, settle_s=0)


async def test_a_follower_stops_promptly_when_its_stream_dies_or_redis_is_down(
    pair: Pair,
) -> None:
    """Through the buffer itself: a stream whose producer died (no `stream.end`, its key
    expires) and an unreachable Redis both end a replay with not_found instead of hanging."""
    redis = Redis.from_url(pair.redis.url)
    dead = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
    try:
        async with StreamBuffer(redis, redis) as buffer:
            stream = new_stream()
            buffer.record("u1", StreamStart(stream=stream, reply_to="c1", model="m"))
            buffer.record("u1", StreamDelta(stream=stream, seq=1, text="only "))
            # `record` never waits; the frames reach Redis a moment later.
            deadline = time.monotonic() + 5
            while await redis.xlen(stream_key("u1", stream)) < 2:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.01)
            replay = buffer.replay("u1", stream, after=0)
            assert (await anext(replay)).seq == 0
            assert (await anext(replay)).text == encode(
                StreamDelta(stream=stream, seq=1, text="only ")
            )
            await redis.delete(stream_key("u1", stream))  # what the TTL does
            started = time.monotonic()
            with pytest.raises(ApiError) as gone:
                await anext(replay)
            assert gone.value.code == "not_found"
            assert time.monotonic() - started < 3 * FOLLOW_BLOCK_MS / 1000

        async with StreamBuffer(dead, dead) as unreachable:
            with pytest.raises(ApiError) as down:
                await anext(unreachable.replay("u1", stream, after=0))
            assert down.value.code == "not_found"
    finally:
        await redis.aclose()
        await dead.aclose()


@pytest.fixture(scope="module")
def coached(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """A pair running the real coaching turn, with the scripted model (about 1.5 s a reply)."""
    model = "scripted://?ttft_ms=20&tokens_per_s=40&tokens=60"
    with server_pair(Path(tmp_path_factory.mktemp("coached")), model=model) as servers:
        yield servers


async def test_a_real_coaching_reply_is_resumed_on_the_other_process_as_the_asker_saw_it(
    coached: Pair,
) -> None:
    alice = await sign_up(coached.a, "alice")
    async with chat(coached.a, alice) as asker:
        async with chat(coached.b, alice) as tab:
            await say(asker, "c1", "how should I train this week?")
            start = await receive(tab)
            assert start["type"] == "stream.start"
            assert start["reply_to"] == "c1"
            first = await receive(tab)
            assert first["seq"] == 1
        async with chat(coached.b, alice) as back:
            await resume(back, start["stream"], after=1)
            asked = time.monotonic()
            resumed = await read_through_end(back)
            # The replay had to follow the stream live: it was far from over when asked.
            assert time.monotonic() - asked > 0.3
            await assert_nothing_more(back, settle_s=0.1)
        seen = await read_through_end(asker)
    assert seen[0] == start
    assert seen[1] == first
    # Nothing lost: placed by seq, less repeats, the socket got exactly the frames the asker
    # got after seq 1. (Those published between `ready` and the `resume` may come live first,
    # and again in the replay.)
    assert by_seq(resumed) == seen[2:]
    assert resumed[-1]["type"] == "stream.end"
    assert resumed[-1]["reason"] == "end"


async def test_a_socket_that_resumes_after_live_frames_reached_it_still_gets_them_all(
    coached: Pair,
) -> None:
    """The race behind the test above: a reconnected socket follows the user's streams live
    from `ready` on, so frames can reach it before its `resume` does. The replay sends them
    again, so a client that set them aside (it did not know the stream yet) misses nothing."""
    alice = await sign_up(coached.a, "alice")
    async with chat(coached.a, alice) as asker:
        await say(asker, "c1", "how should I train this week?")
        start = await receive(asker)
        assert (await receive(asker))["seq"] == 1
        async with chat(coached.b, alice) as back:
            early = await receive(back)  # live, before any resume
            assert early["type"] == "stream.delta"
            await resume(back, start["stream"], after=1)
            rest = await read_through_end(back)
            await assert_nothing_more(back, settle_s=0.1)
        seen = await read_through_end(asker)
    assert early in rest  # sent again by the replay
    assert by_seq(rest) == seen  # the replay alone: every frame after seq 1
    assert by_seq([early, *rest]) == seen
