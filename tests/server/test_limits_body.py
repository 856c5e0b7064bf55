"""Limits on what a request or a frame carries, against a live server: REST bodies over the size
limit are refused with 413 before they are read (from Content-Length at once, or as a chunked
body passes the limit), and JSON nested too deep is a 400 on REST and an `error` frame on the
socket, which stays open — never a traceback, a reset or a close."""

from __future__ import annotations

import json
import socket
import time

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

from tests.server.helpers import sign_up
from tests.server.live import ORIGIN, LiveServer

TWELVE_MB = 12 * 1024 * 1024


def connect_raw(server: LiveServer) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=5)


def response_of(sock: socket.socket) -> tuple[int, dict[str, object], bool]:
    """Status and JSON body of the one response the server sends, and whether it then closed
    the connection (within the socket's timeout; a reset counts as closed)."""
    received = b""
    closed = True
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        closed = False
    except ConnectionResetError:
        pass
    head, _, body = received.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body), closed


def post_head(path: str, *headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    return "\r\n".join([*lines, *headers, "", ""]).encode()


def test_a_declared_12_mb_body_is_refused_before_it_is_sent(server: LiveServer) -> None:
    with connect_raw(server) as sock:
        sock.sendall(post_head("/auth/signin", f"Content-Length: {TWELVE_MB}"))
        # Not one byte of the body is sent: the answer cannot have waited for it.
        started = time.monotonic()
        sock.settimeout(2)
        status, body, closed = response_of(sock)
        took = time.monotonic() - started
    assert status == 413
    assert body["error"] == {
        "code": "too_large",
        "message": f"Request bodies are limited to {server.settings.max_body_bytes} bytes",
    }
    assert closed
    assert took < 2


def test_a_12_mb_body_sent_anyway_still_gets_its_413(server: LiveServer) -> None:
    # The server drops what still arrives after refusing, so the client reads the 413 instead
    # of a reset.
    with connect_raw(server) as sock:
        sock.sendall(post_head("/auth/signin", f"Content-Length: {TWELVE_MB}"))
        sock.sendall(b" " * TWELVE_MB)
        status, body, closed = response_of(sock)
    assert status == 413
    assert body["error"]["code"] == "too_large"  # type: ignore[index]
    assert closed


def test_a_chunked_body_is_refused_once_it_passes_the_limit(server: LiveServer) -> None:
    chunk = b" " * 65536
    sent = 0
    with connect_raw(server) as sock:
        sock.sendall(post_head("/auth/signin", "Transfer-Encoding: chunked"))
        while sent <= server.settings.max_body_bytes:
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
        # The body has not ended (no last chunk): the 413 cannot have waited for its end.
        status, body, closed = response_of(sock)
    assert status == 413
    assert body["error"]["code"] == "too_large"  # type: ignore[index]
    assert closed


async def test_a_body_within_the_limit_is_read(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/auth/signin", json={"email": "nobody@example.com", "password": "x" * 200_000}
    )
    assert response.status_code != 413


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


async def test_deeply_nested_json_is_a_bad_request_on_rest(http: httpx.AsyncClient) -> None:
    for text in (nested(1000), nested(10_000), '{"email":' + nested(40) + "}"):
        # No sign-in needed: the public endpoints read bodies too.
        for path in ("/auth/signin", "/auth/signup"):
            response = await http.post(
                path, content=text, headers={"content-type": "application/json"}
            )
            assert response.status_code == 400, (path, len(text), response.text[:200])
            error = response.json()["error"]
            assert error["code"] == "bad_request"
            assert "32" in error["message"]
    shallow = await http.post("/auth/signin", json={"email": [[["x"]]]})
    assert shallow.status_code == 422  # parsed, then refused for its shape


async def open_socket(server: LiveServer) -> ClientConnection:
    token = (await sign_up(server, "nesting"))["Authorization"].removeprefix("Bearer ")
    socket = await connect(
        server.ws_url,
        origin=Origin(ORIGIN),
        subprotocols=[Subprotocol("v7.chat.v1"), Subprotocol(f"bearer.{token}")],
    )
    ready = json.loads(await socket.recv())
    assert ready["type"] == "ready"
    return socket


async def test_deeply_nested_frames_get_an_error_frame_and_the_socket_stays_open(
    server: LiveServer,
) -> None:
    async with await open_socket(server) as socket:
        for text in (
            nested(1000),
            nested(10_000),
            '{"type":"say","id":"n1","text":"hi","x":' + nested(100) + "}",
        ):
            await socket.send(text)
            error = json.loads(await socket.recv())
            assert error["type"] == "error"
            assert error["code"] == "bad_request"
            assert "32" in error["message"]
        await socket.send(json.dumps({"type": "ping", "id": "still-open"}))
        assert json.loads(await socket.recv()) == {"type": "pong", "id": "still-open"}
