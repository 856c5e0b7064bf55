"""The lighter pieces of the WebSocket protocol (`server.ws_protocol`): the receive inbox and
the writable flag behave as the asyncio primitives uvicorn uses, and swapping websockets'
handshake parser for a frame parser loses no frame, also from a client that sends frames
before it has the 101 (it keeps the old parser)."""

from __future__ import annotations

import asyncio

import pytest
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import OPEN
from websockets.server import ServerProtocol
from websockets.uri import parse_uri

from server.ws_protocol import Flag, Inbox, _forget_the_upgrade


async def test_the_inbox_hands_messages_over_in_order_to_one_reader() -> None:
    inbox: Inbox[int] = Inbox()
    assert inbox.empty()
    reader = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="one reader"):
        await inbox.get()
    inbox.put_nowait(1)
    inbox.put_nowait(2)
    assert await reader == 1
    assert await inbox.get() == 2
    assert inbox.empty()


async def test_the_flag_holds_writers_while_clear_and_wakes_them_all_when_set() -> None:
    flag = Flag()
    assert not flag.is_set()
    waiters = [asyncio.ensure_future(flag.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(waiter.done() for waiter in waiters)
    flag.set()
    assert await asyncio.gather(*waiters) == [True, True, True]
    flag.clear()
    late = asyncio.ensure_future(flag.wait())
    await asyncio.sleep(0)
    late.cancel()  # a cancelled writer leaves nothing behind
    with pytest.raises(asyncio.CancelledError):
        await late
    flag.set()
    assert await flag.wait()


def _handshake(early: bytes = b"") -> tuple[ServerProtocol, ClientProtocol]:
    """A server and a client protocol after the upgrade, the client's `early` bytes having
    reached the server with its request."""
    client = ClientProtocol(parse_uri("ws://127.0.0.1/ws"))
    server = ServerProtocol()
    client.send_request(client.connect())
    server.receive_data(b"".join(client.data_to_send()) + early)
    (request, *frames) = server.events_received()
    assert isinstance(request, Request)
    server.send_response(server.accept(request))
    client.receive_data(b"".join(server.data_to_send()))
    client.events_received()
    server.events = frames  # what arrived with the request stays for the server to read
    return server, client


def test_frames_after_the_swap_are_parsed_as_before() -> None:
    server, client = _handshake()
    handshake_parser = server.parser
    _forget_the_upgrade(server)
    assert server.parser is not handshake_parser  # the request it held is let go
    client.send_text(b'{"type":"ping"}')
    client.send_ping(b"x")
    server.receive_data(b"".join(client.data_to_send()))
    events = server.events_received()
    assert [(event.opcode, event.data) for event in events if isinstance(event, Frame)] == [
        (Opcode.TEXT, b'{"type":"ping"}'),
        (Opcode.PING, b"x"),
    ]


@pytest.mark.parametrize("arrived", [1, 2, 3, 6])
def test_a_client_that_sent_a_frame_before_the_101_keeps_the_old_parser(arrived: int) -> None:
    eager = ClientProtocol(parse_uri("ws://127.0.0.1/ws"))
    eager.state = OPEN  # a client that does not wait for the 101
    eager.send_text(b"too early")
    early = b"".join(eager.data_to_send())
    server, _ = _handshake(early[:arrived])  # that much of it came with the request
    parser = server.parser
    _forget_the_upgrade(server)
    assert server.parser is parser
    server.receive_data(early[arrived:])
    texts = [event.data for event in server.events_received() if isinstance(event, Frame)]
    assert texts == [b"too early"]
