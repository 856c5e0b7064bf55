"""`v7 serve --demo`: the demo climber and their months of history, in the store and through
a real server.

SQLite only: seeding is ~450 sequential writes (most of them two-item transactions), which take
1-2 s on SQLite but 15-30 s on moto's DynamoDB (measured), and moto fails on concurrent
transactions so they cannot be batched. Every repository the seeding writes through is tested
on both engines in tests/store; what is specific to the demo is the history itself, which is the
same on either engine. The history is seeded once (module fixture) and read by several tests.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.typing import Origin, Subprotocol

from core.clock import epoch_seconds
from server.accounts.local import LocalAccounts
from server.auth.local_issuer import LocalIssuer
from server.auth.passwords import PasswordHashing
from server.cli import main
from server.demo import DEMO_EMAIL, DEMO_PASSWORD, DemoClimber, build_history, seed_demo
from store import init_table, open_table
from store.grades import Discipline
from store.records import BenchmarkSend, JournalEntry
from store.repos.base import user_pk
from store.repos.chat import ChatRepo
from store.repos.goals import GoalRepo
from store.repos.injuries import InjuryRepo
from store.repos.journal import JournalRepo
from store.repos.nutrition import NutritionLogRepo
from store.repos.plans import PlanRepo
from store.repos.sends import SendRepo
from store.table import Table
from tests.clock import FrozenClock, at
from tests.server.live import ORIGIN, live_server

SQLITE_SEED_BUDGET_S = 10.0


@dataclass
class Seeded:
    table: Table
    accounts: LocalAccounts
    climber: DemoClimber
    seconds: float
    clock: FrozenClock

    @property
    def today(self) -> date:
        return self.clock().date()


CLOCK = FrozenClock(at("2026-11-18T15:00:00"))
"""The demo is seeded as of this instant: every part of the seeding reads this clock."""


@pytest.fixture(scope="module")
async def seeded(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Seeded]:
    tmp_path = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{tmp_path / 'v7.db'}"
    await init_table(url, data_dir=tmp_path)
    issuer = LocalIssuer.load_or_create(
        tmp_path, issuer="urn:v7:test", client_id="v7-test", clock=epoch_seconds(CLOCK)
    )
    passwords = PasswordHashing(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    async with open_table(url, data_dir=tmp_path, clock=CLOCK) as table:
        accounts = LocalAccounts(
            table,
            issuer,
            passwords,
            data_dir=tmp_path,
            access_ttl_s=300,
            refresh_ttl=timedelta(days=1),
            clock=CLOCK,
        )
        started = time.perf_counter()
        climber = await seed_demo(table, accounts, today=CLOCK().date())
        seconds = time.perf_counter() - started
        yield Seeded(table, accounts, climber, seconds, CLOCK)
    passwords.close()


async def all_sessions(seeded: Seeded) -> list[JournalEntry]:
    repo, items, cursor = JournalRepo(seeded.table), [], None
    while True:
        page = await repo.list(seeded.climber.user_id, newest_first=False, cursor=cursor)
        items.extend(page.items)
        if (cursor := page.cursor) is None:
            return items


async def all_sends(seeded: Seeded) -> list[BenchmarkSend]:
    repo, items, cursor = SendRepo(seeded.table), [], None
    while True:
        page = await repo.list(seeded.climber.user_id, newest_first=False, cursor=cursor)
        items.extend(page.items)
        if (cursor := page.cursor) is None:
            return items


async def item_count(seeded: Seeded) -> int:
    count, cursor = 0, None
    while True:
        page = await seeded.table.query(user_pk(seeded.climber.user_id), cursor=cursor)
        count += len(page.items)
        if (cursor := page.cursor) is None:
            return count


def weekly_load(sessions: list[JournalEntry], start: date, end: date) -> float:
    """Mean weekly session load (RPE × minutes) over `start` ≤ date < `end`."""
    total = sum(e.session_load or 0 for e in sessions if start <= e.date < end)
    return total / ((end - start).days / 7)


async def test_seeding_creates_the_demo_climber_who_signs_in_with_the_documented_password(
    seeded: Seeded,
) -> None:
    assert seeded.climber.created
    assert seeded.climber.email == DEMO_EMAIL
    tokens = await seeded.accounts.sign_in(DEMO_EMAIL, DEMO_PASSWORD)
    assert tokens.access_token
    assert seeded.seconds < SQLITE_SEED_BUDGET_S


async def test_months_of_sessions_and_sends(seeded: Seeded) -> None:
    sessions, sends = await all_sessions(seeded), await all_sends(seeded)
    assert len(sessions) >= 60
    assert len(sends) >= 150
    assert (sessions[-1].date - sessions[0].date).days >= 150
    assert {e.session_type.value for e in sessions} >= {"gym", "board", "hangboard", "outdoor"}
    assert all(45 <= e.duration_minutes <= 180 for e in sessions)
    significance = {s.significance.value for s in sends}
    assert {"milestone", "breakthrough"} <= significance


async def test_boulder_grades_progress_from_the_first_month_to_the_last(seeded: Seeded) -> None:
    sessions = await all_sessions(seeded)

    def best(start: date, end: date) -> int:
        return max(
            ref.score
            for entry in sessions
            if start <= entry.date < end and entry.discipline is not None
            for ref in entry.grades_completed
            if ref.system.value == "v"
        )

    first = sessions[0].date
    assert best(seeded.today - timedelta(days=30), seeded.today + timedelta(days=1)) > best(
        first, first + timedelta(days=30)
    )
    sends = await all_sends(seeded)
    boulders = [s for s in sends if s.discipline is Discipline.BOULDER]
    assert max(boulders, key=lambda s: s.numeric_grade).date >= seeded.today - timedelta(days=31)


async def test_the_recovered_finger_injury_lowered_the_load_and_the_shoulder_is_open(
    seeded: Seeded,
) -> None:
    repo = InjuryRepo(seeded.table)
    injuries = (await repo.list(seeded.climber.user_id)).items
    recovered = [i for i in injuries if i.recovered]
    assert len(recovered) == 1
    finger = recovered[0]
    assert finger.severity == 2
    assert finger.recovered_date is not None
    assert finger.recovered_date - finger.date >= timedelta(days=35)
    sessions = await all_sessions(seeded)
    before = weekly_load(sessions, finger.date - timedelta(days=28), finger.date)
    during = weekly_load(sessions, finger.date, finger.recovered_date)
    assert during < before / 2
    open_ones = await repo.list_open(seeded.climber.user_id)
    assert [i.body_part for i in open_ones] == ["shoulder"]


async def test_every_screen_has_something_to_show(seeded: Seeded) -> None:
    user_id, table = seeded.climber.user_id, seeded.table
    goals = await GoalRepo(table).list_goals(user_id)
    assert 2 <= len(goals) <= 3
    assert sum(g.status.value == "achieved" for g in goals) == 1
    assert len(await PlanRepo(table).active(user_id)) == 1
    logs = (await NutritionLogRepo(table).list(user_id)).items
    assert len(logs) >= 12
    assert all(log.meals and log.hydration_ml > 0 for log in logs)
    messages = await ChatRepo(table).recent(user_id, 50)
    assert {m.role.value for m in messages} == {"user", "assistant"}


async def test_nothing_is_dated_in_the_future(seeded: Seeded) -> None:
    user_id, table, now = seeded.climber.user_id, seeded.table, seeded.clock()
    sessions, sends = await all_sessions(seeded), await all_sends(seeded)
    injuries = (await InjuryRepo(table).list(user_id)).items
    logs = (await NutritionLogRepo(table).list(user_id)).items
    days = [e.date for e in sessions] + [s.date for s in sends] + [log.date for log in logs]
    days += [i.date for i in injuries]
    days += [i.recovered_date for i in injuries if i.recovered_date is not None]
    assert max(days) <= seeded.today
    stamps = [e.created_at for e in sessions] + [s.created_at for s in sends]
    stamps += [i.created_at for i in injuries]
    stamps += [m.ts for m in await ChatRepo(table).recent(user_id, 50)]
    assert max(stamps) <= now


async def test_seeding_again_writes_nothing(seeded: Seeded) -> None:
    before = await item_count(seeded)
    again = await seed_demo(seeded.table, seeded.accounts, today=seeded.today)
    assert not again.created
    assert again.user_id == seeded.climber.user_id
    assert await item_count(seeded) == before


def test_the_history_is_deterministic_for_a_day_and_seed() -> None:
    today = CLOCK().date()
    one, two = build_history(today), build_history(today)
    assert one.sessions == two.sessions
    assert one.sends == two.sends
    assert build_history(today, seed=8).sessions != one.sessions


async def test_a_demo_server_signs_the_climber_in_and_shows_their_history(
    tmp_path: Path,
) -> None:
    with live_server(tmp_path, demo=True) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            response = await http.post(
                "/auth/signin", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
            )
        assert response.status_code == 200, response.text
        token = response.json()["accessToken"]
        protocols = [Subprotocol("v7.chat.v1"), Subprotocol(f"bearer.{token}")]
        async with connect(server.ws_url, subprotocols=protocols, origin=Origin(ORIGIN)) as ws:
            assert json.loads(await ws.recv())["type"] == "ready"
            await ws.send(json.dumps({"type": "say", "id": "h1", "text": "/history"}))
            reply = json.loads(await ws.recv())
    assert reply["type"] == "reply"
    # Ten entries, sessions and sends together, numbered newest first.
    assert len(reply["data"]["entries"]) == 10
    assert reply["data"]["sessions"]
    assert "\n1. " in reply["text"]
    assert "\n10. " in reply["text"]


def test_serve_demo_refuses_without_local_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("V7_AUTH", "cognito")
    with pytest.raises(SystemExit) as refused:
        main(["serve", "--demo"])
    assert "local auth" in str(refused.value)
