"""The WebSocket protocol, through a real server on loopback and the `websockets` client."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin, Subprotocol

from server.auth.local_issuer import LocalIssuer
from server.auth.verifier import TokenVerifier
from tests.server.live import ORIGIN, LiveServer

PROTOCOL = "v7.chat.v1"


async def sign_up(http: httpx.AsyncClient) -> str:
    email = f"climber-{uuid.uuid4().hex[:8]}@example.com"
    response = await http.post(
        "/auth/signup", json={"email": email, "password": "correct horse 9", "name": "C"}
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["tokens"]["accessToken"]
    return token


def open_socket(
    server: LiveServer, token: str | None, *, origin: str | None = ORIGIN, **kwargs: Any
) -> Any:
    protocols = [PROTOCOL] + ([f"bearer.{token}"] if token else [])
    return connect(
        server.ws_url,
        subprotocols=[Subprotocol(p) for p in protocols],
        origin=Origin(origin) if origin else None,
        open_timeout=10,
        **kwargs,
    )


async def receive(socket: ClientConnection, timeout: float = 5.0) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), timeout))
    return frame


async def close_code(socket: ClientConnection, timeout: float = 10.0) -> int | None:
    """Read until the server closes; the close code it sent."""
    with pytest.raises(ConnectionClosed):
        async with asyncio.timeout(timeout):
            while True:
                await socket.recv()
    return socket.close_code


def verifier_of(issuer: LocalIssuer) -> TokenVerifier:
    return TokenVerifier(issuer.key_source(), issuer=issuer.issuer, client_id=issuer.client_id)


def issuer_of(server: LiveServer) -> LocalIssuer:
    return LocalIssuer.load_or_create(
        server.settings.data_dir,
        issuer=server.settings.local_issuer,
        client_id=server.settings.local_client_id,
    )


async def test_ready_frame_after_a_subprotocol_token(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    token = await sign_up(http)
    async with open_socket(server, token) as socket:
        assert socket.subprotocol == PROTOCOL
        ready = await receive(socket)
        assert ready["type"] == "ready"
        assert ready["protocol"] == PROTOCOL
        assert ready["user"]["tier"] == "free"
        await socket.send(json.dumps({"type": "ping", "id": "x"}))
        assert await receive(socket) == {"type": "pong", "id": "x"}


async def test_the_authorization_header_works_too(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    token = await sign_up(http)
    async with connect(
        server.ws_url,
        origin=Origin(ORIGIN),
        additional_headers={"Authorization": f"Bearer {token}"},
    ) as socket:
        assert (await receive(socket))["type"] == "ready"


@pytest.mark.parametrize("token", [None, "garbage", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."])
async def test_a_missing_or_bad_token_closes_with_4001(
    server: LiveServer, token: str | None
) -> None:
    async with open_socket(server, token) as socket:
        assert await close_code(socket) == 4001


@pytest.mark.parametrize("origin", ["http://evil.example", None, "http://127.0.0.1:8000.evil"])
async def test_a_foreign_or_missing_origin_gets_403_before_the_upgrade(
    server: LiveServer, http: httpx.AsyncClient, origin: str | None
) -> None:
    token = await sign_up(http)
    with pytest.raises(InvalidStatus) as refused:
        async with open_socket(server, token, origin=origin):
            pass
    assert refused.value.response.status_code == 403


async def test_a_client_that_does_not_speak_the_protocol_gets_403(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    token = await sign_up(http)
    with pytest.raises(InvalidStatus) as refused:
        async with connect(
            server.ws_url,
            subprotocols=[Subprotocol("chat.v0"), Subprotocol(f"bearer.{token}")],
            origin=Origin(ORIGIN),
        ):
            pass
    assert refused.value.response.status_code == 403


async def test_bad_frames_get_errors_and_the_socket_stays_open(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    token = await sign_up(http)
    async with open_socket(server, token) as socket:
        await receive(socket)
        for text, expected in [
            ("{not json", "JSON"),
            ('{"type":"dance"}', "unknown frame type"),
            ('{"type":"say","text":"hi"}', "bad say frame"),
        ]:
            await socket.send(text)
            error = await receive(socket)
            assert error["type"] == "error"
            assert error["code"] == "bad_request"
            assert expected in error["message"]
        await socket.send(b"\x00binary")
        assert (await receive(socket))["code"] == "bad_request"
        await socket.send(json.dumps({"type": "ping", "id": "still-here"}))
        assert await receive(socket) == {"type": "pong", "id": "still-here"}


async def test_a_frame_over_64_kib_closes_with_1009(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    token = await sign_up(http)
    async with open_socket(server, token) as socket:
        await receive(socket)
        await socket.send(json.dumps({"type": "say", "id": "big", "text": "x" * 70_000}))
        assert await close_code(socket) == 1009


@pytest.mark.alone
async def test_flooding_is_refused_then_closed_with_4029(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    token = await sign_up(http)
    async with open_socket(server, token) as socket:
        await receive(socket)
        for index in range(200):
            await socket.send(json.dumps({"type": "ping", "id": f"p{index}"}))
        codes: list[str] = []
        with pytest.raises(ConnectionClosed):
            async with asyncio.timeout(10):
                while True:
                    frame = await receive(socket)
                    codes.append(frame.get("code", frame["type"]))
        assert socket.close_code == 4029
        assert "pong" in codes
        assert "rate_limited" in codes


async def test_an_expired_token_closes_with_4001_unless_refreshed(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    issuer = issuer_of(server)
    access = await sign_up(http)
    user_id = (await verifier_of(issuer).verify(access)).user_id
    short = issuer.issue(user_id, None, "access", ttl=2)

    async with open_socket(server, short) as expiring:
        await receive(expiring)
        assert await close_code(expiring, timeout=6) == 4001

    async with open_socket(server, issuer.issue(user_id, None, "access", ttl=2)) as refreshed:
        await receive(refreshed)
        await refreshed.send(
            json.dumps({"type": "auth", "token": issuer.issue(user_id, None, "access", ttl=60)})
        )
        await asyncio.sleep(3)
        await refreshed.send(json.dumps({"type": "ping", "id": "alive"}))
        assert await receive(refreshed) == {"type": "pong", "id": "alive"}

        other = await sign_up(http)
        await refreshed.send(json.dumps({"type": "auth", "token": other}))
        assert await close_code(refreshed) == 4001


async def test_a_repeated_say_is_answered_again_not_executed_again(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    token = await sign_up(http)
    say = json.dumps({"type": "say", "id": "c-repeat", "text": "/log gym 75min rpe 6"})
    async with open_socket(server, token) as socket:
        await receive(socket)
        await socket.send(say)
        first = await receive(socket)
    async with open_socket(server, token) as again:  # the client reconnected and retried
        await receive(again)
        await again.send(say)
        second = await receive(again)
        await again.send(json.dumps({"type": "say", "id": "h1", "text": "/history"}))
        history = await receive(again)
    assert first["type"] == second["type"] == "saved"
    assert first["item"]["id"] == second["item"]["id"]
    assert first["undo"] == second["undo"]
    assert history["type"] == "reply"
    assert history["text"].count("75") == 1  # one session of 75 minutes, not two


async def test_every_tab_of_the_user_sees_saved_frames_and_nobody_else_does(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    token = await sign_up(http)
    stranger = await sign_up(http)
    async with (
        open_socket(server, token) as tab_a,
        open_socket(server, token) as tab_b,
        open_socket(server, stranger) as other_user,
    ):
        for socket in (tab_a, tab_b, other_user):
            await receive(socket)
        await tab_a.send(json.dumps({"type": "say", "id": "c1", "text": "/log board 45min"}))
        saved_a = await receive(tab_a)
        saved_b = await receive(tab_b)
        assert saved_a["kind"] == saved_b["kind"] == "session"
        assert saved_a["item"]["id"] == saved_b["item"]["id"]
        with pytest.raises(TimeoutError):
            await receive(other_user, timeout=0.5)
