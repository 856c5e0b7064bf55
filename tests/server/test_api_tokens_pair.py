"""Personal API tokens across two server processes sharing one store and one Redis: a token
made on one works on the other, and a revocation on one is refused by the other at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from quotas import load_policy
from tests.server.helpers import sign_up
from tests.server.pair import Pair, server_pair


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    with server_pair(Path(tmp_path_factory.mktemp("api-tokens"))) as servers:
        yield servers


async def test_a_token_revoked_on_one_process_is_refused_by_the_other_at_once(
    pair: Pair,
) -> None:
    climber = await sign_up(pair.a, "two-servers")
    async with (
        httpx.AsyncClient(base_url=pair.a.url, timeout=10) as a,
        httpx.AsyncClient(base_url=pair.b.url, timeout=10) as b,
    ):
        created = await a.post("/users/tokens", json={"name": "cron"}, headers=climber)
        assert created.status_code == 201, created.text
        api = {"Authorization": f"Bearer {created.json()['token']}"}
        assert (await b.get("/journal/entries", headers=api)).status_code == 200

        revoked = await a.delete(f"/users/tokens/{created.json()['id']}", headers=climber)
        assert revoked.status_code == 204
        refused = await b.get("/journal/entries", headers=api)
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "unauthorized"


async def test_the_api_rate_limit_is_one_per_climber_across_processes(pair: Pair) -> None:
    climber = await sign_up(pair.a, "spread-out")
    burst = load_policy().tier("premium").rate_limits.api_calls.burst
    async with (
        httpx.AsyncClient(base_url=pair.a.url, timeout=10) as a,
        httpx.AsyncClient(base_url=pair.b.url, timeout=10) as b,
    ):
        tokens = []
        for name in ("one", "two"):  # a second token adds no allowance either
            created = await a.post("/users/tokens", json={"name": name}, headers=climber)
            tokens.append({"Authorization": f"Bearer {created.json()['token']}"})
        statuses = []
        for call in range(burst + 5):
            http = (a, b)[call % 2]
            response = await http.get("/users/profile", headers=tokens[call % 2])
            statuses.append(response.status_code)
            if response.status_code == 429:
                break
        assert statuses[-1] == 429
        assert len(statuses) <= burst + 2  # refilling at the sustained rate meanwhile
