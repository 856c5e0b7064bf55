"""The WebSocket endpoint `/ws` (protocol `v7.chat.v1`): the socket loop and nothing else.

Before the upgrade: the Origin must be in the allow-list and the client must speak
`v7.chat.v1` (else HTTP 403); a draining server answers 503. After it: the token (header or
`bearer.<token>` subprotocol) must verify (else close 4001). Then frames are read, rate-limited,
parsed and handed to the `ChatHandler`; every frame it emits is written by one writer task per
socket, so frames never interleave. Frames marked `to_all` reach the user's other sockets too,
on every server process (`Hub` + `server.fanout`). Stream frames are recorded in the stream
buffer (`server.streams`) so that `resume` can replay them here or on another process. A `say`
is executed at most once per id (`handlers/idempotency.py`, its records in Redis) and is not
cancelled when its socket closes: a reply streams on for the grace window (`server/runs.py`).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from datetime import datetime

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from core.caller import Caller
from core.errors import BadFrame
from core.zones import label
from handlers.frames import (
    PROTOCOL,
    Auth,
    Confirm,
    Dismiss,
    Error,
    Ping,
    Pong,
    Ready,
    Resume,
    Say,
    Stop,
    UserInfo,
    encode,
    parse_client_frame,
)
from handlers.idempotency import Keep, delivers
from handlers.session import Outgoing
from server.auth.errors import AuthError
from server.errors import (
    CLOSE_RATE_LIMIT,
    CLOSE_TOO_LARGE,
    CLOSE_UNAUTHORIZED,
    ApiError,
    error_frame,
)
from server.frame_limit import FrameRateLimit, Verdict
from server.hub import Socket
from server.logs import correlation_id
from server.run import MAX_FRAME_BYTES
from server.runs import asked_over
from server.security import authenticate
from server.services import Services, services_of
from server.streams import STREAM_FRAMES
from server.turns import Turns

log = logging.getLogger("v7.ws")

BEARER_PREFIX = "bearer."
MAX_REPLAYS = 4
"""Streams one socket may be resuming at the same time."""
EXPIRY_CHECK_S = 30.0
"""How often at most an open socket's token expiry is checked against the clock."""
MAX_REPLAYED = 64
"""Finished replays a socket remembers to drop late live copies of their frames."""


def bearer_token(websocket: WebSocket) -> str | None:
    header = websocket.headers.get("authorization", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        return header[7:].strip()
    for offered in websocket.scope.get("subprotocols", []):
        if offered.startswith(BEARER_PREFIX) and len(offered) > len(BEARER_PREFIX):
            return str(offered[len(BEARER_PREFIX) :])
    return None


async def _verify(services: Services, token: str | None) -> tuple[Caller, datetime]:
    caller, principal = await authenticate(
        services.auth.verifier, services.users, token, services.clock()
    )
    return caller, principal.expires_at


async def chat_socket(websocket: WebSocket) -> None:
    services = services_of(websocket)
    settings = services.settings
    offered = list(websocket.scope.get("subprotocols", []))
    origin = websocket.headers.get("origin")
    if origin not in settings.websocket_origins:
        await websocket.send_denial_response(
            JSONResponse({"error": {"code": "bad_request", "message": "origin not allowed"}}, 403)
        )
        return
    if offered and PROTOCOL not in offered:
        await websocket.send_denial_response(
            JSONResponse(
                {"error": {"code": "bad_request", "message": f"subprotocol {PROTOCOL} required"}},
                403,
            )
        )
        return
    if services.lifecycle.draining:
        await websocket.send_denial_response(
            JSONResponse({"error": {"code": "internal", "message": "server is draining"}}, 503)
        )
        return

    await websocket.accept(subprotocol=PROTOCOL if PROTOCOL in offered else None)
    token = bearer_token(websocket)
    # The upgrade's headers and offered subprotocols (the token among them) are not read
    # again: an open socket does not keep them, nor the token, for hours.
    websocket.scope["headers"].clear()
    websocket.scope["subprotocols"].clear()
    try:
        caller, expires_at = await _verify(services, token)
    except AuthError as error:
        await websocket.close(CLOSE_UNAUTHORIZED, error.message[:120])
        return
    del token

    socket = Socket(websocket, caller, expires_at)
    correlation_id.set(f"ws-{uuid.uuid4().hex[:12]}")
    services.lifecycle.add_socket(id(socket), socket.close)
    expiry = _Expiry(services, socket)
    turns = Turns()
    log.info("socket open", extra={"user": caller.user_id})
    try:
        await services.hub.add(socket)
        await _greet(services, socket)
        await _read_loop(services, socket, turns)
    finally:
        expiry.cancel()
        for task in turns.others:
            task.cancel()
        await asyncio.gather(*turns.others, return_exceptions=True)
        await socket.finish(timeout=2.0)
        await services.hub.remove(socket)
        services.lifecycle.remove_socket(id(socket))
        log.info("socket closed", extra={"user": caller.user_id, "code": socket.close_code})
        await turns.outlived()


async def _greet(services: Services, socket: Socket) -> None:
    """Send `ready` (in a function of its own: what it is built from is not kept for the
    socket's life by the connection's frame)."""
    caller = socket.caller
    quota = await services.chat.on_connect(caller)
    user = UserInfo(id=caller.user_id, tier=caller.tier, timezone=label(caller.timezone))
    socket.greet(Ready(user=user, quota=quota))


async def _read_loop(services: Services, socket: Socket, turns: Turns) -> None:
    limiter = FrameRateLimit()
    websocket = socket.websocket
    while not socket.closed:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            socket.closed = True
            return
        text = message.get("text")
        if text is None:
            socket.send(Error(code="bad_request", message="frames are JSON text, not binary"))
            continue
        if len(text.encode()) > MAX_FRAME_BYTES:
            socket.close_soon(CLOSE_TOO_LARGE, "frame too large")
            return
        verdict = limiter.check()
        if verdict is Verdict.CLOSE:
            socket.close_soon(CLOSE_RATE_LIMIT, "too many frames")
            return
        if verdict is Verdict.REFUSE:
            socket.send(
                Error(
                    code="rate_limited",
                    message="slow down: too many frames",
                    retry_after_ms=limiter.retry_after_ms(),
                )
            )
            continue
        try:
            frame = parse_client_frame(text)
        except BadFrame as error:
            socket.send(Error(code=error.code, message=error.message))
            continue
        match frame:
            case Ping():
                socket.send(Pong(id=frame.id))
            case Auth():
                await _reauthenticate(services, socket, frame)
            case Say():
                turns.start(turns.says, _run_say(services, socket, frame))
            case Resume():
                _start_replay(services, socket, frame, turns)
            case Stop() | Confirm() | Dismiss():
                turns.start(turns.others, _run_control(services, socket, frame))


def _start_replay(services: Services, socket: Socket, resume: Resume, turns: Turns) -> None:
    if resume.stream in socket.replaying:
        socket.send(Error(code="bad_request", message=f"already resuming {resume.stream}"))
        return
    if len(socket.replaying) >= MAX_REPLAYS:
        socket.send(Error(code="rate_limited", message=f"at most {MAX_REPLAYS} resumes at a time"))
        return
    # Hold back live frames of the stream from now on, before the replay reads the buffer:
    # the replay delivers them itself, so none is lost between the two or sent twice.
    socket.replaying.add(resume.stream)
    turns.start(turns.others, _replay(services, socket, resume))


async def _replay(services: Services, socket: Socket, resume: Resume) -> None:
    """Send the rest of a stream of this socket's user, then its live frames until it ends.

    Every frame after `resume.after`, including any this socket was sent live before the
    `resume` (a reconnected socket follows the user's streams from `ready` on): a client that
    set aside frames of a stream it did not know yet, as the web UI does, still gets them all,
    and one that kept them drops the repeats by `seq`."""
    try:
        async for item in services.streams.replay(
            socket.caller.user_id, resume.stream, resume.after
        ):
            socket.send_text(item.text)
        if len(socket.replayed) >= MAX_REPLAYED:
            socket.replayed.clear()
        socket.replayed.add(resume.stream)
    except ApiError as error:
        socket.send(Error(code=error.code, message=error.message))
    finally:
        socket.replaying.discard(resume.stream)


async def _reauthenticate(services: Services, socket: Socket, frame: Auth) -> None:
    """An `auth` refresh: the new token must verify and be the same user's, and the account
    is read again, as at connect: an erased account closes the socket with 4001; a changed
    tier or time zone is served from now on."""
    try:
        caller, expires_at = await _verify(services, frame.token)
    except AuthError as error:
        socket.close_soon(CLOSE_UNAUTHORIZED, error.message[:120])
        return
    if caller.user_id != socket.caller.user_id:
        socket.close_soon(CLOSE_UNAUTHORIZED, "the token belongs to another user")
        return
    services.hub.recall(caller)
    socket.expires_at = expires_at


class _Expiry:
    """Closes the socket with 4001 when its token expires without an `auth` refresh (which moves
    `socket.expires_at`): one timer, re-armed at most `EXPIRY_CHECK_S` ahead, rather than a
    task per socket (the clock is the app's, so a frozen test clock is honoured on each check)."""

    def __init__(self, services: Services, socket: Socket) -> None:
        self._services = services
        self._socket = socket
        self._timer: asyncio.TimerHandle | None = None
        self._check()

    def _check(self) -> None:
        socket = self._socket
        if socket.closed:
            return
        remaining = (socket.expires_at - self._services.clock()).total_seconds()
        if remaining <= 0:
            socket.close_soon(CLOSE_UNAUTHORIZED, "token expired")
            return
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(min(remaining, EXPIRY_CHECK_S), self._check)

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def _deliver(services: Services, socket: Socket, outgoing: Outgoing) -> str:
    """Send a frame a handler emitted: to this socket, to every socket of the user on every
    process if `to_all`, and into the stream buffer if it is a stream frame; its JSON text.
    Never waits (so a handler can still emit its `stream.end` while its task is being
    cancelled). Once the socket has closed, only the buffer and the user's other sockets get
    it."""
    frame = outgoing.frame
    user_id = socket.caller.user_id
    text = encode(frame)
    stream = None
    if isinstance(frame, STREAM_FRAMES):
        stream = frame.stream
        services.streams.record(user_id, frame, text)
    socket.send_live(text, stream)
    if outgoing.to_all:
        services.hub.to_all(user_id, text, stream, skip=socket)
    return text


async def _run_say(services: Services, socket: Socket, say: Say) -> None:
    """Serve a `say` at most once per id (`services.says`: a retry on any process is answered
    with the first run's frames); a failure is answered with an `error` frame. Not cancelled
    when the socket closes: a reply streams on for the grace window (`server/runs.py`)."""
    caller = socket.caller
    asked_over(lambda: not socket.closed)

    delivered = False

    async def execute(keep: Keep) -> bool:
        async def emit(outgoing: Outgoing) -> None:
            nonlocal delivered
            keep(_deliver(services, socket, outgoing))
            delivered = delivered or delivers(outgoing.frame)

        async with services.lifecycle.busy():
            await services.chat.on_say(caller, say, emit)
        return delivered

    started = time.perf_counter()
    try:
        await services.says.run(caller.user_id, say, execute, socket.send_text)
    except Exception as error:
        # socket.caller, not caller: the account as the turn read it (a tier changed since)
        socket.send(await _refusal(services, socket.caller, error, say.id))
    finally:
        log.info("say", extra={"ms": round((time.perf_counter() - started) * 1000, 1)})


async def _run_control(services: Services, socket: Socket, frame: Stop | Confirm | Dismiss) -> None:
    """`stop`, `confirm` and `dismiss`: answered like a `say`, errors as `error` frames."""
    caller = socket.caller
    reply_to = frame.stream if isinstance(frame, Stop) else frame.proposal

    async def emit(outgoing: Outgoing) -> None:
        _deliver(services, socket, outgoing)

    try:
        async with services.lifecycle.busy():
            match frame:
                case Stop():
                    await services.chat.on_stop(caller, frame, emit)
                case Confirm():
                    await services.chat.on_confirm(caller, frame, emit)
                case Dismiss():
                    await services.chat.on_dismiss(caller, frame, emit)
    except Exception as error:
        socket.send(await _refusal(services, socket.caller, error, reply_to))


async def _refusal(
    services: Services, caller: Caller, error: BaseException, reply_to: str | None
) -> Error:
    """The `error` frame for `error`. A `quota_exceeded` one also carries where the climber
    stands, so the badge agrees with the refusal even if another tab or process used the
    allowance meanwhile (left out if it cannot be read: the refusal is what matters)."""
    frame = error_frame(error, reply_to)
    if frame.code != "quota_exceeded":
        return frame
    try:
        quota = await services.allowances.usage(caller)
    except Exception:
        log.warning("quota not read for a refusal", exc_info=True)
        return frame
    return frame.model_copy(update={"quota": quota})


PATH = "/ws"


class SocketsFirst:
    """ASGI middleware, outermost of the app's own: a `/ws` connection goes straight to
    `chat_socket`. A socket lives for hours and carries thousands of frames, and every layer
    between it and the server (middleware, exception wrapper, router) keeps a frame alive per
    socket and adds a call to every frame sent; none of them has work to do for a socket
    (`chat_socket` sets its own correlation id and answers its own refusals)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == PATH:
            await chat_socket(WebSocket(scope, receive, send))
            return
        await self.app(scope, receive, send)
