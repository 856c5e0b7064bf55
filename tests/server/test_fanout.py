"""Every socket of a user sees the `saved` frames its other sockets cause, when the sockets are
on different server processes sharing one Redis — and on the same process while Redis is
down, with cross-process delivery coming back by itself when Redis does."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.helpers import sign_up
from tests.server.pair import Pair, assert_nothing_more, chat, receive, say, server_pair

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
