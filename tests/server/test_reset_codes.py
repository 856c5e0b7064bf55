"""Password-reset codes against guessing, through the REST API of live servers: five tries per
account per hour across codes, one winner among concurrent confirms, a budget that a Redis flush
does not refill, and a Redis outage that refuses code tries rather than count them nowhere."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from server.auth.limits import AuthLimits, Rate
from server.redis_url import url_client
from tests.redis_servers import TcpRedis, free_port
from tests.server.live import ONE_ADDRESS_LIMITS, LiveServer, live_server

PASSWORD = "correct horse 9"
NEW_PASSWORD = "battery staple 7"


def new_email() -> str:
    return f"r-{uuid.uuid4().hex[:10]}@example.com"


def latest_code(server: LiveServer, email: str) -> str:
    """The newest reset code the local outbox holds for `email`."""
    outbox = Path(server.settings.data_dir) / "outbox"
    mails = [path for path in outbox.iterdir() if email in path.read_text()]
    newest = max(mails, key=lambda path: path.stat().st_mtime_ns)
    found = re.search(r"code is (\d{6})", newest.read_text())
    assert found is not None
    return found[1]


def wrong(code: str, n: int) -> str:
    """The n-th six-digit code that is not `code`."""
    return f"{(int(code) + 1 + n) % 1_000_000:06d}"


async def confirm(
    http: httpx.AsyncClient, email: str, code: str, password: str = NEW_PASSWORD
) -> httpx.Response:
    return await http.post(
        "/auth/confirm-password", json={"email": email, "code": code, "newPassword": password}
    )


async def account_with_code(http: httpx.AsyncClient, server: LiveServer) -> tuple[str, str]:
    email = new_email()
    assert (await http.post("/auth/signup", json={"email": email, "password": PASSWORD})).is_success
    assert (await http.post("/auth/forgot-password", json={"email": email})).status_code == 202
    return email, latest_code(server, email)


async def signs_in(http: httpx.AsyncClient, email: str, password: str) -> bool:
    response = await http.post("/auth/signin", json={"email": email, "password": password})
    return response.status_code == 200


def assert_refused_for_the_hour(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "rate_limited"
    assert 3000 < int(response.headers["Retry-After"]) <= 3600


async def test_the_right_code_is_refused_after_five_wrong_ones(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    email, code = await account_with_code(http, server)
    answers = [await confirm(http, email, wrong(code, n)) for n in range(5)]
    assert [a.status_code for a in answers] == [400] * 5
    assert_refused_for_the_hour(await confirm(http, email, code))
    assert not await signs_in(http, email, NEW_PASSWORD)
    assert await signs_in(http, email, PASSWORD)


async def test_a_new_code_does_not_give_more_tries(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    email, first = await account_with_code(http, server)
    for n in range(3):
        assert (await confirm(http, email, wrong(first, n))).status_code == 400
    assert (await http.post("/auth/forgot-password", json={"email": email})).status_code == 202
    second = latest_code(server, email)
    for n in range(2):
        assert (await confirm(http, email, wrong(second, n))).status_code == 400
    assert_refused_for_the_hour(await confirm(http, email, second))
    assert not await signs_in(http, email, NEW_PASSWORD)


async def test_a_password_reset_lifts_the_sign_in_lock(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    email = new_email()
    await http.post("/auth/signup", json={"email": email, "password": PASSWORD})
    wrong = {"email": email, "password": "guess horse 77"}
    statuses = [(await http.post("/auth/signin", json=wrong)).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    assert (await http.post("/auth/forgot-password", json={"email": email})).status_code == 202
    assert (await confirm(http, email, latest_code(server, email))).status_code == 204
    assert await signs_in(http, email, NEW_PASSWORD)


async def test_an_unknown_address_meets_the_same_limit(http: httpx.AsyncClient) -> None:
    email = new_email()
    answers = [await confirm(http, email, f"{n:06d}") for n in range(6)]
    assert [a.status_code for a in answers] == [400] * 5 + [429]


async def test_of_concurrent_confirms_with_the_right_code_exactly_one_wins(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    email, code = await account_with_code(http, server)
    passwords = [f"battery staple {n}{n}" for n in range(5)]
    answers = await asyncio.gather(*(confirm(http, email, code, p) for p in passwords))
    statuses = [a.status_code for a in answers]
    assert sorted(statuses) == [204, 400, 400, 400, 400]
    winner = passwords[statuses.index(204)]
    assert await signs_in(http, email, winner)
    assert not await signs_in(http, email, passwords[statuses.index(400)])


async def test_three_codes_an_hour_per_address_known_or_not(http: httpx.AsyncClient) -> None:
    known, unknown = new_email(), new_email()
    await http.post("/auth/signup", json={"email": known, "password": PASSWORD})
    for email in (known, unknown):
        spellings = [email, email.upper(), f" {email}", email]  # one address, however written
        answers = [
            await http.post("/auth/forgot-password", json={"email": spelt}) for spelt in spellings
        ]
        assert [a.status_code for a in answers] == [202, 202, 202, 429]


async def test_code_tries_are_limited_per_client_address_across_accounts(tmp_path: Path) -> None:
    limits = AuthLimits(code_tries_per_ip=Rate(count=3, seconds=3600))
    with live_server(tmp_path, auth_limits=limits) as live:
        async with httpx.AsyncClient(base_url=live.url, timeout=30) as http:
            headers = {"X-Forwarded-For": "203.0.113.20"}
            statuses = [
                (
                    await http.post(
                        "/auth/confirm-password",
                        json={"email": new_email(), "code": "123456", "newPassword": NEW_PASSWORD},
                        headers=headers,
                    )
                ).status_code
                for _ in range(4)
            ]
    assert statuses == [400, 400, 400, 429]


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TcpRedis]:
    redis = TcpRedis(free_port(), tmp_path_factory.mktemp("redis"))
    redis.start()
    yield redis
    redis.kill()


@pytest.fixture(scope="module")
def on_tcp_redis(
    tmp_path_factory: pytest.TempPathFactory, redis_server: TcpRedis
) -> Iterator[LiveServer]:
    with live_server(
        tmp_path_factory.mktemp("data"), redis_url=redis_server.url, auth_limits=ONE_ADDRESS_LIMITS
    ) as live:
        yield live


@pytest.fixture
async def tcp_http(on_tcp_redis: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=on_tcp_redis.url, timeout=30) as http:
        yield http


async def test_a_redis_flush_gives_a_code_no_more_tries(
    on_tcp_redis: LiveServer, redis_server: TcpRedis, tcp_http: httpx.AsyncClient
) -> None:
    email, code = await account_with_code(tcp_http, on_tcp_redis)
    for n in range(5):
        assert (await confirm(tcp_http, email, wrong(code, n))).status_code == 400
    client = url_client(redis_server.url, 2.0)
    try:
        await client.flushall()  # every count in Redis is gone, as on a fresh node
    finally:
        await client.aclose()
    # The store spent the tries with the code, and a new code keeps them.
    assert_refused_for_the_hour(await confirm(tcp_http, email, code))
    assert (await tcp_http.post("/auth/forgot-password", json={"email": email})).status_code == 202
    assert_refused_for_the_hour(await confirm(tcp_http, email, latest_code(on_tcp_redis, email)))
    assert await signs_in(tcp_http, email, PASSWORD)


async def test_without_redis_code_tries_are_refused_and_sign_ins_limited_per_process(
    on_tcp_redis: LiveServer, redis_server: TcpRedis, tcp_http: httpx.AsyncClient
) -> None:
    email, code = await account_with_code(tcp_http, on_tcp_redis)
    redis_server.kill()
    try:
        down = await confirm(tcp_http, email, code)
        assert down.status_code == 503
        assert down.json()["error"]["code"] == "internal"
        other = new_email()
        statuses = [
            (
                await tcp_http.post("/auth/signin", json={"email": other, "password": "nope " * 3})
            ).status_code
            for _ in range(6)
        ]
        assert statuses == [401] * 5 + [429]  # the same lock, counted in this process
    finally:
        redis_server.start()
    # Redis is back (empty): the code still works, once.
    assert (await confirm(tcp_http, email, code)).status_code == 204
    assert await signs_in(tcp_http, email, NEW_PASSWORD)
