"""Every socket of a user sees the `saved` frames its other sockets cause, when the sockets are
on different server processes sharing one Redis — and on the same process while Redis is
down, with cross-process delivery coming back by itself when Redis does. Control messages about a
user (`Hub.control`) reach the processes that listen to the user: those holding a socket of
the user, or a turn's `Hub.hold`."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.server.helpers import sign_up
from tests.server.live import LiveServer
from tests.server.pair import (
    Pair,
    assert_nothing_more,
    chat,
    receive,
    say,
    server_pair,
    services_of,
    user_id_of,
)

T = TypeVar("T")

LOG = "/log gym 60min rpe 6 sent V3"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    with server_pair(Path(tmp_path_factory.mktemp("fanout"))) as servers:
        yield servers


async def test_a_saved_frame_reaches_the_users_socket_on_the_other_process_once(
    pair: Pair,
) -> None:
    alice = await sign_up(pair.a, "alice")
    bob = await sign_up(pair.a, "bob")
    async with (
        chat(pair.a, alice) as alice_a,
        chat(pair.b, alice) as alice_b,
        chat(pair.b, bob) as bob_b,
    ):
        await say(alice_a, "c1", LOG)
        on_a = await receive(alice_a)
        assert on_a["type"] == "saved"
        assert on_a["reply_to"] == "c1"
        assert on_a["item"]["duration"] == 60
        assert await receive(alice_b) == on_a
        # Exactly once on each of alice's sockets (process A also hears its own publication
        # back from Redis and must not deliver it again); nothing at all for bob.
        await assert_nothing_more(alice_a)
        await assert_nothing_more(alice_b, settle_s=0)
        await assert_nothing_more(bob_b, settle_s=0)

        # And the other way round, B to A.
        await say(alice_b, "c2", "/goal V6 boulder by 2027-06-30")
        on_b = await receive(alice_b)
        assert on_b["type"] == "saved"
        assert on_b["kind"] == "goal"
        assert await receive(alice_a) == on_b
        await assert_nothing_more(alice_b)
        await assert_nothing_more(alice_a, settle_s=0)
        await assert_nothing_more(bob_b, settle_s=0)


async def test_the_last_socket_leaving_stops_delivery_to_that_process(pair: Pair) -> None:
    alice = await sign_up(pair.a, "alice")
    async with chat(pair.a, alice) as alice_a:
        async with chat(pair.b, alice):
            pass
        # B unsubscribed when its socket closed; a socket opened there later still gets frames.
        async with chat(pair.b, alice) as alice_b:
            await say(alice_a, "c1", LOG)
            saved = await receive(alice_a)
            assert await receive(alice_b) == saved
            await assert_nothing_more(alice_b)


async def test_redis_down_keeps_local_fanout_and_redis_back_restores_cross_process(
    pair: Pair,
) -> None:
    alice = await sign_up(pair.a, "alice")
    async with (
        chat(pair.a, alice) as tab1,
        chat(pair.a, alice) as tab2,
        chat(pair.b, alice) as remote,
    ):
        pair.redis.kill()
        try:
            # Down: both tabs on A stay in sync; B cannot be reached and gets nothing.
            await say(tab1, "down", LOG)
            saved = await receive(tab1)
            assert saved["type"] == "saved"
            assert await receive(tab2) == saved
            await assert_nothing_more(remote)
        finally:
            pair.redis.start()

        # Back: without restarting anything, B hears A again (its subscriber reconnects with
        # backoff, so try a few times within a deadline).
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        attempt = 0
        while True:
            attempt += 1
            await say(tab1, f"up{attempt}", LOG)
            saved = await receive(tab1)
            assert await receive(tab2) == saved
            try:
                assert await receive(remote, timeout=0.5) == saved
                break
            except TimeoutError:
                assert loop.time() < deadline, "cross-process delivery did not come back"
        await assert_nothing_more(remote)
        await assert_nothing_more(tab2, settle_s=0)
        await assert_nothing_more(tab1, settle_s=0)


def loop_of(server: LiveServer) -> asyncio.AbstractEventLoop:
    """The event loop the live server runs on (its own thread)."""
    return server.server.servers[0].get_loop()


async def on_server(server: LiveServer, work: Coroutine[Any, Any, T]) -> T:
    """Run `work` on the server's own event loop, where its hub lives."""
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, loop_of(server)))


class Heard:
    """The control messages of kind `probe` one process acted on (from its own loop)."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def __call__(self, user_id: str, payload: dict[str, Any]) -> None:
        with self._lock:
            self.messages.append((user_id, payload))

    async def wait_for(self, count: int, timeout: float = 2.0) -> None:
        async with asyncio.timeout(timeout):
            while len(self.messages) < count:
                await asyncio.sleep(0.01)


@pytest.fixture(scope="module")
def heard(pair: Pair) -> tuple[Heard, Heard]:
    """What process A and process B hear of `probe` control messages."""
    on_a, on_b = Heard(), Heard()
    services_of(pair.a).hub.on_control("probe", on_a)
    services_of(pair.b).hub.on_control("probe", on_b)
    return on_a, on_b


async def test_a_control_message_reaches_the_processes_that_listen_to_the_user(
    pair: Pair, heard: tuple[Heard, Heard]
) -> None:
    on_a, on_b = heard
    on_a.messages.clear()
    on_b.messages.clear()
    alice = await sign_up(pair.a, "alice")
    alice_id = await user_id_of(pair.a, alice)
    bob_id = await user_id_of(pair.a, await sign_up(pair.a, "bob"))
    async with chat(pair.b, alice):
        # Sent on A, which holds no socket of alice: A acts on it itself, B (her socket) too.
        await on_server(pair.a, _control(pair.a, alice_id, {"n": 1}))
        await on_b.wait_for(1)
        assert on_a.messages == [(alice_id, {"n": 1})]
        assert on_b.messages == [(alice_id, {"n": 1})]

        # About bob, whom B does not listen to: only A (the sender) acts.
        await on_server(pair.a, _control(pair.a, bob_id, {"n": 2}))
        await asyncio.sleep(0.3)  # time enough to cross Redis, were B listening
        assert on_a.messages[-1] == (bob_id, {"n": 2})
        assert on_b.messages == [(alice_id, {"n": 1})]


async def test_a_hold_keeps_a_process_listening_after_the_users_sockets_close(
    pair: Pair, heard: tuple[Heard, Heard]
) -> None:
    on_b = heard[1]
    on_b.messages.clear()
    carol_id = await user_id_of(pair.a, await sign_up(pair.a, "carol"))
    holding = threading.Event()
    release = threading.Event()

    async def hold_on_b() -> None:
        async with services_of(pair.b).hub.hold(carol_id):
            holding.set()
            while not release.is_set():
                await asyncio.sleep(0.01)

    held = asyncio.ensure_future(on_server(pair.b, hold_on_b()))
    try:
        async with asyncio.timeout(5):
            while not holding.is_set():
                await asyncio.sleep(0.01)
        # B holds no socket of carol, only a turn's hold: it hears about her.
        await on_server(pair.a, _control(pair.a, carol_id, {"n": 3}))
        await on_b.wait_for(1)
        assert on_b.messages == [(carol_id, {"n": 3})]
    finally:
        release.set()
        await held
    # Hold released: B stops listening, and hears nothing more about carol.
    await on_server(pair.a, _control(pair.a, carol_id, {"n": 4}))
    await asyncio.sleep(0.3)
    assert on_b.messages == [(carol_id, {"n": 3})]


async def _control(server: LiveServer, user_id: str, payload: dict[str, Any]) -> None:
    services_of(server).hub.control(user_id, "probe", payload)
