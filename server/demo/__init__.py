"""The demo climber of `v7 serve --demo`: six months of believable history, seeded once.

`seed_demo` signs up `DEMO_EMAIL` / `DEMO_PASSWORD` (a public demo credential, not a secret)
through `LocalAccounts` and writes everything through the repositories. The history is a pure
function of `today` and `seed` (`build_history`), shaped by coaching.md: a 3-4 session week with
a deload every 4th week, grade pyramids climbing from V5 to a first V7, a grade II A2 pulley
strain whose 6 weeks show rehab, then easy climbing, and an open shoulder niggle. Nothing is
dated after `today` except goals' target dates and the active plan's end.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date

from server.accounts.local import LocalAccounts
from server.auth.errors import AuthError
from server.demo import profile
from server.demo.story import Story
from server.services import Services
from store.records import (
    AthleteProfileIn,
    BenchmarkSend,
    ChatMessage,
    Goal,
    Injury,
    JournalEntry,
    NutritionLogIn,
    NutritionProfileIn,
    TrainingPlan,
)
from store.repos.athlete import AthleteRepo
from store.repos.chat import ChatRepo
from store.repos.goals import GoalRepo
from store.repos.injuries import InjuryRepo
from store.repos.journal import JournalRepo
from store.repos.nutrition import NutritionLogRepo, NutritionProfileRepo
from store.repos.plans import PlanRepo
from store.repos.sends import SendRepo
from store.repos.users import UserRepo
from store.table import Table

log = logging.getLogger("v7.demo")

DEMO_EMAIL = "demo@v7.coach"
DEMO_PASSWORD = "send-it-2026"  # noqa: S105 - the documented, public demo credential
DEMO_NAME = "Alex Demo"


@dataclass(frozen=True)
class DemoClimber:
    user_id: str
    email: str
    password: str
    created: bool
    """False when the account already existed and nothing was written."""


@dataclass(frozen=True)
class DemoHistory:
    profile: AthleteProfileIn
    nutrition: NutritionProfileIn
    sessions: list[JournalEntry]
    sends: list[BenchmarkSend]
    goals: list[Goal]
    injuries: list[Injury]
    plans: list[TrainingPlan]
    food: list[NutritionLogIn]
    chat: list[ChatMessage]


def build_history(today: date, seed: int = 7) -> DemoHistory:
    """The demo climber's whole history (ids included), a pure function of `today` and `seed`.

    Raises `pydantic.ValidationError` if `today` is more than a day after the real date (the
    records refuse future dates).
    """
    story = Story(today, seed)
    story.run()
    return DemoHistory(
        profile=profile.athlete_profile(),
        nutrition=profile.nutrition_profile(),
        sessions=story.sessions,
        sends=story.sends,
        goals=profile.goals(story),
        injuries=profile.injuries(story),
        plans=profile.plans(story),
        food=profile.food(story),
        chat=profile.chat(story),
    )


async def seed_demo(
    table: Table, accounts: LocalAccounts, *, today: date, seed: int = 7
) -> DemoClimber:
    """Create the demo climber and their history, unless the account already exists.

    Idempotent: an existing `DEMO_EMAIL` account is returned untouched (`created=False`), also
    when another process signs it up first. Writes one at a time (moto's DynamoDB fails on
    concurrent transactions). Not resumable: if seeding dies midway the account keeps what was
    written; delete the account to seed again. Raises the table's `StoreError`s.
    """
    users = UserRepo(table)
    existing = await users.find_by_email(DEMO_EMAIL)
    if existing is not None:
        return DemoClimber(existing.id, DEMO_EMAIL, DEMO_PASSWORD, created=False)
    history = build_history(today, seed)  # before signing up: a bug here leaves no half account
    try:
        user_id = (await accounts.sign_up(DEMO_EMAIL, DEMO_PASSWORD, DEMO_NAME)).user_id
    except AuthError as error:
        raced = await users.find_by_email(DEMO_EMAIL)
        if error.code != "email_taken" or raced is None:
            raise
        return DemoClimber(raced.id, DEMO_EMAIL, DEMO_PASSWORD, created=False)
    await write_history(table, user_id, history)
    return DemoClimber(user_id, DEMO_EMAIL, DEMO_PASSWORD, created=True)


async def seed_for_app(services: Services) -> DemoClimber:
    """Seed the demo climber at startup (`v7 serve --demo`) and log how to sign in.

    Raises `ValueError` unless the app runs in local auth mode (the demo signs in by password).
    """
    accounts = services.auth.accounts
    if not isinstance(accounts, LocalAccounts):
        raise ValueError("--demo needs local auth (V7_AUTH=local)")
    started = time.perf_counter()
    climber = await seed_demo(services.table, accounts, today=services.clock().date())
    took = time.perf_counter() - started
    state = f"seeded in {took:.1f} s" if climber.created else "already seeded"
    # A public demo credential, logged on purpose so the reader can sign in; never a token.
    log.info("demo account %s (%s): password %s", climber.email, state, climber.password)
    return climber


async def write_history(
    table: Table, user_id: str, history: DemoHistory, *, plans: bool = True, chat: bool = True
) -> None:
    """Write `history` for `user_id` through the repositories, one item at a time (moto's
    DynamoDB fails on concurrent transactions); without `plans` or `chat` those are left out
    (the README's examples generate their own plan and ask their own questions)."""
    await AthleteRepo(table).put(user_id, history.profile)
    await NutritionProfileRepo(table).put(user_id, history.nutrition)
    journal, sends, goals = JournalRepo(table), SendRepo(table), GoalRepo(table)
    injuries, food = InjuryRepo(table), NutritionLogRepo(table)
    for entry in history.sessions:
        await journal.insert(user_id, entry)
    for send in history.sends:
        await sends.insert(user_id, send)
    for goal in history.goals:
        await goals.insert(user_id, goal)
    for injury in history.injuries:
        await injuries.insert(user_id, injury)
    for day in history.food:
        await food.upsert(user_id, day)
    if plans:
        for plan in history.plans:
            await PlanRepo(table).insert(user_id, plan)
    if chat:
        for message in history.chat:
            await ChatRepo(table).append(user_id, message, ts=message.ts, message_id=message.id)
