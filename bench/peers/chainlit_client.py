"""The client for the chainlit peer: N socket.io sessions in this process, timed the way
`bench/stream_bench.py` times the others.

Run by the peers venv's python (`make bench-peers`: python-socketio is not in the project's):
`chainlit_client.py URL SESSIONS TTFT_MS TOKENS_PER_S TOKENS`. It opens every session the way
chainlit's web client does (socket.io at `/ws/socket.io` over WebSocket, a fresh session id,
`connection_successful`), 50 at a time, prints `connected`, waits for a line on stdin, then
sends one user message per session at once and prints one JSON object: the seconds from "go" to
the last session's end, this process's CPU seconds over that time, and per session the first
token's extra delay, every token's lateness (seconds), the tokens delivered and why it was cut
short, if it was.

chainlit streams a reply as `stream_start` (carrying the first token), one `stream_token` per
further token, and `new_message` when `send()` ends it. When the script produced token `i` is
`sent + ttft + i / tokens_per_s` on this process's clock, as in `stream_bench`.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import socketio
import uvloop

OPENING = 50
TIMEOUT_S = 120.0


class Session:
    def __init__(self, url: str, ttft: float, tokens_per_s: float, tokens: int) -> None:
        self.url, self.ttft, self.rate, self.tokens = url, ttft, tokens_per_s, tokens
        self.client = socketio.AsyncClient(reconnection=False)
        self.sent = 0.0
        self.first_extra: float | None = None
        self.lateness: list[float] = []
        self.delivered = 0
        self.refused = ""
        self.done = asyncio.Event()
        self.stream = ""
        self.client.on("stream_start", self.on_start)
        self.client.on("stream_token", self.on_token)
        self.client.on("new_message", self.on_message)
        self.client.on("disconnect", self.on_disconnect)

    def token(self) -> None:
        arrived = time.perf_counter()
        due = self.sent + self.ttft
        if self.first_extra is None:
            self.first_extra = arrived - due
        self.lateness.append(arrived - due - self.delivered / self.rate)
        self.delivered += 1

    async def on_start(self, step: dict[str, Any]) -> None:
        self.stream = step["id"]
        if step.get("output"):
            self.token()

    async def on_token(self, data: dict[str, Any]) -> None:
        if data["id"] == self.stream and data["token"]:
            self.token()

    async def on_message(self, step: dict[str, Any]) -> None:
        if step.get("isError"):
            self.refused = "error"
            self.done.set()
        elif step["id"] == self.stream:
            self.done.set()

    async def on_disconnect(self, *_: object) -> None:
        if not self.done.is_set():
            self.refused = self.refused or "disconnected"
            self.done.set()

    async def connect(self) -> None:
        await self.client.connect(
            self.url,
            socketio_path="/ws/socket.io",
            transports=["websocket"],
            auth={
                "sessionId": str(uuid.uuid4()),
                "clientType": "webapp",
                "userEnv": "{}",
                "chatProfile": None,
                "threadId": None,
            },
            wait_timeout=60,
        )
        await self.client.emit("connection_successful")

    async def ask(self) -> None:
        self.sent = time.perf_counter()
        message = {
            "id": str(uuid.uuid4()),
            "threadId": "",
            "name": "User",
            "type": "user_message",
            "output": "how was my week?",
            "createdAt": datetime.now(UTC).isoformat(),
        }
        await self.client.emit("client_message", {"message": message, "fileReferences": None})
        try:
            async with asyncio.timeout(TIMEOUT_S):
                await self.done.wait()
        except TimeoutError:
            self.refused = "timeout"

    def result(self) -> dict[str, Any]:
        return {
            "first_extra": self.first_extra,
            "lateness": self.lateness,
            "delivered": self.delivered,
            "refused": self.refused,
        }


async def main(url: str, count: int, ttft: float, tokens_per_s: float, tokens: int) -> None:
    sessions = [Session(url, ttft, tokens_per_s, tokens) for _ in range(count)]
    opening = asyncio.Semaphore(OPENING)

    async def connect(session: Session) -> None:
        async with opening:
            await session.connect()

    await asyncio.gather(*(connect(session) for session in sessions))
    await asyncio.sleep(0.5)  # let the server settle after the handshakes, as stream_bench does
    print("connected", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    cpu_before, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(session.ask() for session in sessions))
    elapsed = time.perf_counter() - started
    cpu_used = time.process_time() - cpu_before
    await asyncio.gather(*(session.client.disconnect() for session in sessions))
    results = [session.result() for session in sessions]
    print(json.dumps({"elapsed": elapsed, "client_cpu": cpu_used, "sessions": results}))


if __name__ == "__main__":
    url, count, ttft_ms, rate, tokens = sys.argv[1:6]
    uvloop.run(main(url, int(count), int(ttft_ms) / 1000, float(rate), int(tokens)))
