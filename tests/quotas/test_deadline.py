"""`quotas.unavailable.deadline`: Redis's time limits count Redis's time only. A reply that
arrived while the event loop was busy elsewhere is read, not taken for an outage; a paused
Redis on an on-time loop still times out at the budget; waiting for this process's own pool
is not charged."""

from __future__ import annotations

import asyncio
import signal
import time

import pytest
from redis.exceptions import TimeoutError as RedisTimeoutError

from quotas.unavailable import deadline, not_counted
from server.redis_url import url_client
from tests.redis_servers import TcpRedis

BUSY_S = 0.3
"""How long the loop is kept busy: three times the 100 ms budget."""


def busy_loop() -> None:
    """What a saturated loop does to everyone else: one callback holds it."""
    time.sleep(BUSY_S)  # on purpose: this is the late loop


async def test_a_reply_that_came_while_the_loop_was_busy_is_read(tcp_server: TcpRedis) -> None:
    client = url_client(tcp_server.url)  # production client: 100 ms reads, late-loop aware
    try:
        await client.ping()  # a pooled connection, so only the command is timed below
        loop = asyncio.get_running_loop()
        loop.call_soon(busy_loop)
        async with deadline(0.1):
            assert await client.ping()
        # (A plain `asyncio.timeout(0.1)` here fires in the loop turn that also reads the
        # reply, and cancels the read: what the server did under load.)
    finally:
        await client.aclose()


async def test_a_paused_redis_still_times_out_on_time(tcp_server: TcpRedis) -> None:
    assert tcp_server.process is not None
    client = url_client(tcp_server.url)
    try:
        await client.ping()
        tcp_server.process.send_signal(signal.SIGSTOP)
        try:
            started = time.perf_counter()
            with pytest.raises(RedisTimeoutError):
                await client.ping()  # its 100 ms read timeout, on an on-time loop
            # At its budget, not after the late-loop grace (5 s): the bound leaves room for a
            # loaded machine, speed itself is measured in bench/.
            assert 0.09 < time.perf_counter() - started < 1.0
        finally:
            tcp_server.process.send_signal(signal.SIGCONT)
    finally:
        await client.aclose()


async def test_waiting_on_this_process_is_not_charged() -> None:
    started = time.perf_counter()
    async with deadline(0.1):
        with not_counted():
            await asyncio.sleep(0.2)  # e.g. every pooled connection busy
        await asyncio.sleep(0.05)  # Redis's own time: within the budget
    assert time.perf_counter() - started >= 0.25
    with pytest.raises(TimeoutError):
        async with deadline(0.1):
            with not_counted():
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.2)


async def test_waiting_while_redis_keeps_answering_others_is_not_an_outage(
    tcp_server: TcpRedis,
) -> None:
    client = url_client(tcp_server.url)

    async def others() -> None:
        """This process's other commands, which Redis keeps answering."""
        while True:
            await client.ping()
            await asyncio.sleep(0.02)

    busy = asyncio.create_task(others())
    try:
        async with deadline(0.1):
            await asyncio.sleep(0.3)  # e.g. queued behind them for a connection
    finally:
        busy.cancel()
        await asyncio.gather(busy, return_exceptions=True)
    # Once Redis falls silent the budget runs again.
    started = time.perf_counter()
    with pytest.raises(TimeoutError):
        async with deadline(0.1):
            await asyncio.sleep(2)
    assert time.perf_counter() - started < 1.0  # cut at the budget, not after the sleep
    await client.aclose()
