"""The limits of `/auth/*` as a client meets them, through the REST API of live servers: locked
accounts, limits per client address, refresh and sign-up floods, counts shared by two processes,
and a flood of sign-ins against the argon2 queue."""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.auth.limits import AuthLimits, Lockout, Rate
from tests.server.live import ONE_ADDRESS_LIMITS, LiveServer, live_server
from tests.server.pair import server_pair

PASSWORD = "correct horse 9"
WRONG = "wrong horse 99"


def new_email() -> str:
    return f"l-{uuid.uuid4().hex[:10]}@example.com"


async def sign_in(
    http: httpx.AsyncClient, email: str, password: str, *, client: str | None = None
) -> httpx.Response:
    headers = {"X-Forwarded-For": client} if client else {}
    return await http.post(
        "/auth/signin", json={"email": email, "password": password}, headers=headers
    )


def assert_rate_limited(response: httpx.Response, *, at_most_s: int) -> int:
    """A 429 with the standard body and a Retry-After in whole seconds; returns it."""
    assert response.status_code == 429, response.text
    error = response.json()["error"]
    assert error["code"] == "rate_limited"
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= at_most_s
    assert 0 < error["retry_after_ms"] <= retry_after * 1000
    return retry_after


async def test_thirty_wrong_passwords_lock_the_account_for_fifteen_minutes(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    email = new_email()
    assert (await http.post("/auth/signup", json={"email": email, "password": PASSWORD})).is_success
    answers = [await sign_in(http, email, WRONG) for _ in range(30)]
    assert [a.status_code for a in answers[:5]] == [401] * 5
    for answer in answers[5:]:
        assert assert_rate_limited(answer, at_most_s=900) > 890
    # The right password waits out the lock too: the guesser learns nothing from it.
    assert_rate_limited(await sign_in(http, email, PASSWORD), at_most_s=900)


async def test_an_address_without_an_account_is_locked_the_same_way(
    http: httpx.AsyncClient,
) -> None:
    known = new_email()
    await http.post("/auth/signup", json={"email": known, "password": PASSWORD})
    unknown = new_email()
    for email in (known, unknown):
        answers = [await sign_in(http, email, WRONG) for _ in range(6)]
        assert [a.status_code for a in answers] == [401] * 5 + [429]
    assert answers[0].json() == (await sign_in(http, new_email(), WRONG)).json()


async def test_a_successful_sign_in_does_not_forgive_earlier_failures(
    http: httpx.AsyncClient,
) -> None:
    email = new_email()
    await http.post("/auth/signup", json={"email": email, "password": PASSWORD})
    assert [(await sign_in(http, email, WRONG)).status_code for _ in range(4)] == [401] * 4
    assert (await sign_in(http, email, PASSWORD)).status_code == 200
    assert (await sign_in(http, email, WRONG)).status_code == 401  # the fifth failure
    assert_rate_limited(await sign_in(http, email, PASSWORD), at_most_s=900)


@pytest.fixture(scope="module")
def short_lock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    limits = ONE_ADDRESS_LIMITS.model_copy(
        update={"sign_in_failures": Lockout(count=2, seconds=2, max_seconds=8)}
    )
    with live_server(tmp_path_factory.mktemp("short"), auth_limits=limits) as live:
        yield live


async def test_the_right_password_works_once_the_lock_has_passed_and_a_relapse_doubles_it(
    short_lock: LiveServer,
) -> None:
    email = new_email()
    async with httpx.AsyncClient(base_url=short_lock.url, timeout=30) as http:
        await http.post("/auth/signup", json={"email": email, "password": PASSWORD})
        for _ in range(2):
            assert (await sign_in(http, email, WRONG)).status_code == 401
        wait = assert_rate_limited(await sign_in(http, email, PASSWORD), at_most_s=2)
        await asyncio.sleep(wait + 0.1)
        assert (await sign_in(http, email, PASSWORD)).status_code == 200
        for _ in range(2):
            assert (await sign_in(http, email, WRONG)).status_code == 401
        relapse = assert_rate_limited(await sign_in(http, email, WRONG), at_most_s=4)
        assert relapse > wait  # doubled: 4 s, less what has passed since


@pytest.fixture(scope="module")
def per_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    limits = AuthLimits(sign_in_per_ip=Rate(count=3, seconds=60))
    with live_server(tmp_path_factory.mktemp("ip"), auth_limits=limits) as live:
        yield live


async def test_an_address_is_limited_across_accounts_and_others_are_not(
    per_address: LiveServer,
) -> None:
    async with httpx.AsyncClient(base_url=per_address.url, timeout=30) as http:
        # 127.0.0.1 is a trusted proxy (V7_FORWARDED_ALLOW_IPS): its X-Forwarded-For counts.
        guesser = "203.0.113.7"
        statuses = [
            (await sign_in(http, new_email(), WRONG, client=guesser)).status_code for _ in range(4)
        ]
        assert statuses == [401, 401, 401, 429]
        refused = await sign_in(http, new_email(), PASSWORD, client=guesser)
        assert_rate_limited(refused, at_most_s=20)
        assert (await sign_in(http, new_email(), WRONG, client="198.51.100.9")).status_code == 401
        # An IPv6 client is counted by its /64: rotating addresses inside it gains nothing.
        v6 = [f"2001:db8:1:2::{n}" for n in range(1, 5)]
        assert [(await sign_in(http, new_email(), WRONG, client=a)).status_code for a in v6] == [
            401,
            401,
            401,
            429,
        ]


async def test_an_untrusted_peer_cannot_choose_its_address(tmp_path: Path) -> None:
    limits = AuthLimits(sign_in_per_ip=Rate(count=2, seconds=60))
    with live_server(tmp_path, auth_limits=limits, forwarded_allow_ips="192.0.2.1") as live:
        async with httpx.AsyncClient(base_url=live.url, timeout=30) as http:
            statuses = [
                (await sign_in(http, new_email(), WRONG, client=f"203.0.113.{n}")).status_code
                for n in range(3)
            ]
    assert statuses == [401, 401, 429]  # all three counted as 127.0.0.1


async def test_one_email_gets_five_sign_ups_an_hour(http: httpx.AsyncClient) -> None:
    email = new_email()
    answers = [
        await http.post("/auth/signup", json={"email": email, "password": PASSWORD})
        for _ in range(6)
    ]
    assert [a.status_code for a in answers] == [201, 409, 409, 409, 409, 429]
    assert_rate_limited(answers[-1], at_most_s=3600)


async def test_a_refresh_token_is_refreshed_at_most_ten_times_a_minute(
    http: httpx.AsyncClient,
) -> None:
    email = new_email()
    signed_up = await http.post("/auth/signup", json={"email": email, "password": PASSWORD})
    token = signed_up.json()["tokens"]["refreshToken"]
    statuses = [
        (await http.post("/auth/refresh", json={"refreshToken": token})).status_code
        for _ in range(11)
    ]
    assert statuses == [200] * 10 + [429]
    other = await sign_in(http, email, PASSWORD)  # another device's token has its own
    refreshed = await http.post(
        "/auth/refresh", json={"refreshToken": other.json()["refreshToken"]}
    )
    assert refreshed.status_code == 200


async def test_two_processes_share_the_counts(tmp_path: Path) -> None:
    with server_pair(tmp_path) as pair:
        email = new_email()
        async with (
            httpx.AsyncClient(base_url=pair.a.url, timeout=30) as on_a,
            httpx.AsyncClient(base_url=pair.b.url, timeout=30) as on_b,
        ):
            await on_a.post("/auth/signup", json={"email": email, "password": PASSWORD})
            statuses = [(await sign_in(on_a, email, WRONG)).status_code for _ in range(3)]
            statuses += [(await sign_in(on_b, email, WRONG)).status_code for _ in range(2)]
            assert statuses == [401] * 5
            assert_rate_limited(await sign_in(on_a, email, PASSWORD), at_most_s=900)
            assert_rate_limited(await sign_in(on_b, email, PASSWORD), at_most_s=900)


@pytest.mark.alone
async def test_a_flood_of_sign_ins_is_answered_quickly_and_health_stays_fast(
    server: LiveServer,
) -> None:
    """200 sign-ins with wrong passwords at once, each for another address so that no account
    lock spares the argon2 work: one hash runs and 8 wait, the rest get 429 at once."""
    latencies: list[float] = []
    health: list[float] = []
    done = threading.Event()
    limits = httpx.Limits(max_connections=250, max_keepalive_connections=250)
    async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as http:

        async def one() -> httpx.Response:
            started = time.perf_counter()
            answer = await sign_in(http, new_email(), WRONG)
            latencies.append(time.perf_counter() - started)
            return answer

        def probe() -> None:
            # A thread of its own, so that it times the server, not this test's event loop.
            with httpx.Client(base_url=server.url, timeout=60) as prober:
                while not done.is_set():
                    started = time.perf_counter()
                    assert prober.get("/healthz").status_code == 200
                    health.append(time.perf_counter() - started)
                    time.sleep(0.02)

        prober = threading.Thread(target=probe)
        prober.start()
        started = time.perf_counter()
        answers = await asyncio.gather(*(one() for _ in range(200)))
        wave_s = time.perf_counter() - started
        done.set()
        prober.join()

    statuses = [a.status_code for a in answers]
    assert set(statuses) <= {401, 429}
    shed = [a for a in answers if a.status_code == 429]
    assert shed
    for answer in shed:
        assert_rate_limited(answer, at_most_s=10)
    admitted = server.settings.auth_limits
    assert statuses.count(401) >= admitted.hashes_in_flight + admitted.hashes_waiting
    print(
        f"\n200 wrong sign-ins at once: {statuses.count(401)} x 401, {len(shed)} x 429 in "
        f"{wave_s:.2f} s (answers: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms); /healthz meanwhile: {len(health)} probes, "
        f"median {statistics.median(health) * 1000:.1f} ms, max {max(health) * 1000:.1f} ms"
    )
    assert wave_s < 30  # generous: a few seconds on 2 loaded cores
    assert max(health) < 2.0
