"""Users, singletons, nutrition, chat, usage, export and erasure, on every engine."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from store.errors import ConditionFailed, NotFound
from store.records import (
    AthleteProfileIn,
    BenchmarkSendIn,
    ChatMessageIn,
    GoalIn,
    InjuryIn,
    JournalEntryIn,
    MealIn,
    NutritionLogIn,
    NutritionProfileIn,
    Subscription,
    Tier,
    TrainingPlanIn,
    UserIn,
)
from store.repos import (
    AccountRepo,
    AthleteRepo,
    ChatRepo,
    EmailTaken,
    GoalRepo,
    InjuryRepo,
    JournalRepo,
    NutritionLogRepo,
    NutritionProfileRepo,
    PlanRepo,
    SendRepo,
    UsageRepo,
    UserExists,
    UserRepo,
)
from store.table import Table

ALICE = "alice-0001"
BOB = "bob-0002"
TODAY = date(2026, 3, 15)
"""The day these tests write around (the repositories never compare it with "now")."""


async def test_user_round_trip_and_lookup_by_email(table: Table) -> None:
    users = UserRepo(table)
    created = await users.create(ALICE, UserIn(email="Alice@Example.com", name="Alice"))
    assert (created.id, created.email, created.version) == (ALICE, "alice@example.com", 1)
    assert await users.get(ALICE) == created
    assert await users.find_by_email("ALICE@example.COM") == created
    assert await users.find_by_email("nobody@example.com") is None
    with pytest.raises(NotFound):
        await users.get(BOB)


async def test_taken_email_fails_cleanly_and_writes_nothing(table: Table) -> None:
    users = UserRepo(table)
    await users.create(ALICE, UserIn(email="climber@example.com"))
    with pytest.raises(EmailTaken):
        await users.create(BOB, UserIn(email="CLIMBER@example.com"))
    assert (await table.query(f"USER#{BOB}")).items == []
    owner = await users.find_by_email("climber@example.com")
    assert owner is not None
    assert owner.id == ALICE
    with pytest.raises(UserExists):
        await users.create(ALICE, UserIn(email="other@example.com"))
    assert await table.get("EMAIL#other@example.com", "USER") is None


async def test_email_change_moves_uniqueness(table: Table) -> None:
    users = UserRepo(table)
    await users.create(ALICE, UserIn(email="a@example.com"))
    await users.create(BOB, UserIn(email="b@example.com"))
    with pytest.raises(EmailTaken):
        await users.update(ALICE, {"email": "b@example.com"})
    assert (await users.get(ALICE)).email == "a@example.com"
    changed = await users.update(ALICE, {"email": "new@example.com"}, expected_version=1)
    assert (changed.email, changed.version) == ("new@example.com", 2)
    assert await users.find_by_email("a@example.com") is None
    # The old address is free again.
    await users.create("carol-3", UserIn(email="a@example.com"))
    with pytest.raises(ConditionFailed):
        await users.update(ALICE, {"name": "stale"}, expected_version=1)


async def test_subscription_set_by_server_only(table: Table) -> None:
    users = UserRepo(table)
    await users.create(ALICE, UserIn(email="a@example.com"))
    await users.update(ALICE, {"subscription": {"tier": "premium"}})  # read-only: ignored
    assert (await users.get(ALICE)).subscription.tier is Tier.FREE
    upgraded = await users.set_subscription(ALICE, Subscription(tier=Tier.PRO))
    assert upgraded.effective_tier(table.clock()) is Tier.PRO
    assert (await users.get(ALICE)).subscription.tier is Tier.PRO


async def test_athlete_profile_create_patch_and_conflict(table: Table) -> None:
    repo = AthleteRepo(table)
    with pytest.raises(NotFound):
        await repo.get(ALICE)
    first = await repo.put(
        ALICE,
        AthleteProfileIn.model_validate(
            {"age": 31, "weight": 64, "currentGrades": {"indoor": {"boulder": "v6"}}}
        ),
        expected_version=0,
    )
    assert (first.version, first.current_grades.indoor.boulder) == (1, "V6")
    patched = await repo.put(ALICE, {"weaknesses": ["slab"]}, expected_version=1)
    assert (patched.age, patched.weaknesses, patched.version) == (31, ["slab"], 2)
    with pytest.raises(ConditionFailed):
        await repo.put(ALICE, {"age": 40}, expected_version=1)
    assert (await repo.get(ALICE)).age == 31
    with pytest.raises(NotFound):
        await repo.get(BOB)


async def test_nutrition_profile_round_trip(table: Table) -> None:
    repo = NutritionProfileRepo(table)
    profile = await repo.put(
        ALICE, NutritionProfileIn(weight_kg=70, height_cm=175, age=30, sex="female")
    )
    assert (await repo.get(ALICE)).to_wire()["weight"] == 70
    assert profile.version == 1


async def test_twenty_concurrent_meal_appends_all_land(table: Table) -> None:
    logs = NutritionLogRepo(table)
    day = TODAY - timedelta(days=1)
    meals = [
        MealIn(meal_type="snack", name=f"bar {n}", calories=100 + n, protein_g=n) for n in range(20)
    ]
    await asyncio.gather(*(logs.add_meal(ALICE, day, meal) for meal in meals))
    log = await logs.get(ALICE, day)
    assert sorted(meal.name or "" for meal in log.meals) == sorted(f"bar {n}" for n in range(20))
    assert log.totals.calories == sum(100 + n for n in range(20))
    assert log.totals.protein_g == sum(range(20))
    removed = await logs.remove_meal(ALICE, day, log.meals[0].id)
    assert len(removed.meals) == 19
    with pytest.raises(NotFound):
        await logs.get(BOB, day)


async def test_nutrition_upsert_and_range(table: Table) -> None:
    logs = NutritionLogRepo(table)
    for offset in range(5):
        day = TODAY - timedelta(days=offset)
        await logs.upsert(ALICE, NutritionLogIn(date=day, hydration_ml=1000 + offset))
    replaced = await logs.upsert(ALICE, NutritionLogIn(date=TODAY, hydration_ml=2500))
    assert replaced.hydration_ml == 2500
    page = await logs.list(ALICE, start=TODAY - timedelta(days=3), newest_first=False)
    assert [log.date for log in page.items] == [TODAY - timedelta(days=n) for n in (3, 2, 1, 0)]
    await NutritionProfileRepo(table).put(
        ALICE, NutritionProfileIn(weight_kg=70, height_cm=175, age=30, sex="male")
    )
    assert len((await logs.list(ALICE)).items) == 5  # the profile is not a day


async def test_chat_append_recent_and_replace(table: Table) -> None:
    chat = ChatRepo(table)
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    for n in range(6):
        role = "user" if n % 2 == 0 else "assistant"
        await chat.append(
            ALICE, ChatMessageIn(role=role, content=f"m{n}"), ts=start + timedelta(seconds=n)
        )
    recent = await chat.recent(ALICE, 4)
    assert [m.content for m in recent] == ["m2", "m3", "m4", "m5"]
    older = await chat.history(ALICE, before=start + timedelta(seconds=2))
    assert [m.content for m in older.items] == ["m1", "m0"]
    draft = await chat.append(
        ALICE, ChatMessageIn(role="assistant", content="Par", partial=True, stream_id="s1")
    )
    final = await chat.replace(
        ALICE, draft.model_copy(update={"content": "Partial no more", "partial": False})
    )
    assert final.version == 2
    assert (await chat.get(ALICE, draft.ts, draft.id)).content == "Partial no more"
    with pytest.raises(ConditionFailed):
        await chat.replace(ALICE, draft)  # stale version
    assert await chat.recent(BOB) == []


async def test_chat_keeps_frames_and_commands_apart_from_the_words(table: Table) -> None:
    chat = ChatRepo(table)
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    card = {"type": "saved", "reply_to": "c1", "kind": "session", "item": {"id": "e1"}}
    stored = await chat.append_all(
        ALICE,
        [
            (ChatMessageIn(role="user", content="how am I doing?", say_id="c0"), start),
            (ChatMessageIn(role="user", content="/log gym 1h", command=True), start),
            (ChatMessageIn(role="assistant", content="", frame=card), start),
        ],
    )
    assert [m.version for m in stored] == [1, 1, 1]
    page = await chat.history(ALICE)
    assert {m.id for m in page.items} == {m.id for m in stored}
    assert [m.content for m in await chat.recent_spoken(ALICE)] == ["how am I doing?"]
    with pytest.raises(ValueError, match="one of reply, saved, proposal"):
        ChatMessageIn(role="assistant", content="", frame={"type": "stream.delta"})

    await chat.append(BOB, ChatMessageIn(role="user", content="hi"))
    assert await chat.clear(ALICE) == 3
    assert (await chat.history(ALICE)).items == []
    assert [m.content for m in await chat.recent(BOB)] == ["hi"]


async def test_usage_ledger_concurrent_increments_sum_exactly(table: Table) -> None:
    usage = UsageRepo(table)
    month = f"{TODAY:%Y-%m}"
    calls = [("model-a", 100, 10)] * 15 + [("anthropic.claude-v2:1", 7, 3)] * 10
    await asyncio.gather(*(usage.record(ALICE, month, m, i, o) for m, i, o in calls))
    ledger = await usage.get(ALICE, month)
    assert ledger.ai_messages == 25
    assert ledger.input_tokens == 15 * 100 + 10 * 7
    assert ledger.output_tokens == 15 * 10 + 10 * 3
    assert ledger.by_model["model-a"].messages == 15
    assert ledger.by_model["anthropic.claude-v2:1"].input_tokens == 70
    empty = await usage.get(BOB, month)
    assert (empty.ai_messages, empty.by_model) == (0, {})


async def populate(table: Table, user_id: str, email: str) -> None:
    await UserRepo(table).create(user_id, UserIn(email=email))
    await AthleteRepo(table).put(user_id, AthleteProfileIn(age=30))
    journal = JournalRepo(table)
    for offset in range(3):
        await journal.create(
            user_id,
            JournalEntryIn.model_validate(
                {
                    "date": (TODAY - timedelta(days=offset)).isoformat(),
                    "sessionType": "board",
                    "duration": 45,
                }
            ),
        )
    await SendRepo(table).create(
        user_id, BenchmarkSendIn.model_validate({"grade": "V5", "date": TODAY.isoformat()})
    )
    await GoalRepo(table).add(user_id, GoalIn.model_validate({"type": "other", "description": "x"}))
    await InjuryRepo(table).add(user_id, InjuryIn(type="strain", body_part="wrist", date=TODAY))
    await NutritionLogRepo(table).add_meal(user_id, TODAY, MealIn(meal_type="lunch", calories=600))
    await ChatRepo(table).append(user_id, ChatMessageIn(role="user", content="hi"))
    await UsageRepo(table).record(user_id, f"{TODAY:%Y-%m}", "m", 1, 1)
    # Active: it writes the plans' activation item too, which is internal.
    await PlanRepo(table).create(user_id, TrainingPlanIn(name="Base", start_date=TODAY))


async def test_export_returns_everything_as_wire_dicts(table: Table) -> None:
    await populate(table, ALICE, "alice@example.com")
    exported = await AccountRepo(table).export(ALICE)
    assert exported["user"]["email"] == "alice@example.com"
    assert exported["athleteProfile"]["age"] == 30
    assert len(exported["journalEntries"]) == 3
    assert exported["journalEntries"][0]["sessionType"] == "board"
    assert exported["sends"][0]["gradeNumeric"] > 0
    assert len(exported["goals"]) == len(exported["injuries"]) == 1
    assert exported["nutritionLogs"][0]["totals"]["calories"] == 600
    assert exported["chat"][0]["content"] == "hi"
    assert exported["usage"][0]["aiMessages"] == 1
    assert [plan["name"] for plan in exported["trainingPlans"]] == ["Base"]
    assert "other" not in exported


async def test_delete_all_erases_one_user_and_touches_no_other(table: Table) -> None:
    await populate(table, ALICE, "alice@example.com")
    await populate(table, BOB, "bob@example.com")
    account = AccountRepo(table)
    bob_before = await account.export(BOB)
    deleted = await account.delete_all(ALICE)
    assert deleted > 10
    assert (await table.query(f"USER#{ALICE}")).items == []
    assert (await table.query(f"USER#{ALICE}#SEND", index="gsi1")).items == []
    assert await table.get("EMAIL#alice@example.com", "USER") is None
    assert await account.export(BOB) == bob_before
    assert await account.delete_all(ALICE) == 0  # idempotent
    # The address can be used again.
    await UserRepo(table).create("alice-again", UserIn(email="alice@example.com"))
