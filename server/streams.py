"""The buffer of streamed replies in Redis, so that a client can `resume` a stream after a
reconnect, on this server process or on any other that shares the Redis.

Every `stream.start` / `stream.delta` / `stream.end` frame is appended to a Redis Stream
`v7:stream:{user}:{stream}` (fields `q` = seq, `f` = the frame's JSON, `e` = end marker), capped
at `MAX_ENTRIES` and expiring `TTL_S` after its last write, so a finished stream lingers two
minutes and a stream whose producer died goes away on its own. The owner's id is part of the
key: another user's stream id is simply not found.

`record` never waits (see `BatchWriter`): every batch of frames is appended by one script call
(`APPEND`), one round trip and one reply however many streams it touches; `replay` yields the
buffered frames after a seq, then follows the live stream (XREAD BLOCK) until its `stream.end`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from handlers.frames import ServerFrame, StreamDelta, StreamEnd, StreamStart, encode
from server.errors import ApiError
from server.redis_io import BatchWriter, WriteBatch

StreamFrame = StreamStart | StreamDelta | StreamEnd
STREAM_FRAMES = (StreamStart, StreamDelta, StreamEnd)

TTL_S = 120
"""How long a stream stays resumable after its last frame."""
MAX_ENTRIES = 5_000
"""Cap on one stream's entries (approximate trimming): deltas are coalesced, so a reply has a
few hundred at most."""
FOLLOW_BLOCK_MS = 1_000
"""One XREAD BLOCK while following; between two, the follower checks the stream still exists
(a producer that died leaves a stream that expires instead of ending)."""


def user_streams_prefix(user_id: str) -> str:
    """What the key of every buffered stream of the user begins with (erasure removes them)."""
    return f"v7:stream:{user_id}:"


def stream_key(user_id: str, stream_id: str) -> str:
    return f"{user_streams_prefix(user_id)}{stream_id}"


def stream_of(frame: ServerFrame) -> str | None:
    """The stream a frame belongs to, or None for a frame that is not part of a stream."""
    return frame.stream if isinstance(frame, STREAM_FRAMES) else None


def seq_of(frame: StreamFrame) -> int:
    """A frame's position in its stream: `stream.start` is 0, deltas and the end carry theirs."""
    return 0 if isinstance(frame, StreamStart) else frame.seq


@dataclass(frozen=True)
class Buffered:
    """One buffered frame: its position, its JSON text, and whether it ends the stream."""

    seq: int
    text: str
    end: bool


@dataclass(frozen=True)
class _Record:
    key: str
    seq: int
    text: str
    end: bool


APPEND = """
-- KEYS[i]: the stream of record i. ARGV: the entry cap, the TTL (s), then per record its seq,
-- its frame's JSON and "1" if it ends the stream (else "").
local cap, ttl = ARGV[1], ARGV[2]
local touched, seen = {}, {}
for i, key in ipairs(KEYS) do
  local at = 2 + (i - 1) * 3
  if ARGV[at + 3] == "1" then
    redis.call("XADD", key, "MAXLEN", "~", cap, "*", "q", ARGV[at + 1], "f", ARGV[at + 2], "e", 1)
  else
    redis.call("XADD", key, "MAXLEN", "~", cap, "*", "q", ARGV[at + 1], "f", ARGV[at + 2])
  end
  if not seen[key] then
    seen[key] = true
    touched[#touched + 1] = key
  end
end
for _, key in ipairs(touched) do
  redis.call("EXPIRE", key, ttl)
end
return #KEYS
"""


def _appender(redis: Redis) -> WriteBatch[_Record]:
    """Append a batch of records with one call of `APPEND`."""
    append = redis.register_script(APPEND)

    async def write(batch: list[_Record]) -> None:
        args: list[str | int] = [MAX_ENTRIES, TTL_S]
        for record in batch:
            args += (record.seq, record.text, "1" if record.end else "")
        await append(keys=[record.key for record in batch], args=args)

    return write


def _not_found(stream_id: str, why: str) -> ApiError:
    return ApiError(404, "not_found", f"Stream {stream_id} cannot be resumed: {why}")


class StreamBuffer:
    """Records stream frames and replays them. `redis` is the app's client (writes);
    `patient` a client whose socket timeout outlasts `FOLLOW_BLOCK_MS` (reads).

    Use as `async with StreamBuffer(...)`: the context runs the writer task."""

    def __init__(self, redis: Redis, patient: Redis) -> None:
        self._patient = patient
        self._writer: BatchWriter[_Record] = BatchWriter("stream buffer", _appender(redis))

    async def __aenter__(self) -> StreamBuffer:
        await self._writer.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._writer.__aexit__(*exc)

    def record(self, user_id: str, frame: StreamFrame, text: str | None = None) -> None:
        """Buffer one frame of `user_id`'s stream (`text` is its JSON if already encoded).
        Never blocks and never raises for Redis: a frame that cannot be written while Redis is
        down is dropped, and that stream is then not (fully) resumable."""
        self._writer.put(
            _Record(
                stream_key(user_id, frame.stream),
                seq_of(frame),
                text if text is not None else encode(frame),
                isinstance(frame, StreamEnd),
            )
        )

    async def replay(self, user_id: str, stream_id: str, after: int) -> AsyncIterator[Buffered]:
        """Yield `user_id`'s stream `stream_id` from the frame after seq `after` (the start
        frame too when `after` is 0), in order, then follow it live until its `stream.end`.

        Raises `ApiError` with code `not_found` at once when the stream is unknown, expired,
        another user's, or Redis cannot be read; and while following, when the stream expires
        without ending (its producer died). Cancel-safe: cancelling only stops the reading."""
        key = stream_key(user_id, stream_id)
        try:
            entries: Any = await self._patient.xrange(key, "-", "+")
        except (RedisError, OSError):
            raise _not_found(stream_id, "the stream buffer is unavailable") from None
        if not entries:
            raise _not_found(stream_id, "it is unknown or has expired")
        last_id: Any = "0-0"
        while True:
            for entry_id, fields in entries:
                last_id = entry_id
                item = _decode(fields)
                if item.seq > after or (after == 0 and item.seq == 0):
                    yield item
                if item.end:
                    return
            entries = await self._follow(key, stream_id, last_id)

    async def _follow(self, key: str, stream_id: str, last_id: Any) -> list[Any]:
        """The entries after `last_id`, waiting for at least one."""
        try:
            while True:
                # RESP2 answer: [[key, [(id, fields), …]]], or nothing after the block.
                answer: Any = await self._patient.xread({key: last_id}, block=FOLLOW_BLOCK_MS)
                if answer:
                    entries: list[Any] = answer[0][1]
                    return entries
                if not await self._patient.exists(key):
                    raise _not_found(stream_id, "it expired before it ended")
        except (RedisError, OSError):
            raise _not_found(stream_id, "the stream buffer became unavailable") from None


def _decode(fields: dict[bytes, bytes]) -> Buffered:
    return Buffered(int(fields[b"q"]), fields[b"f"].decode(), b"e" in fields)
