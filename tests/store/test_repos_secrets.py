"""Local accounts' secrets (`store.repos.secrets`), on every engine."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from store.errors import ConditionFailed, TransactionCancelled
from store.records import UserIn
from store.repos import AccountRepo, UserRepo
from store.repos.secrets import PREFIX, ResetCode, ResetTry, SecretRepo
from store.table import Table

ALICE = "alice-0001"
BOB = "bob-0002"
NOW = datetime(2026, 3, 15, 12, 30, 15, 250_000, tzinfo=UTC)
EXPIRES = NOW + timedelta(days=30)
AT = int(EXPIRES.timestamp())


async def test_password_hash_is_created_once_then_replaced(table: Table) -> None:
    repo = SecretRepo(table)
    assert await repo.password_hash(ALICE) is None
    with pytest.raises(ConditionFailed):
        await repo.update_password_hash(ALICE, "h0")
    await table.transact([repo.new_credentials(ALICE, "h1")])
    with pytest.raises(TransactionCancelled):
        await table.transact([repo.new_credentials(ALICE, "h2")])
    assert await repo.password_hash(ALICE) == "h1"
    await repo.update_password_hash(ALICE, "h3")
    assert await repo.password_hash(ALICE) == "h3"
    await repo.put_password_hash(ALICE, "h4")
    await repo.put_password_hash(BOB, "b1")
    assert (await repo.password_hash(ALICE), await repo.password_hash(BOB)) == ("h4", "b1")
    stored = await table.get("USER#" + ALICE, "SECRET#CREDENTIALS")
    assert stored is not None
    assert stored["passwordHash"] == "h4"


async def test_refresh_tokens_are_stored_by_digest_and_revoked(table: Table) -> None:
    repo = SecretRepo(table)
    await repo.add_refresh(ALICE, "alice-0001.one", EXPIRES)
    await repo.add_refresh(ALICE, "alice-0001.two", EXPIRES)
    await repo.add_refresh(BOB, "bob-0002.one", EXPIRES)
    with pytest.raises(ConditionFailed):
        await repo.add_refresh(ALICE, "alice-0001.one", EXPIRES)
    digest = hashlib.sha256(b"alice-0001.one").hexdigest()
    stored = await table.get("USER#" + ALICE, "SECRET#REFRESH#" + digest)
    assert stored is not None
    assert (stored["expiresAt"], stored["ttl"]) == (AT, AT)
    assert await repo.refresh_expiry(ALICE, "alice-0001.one") == AT
    assert await repo.refresh_expiry(BOB, "alice-0001.one") is None
    await repo.remove_refresh(ALICE, "alice-0001.one")
    await repo.remove_refresh(ALICE, "alice-0001.one")  # a no-op
    assert await repo.refresh_expiry(ALICE, "alice-0001.one") is None
    await repo.put_password_hash(ALICE, "h1")
    await repo.remove_all_refresh(ALICE)
    assert await repo.refresh_expiry(ALICE, "alice-0001.two") is None
    assert await repo.refresh_expiry(BOB, "bob-0002.one") == AT
    assert await repo.password_hash(ALICE) == "h1"


async def test_an_unreadable_refresh_expiry_reads_as_expired(table: Table) -> None:
    digest = hashlib.sha256(b"alice-0001.x").hexdigest()
    await table.put({"pk": "USER#" + ALICE, "sk": "SECRET#REFRESH#" + digest})
    assert await SecretRepo(table).refresh_expiry(ALICE, "alice-0001.x") == 0


CODE_EXPIRES = NOW + timedelta(minutes=15)
CODE_AT = int(CODE_EXPIRES.timestamp())
HOUR = timedelta(hours=1)


async def test_a_reset_code_spends_tries_and_a_new_code_keeps_them(table: Table) -> None:
    repo = SecretRepo(table)
    assert await repo.reset(ALICE) is None
    assert await repo.take_reset_try(ALICE, NOW, max_tries=3, tries_window=HOUR) == ResetTry("none")
    await repo.put_reset(ALICE, "c1", CODE_EXPIRES, now=NOW, tries_window=HOUR)
    window_end = int((NOW + HOUR).timestamp())
    tried = await repo.take_reset_try(ALICE, NOW, max_tries=3, tries_window=HOUR)
    assert tried == ResetTry("ok", "c1", window_end)
    assert await repo.reset(ALICE) == ResetCode("c1", CODE_AT, 1, window_end)
    assert await repo.reset(BOB) is None
    stored = await table.get("USER#" + ALICE, "SECRET#RESET")
    assert stored is not None
    assert stored["ttl"] == window_end  # kept while its tries still count

    later = NOW + timedelta(minutes=20)
    await repo.put_reset(ALICE, "c2", later + timedelta(minutes=15), now=later, tries_window=HOUR)
    assert (await repo.reset(ALICE)) == ResetCode(
        "c2", int((later + timedelta(minutes=15)).timestamp()), 1, window_end
    )
    for _ in range(2):
        assert (await repo.take_reset_try(ALICE, later, max_tries=3, tries_window=HOUR)).status == (
            "ok"
        )
    spent = await repo.take_reset_try(ALICE, later, max_tries=3, tries_window=HOUR)
    assert spent == ResetTry("spent", tries_until=window_end)
    after_window = NOW + timedelta(minutes=61)
    await repo.put_reset(
        ALICE, "c3", after_window + timedelta(minutes=15), now=after_window, tries_window=HOUR
    )
    fresh = await repo.take_reset_try(ALICE, after_window, max_tries=3, tries_window=HOUR)
    assert fresh.status == "ok"
    too_late = after_window + timedelta(minutes=15)
    assert (await repo.take_reset_try(ALICE, too_late, max_tries=3, tries_window=HOUR)).status == (
        "expired"
    )
    await repo.remove_reset(ALICE)
    assert await repo.reset(ALICE) is None


async def test_concurrent_tries_never_spend_more_than_the_budget(table: Table) -> None:
    repo = SecretRepo(table)
    await repo.put_reset(ALICE, "c1", CODE_EXPIRES, now=NOW, tries_window=HOUR)
    tries = await asyncio.gather(
        *(repo.take_reset_try(ALICE, NOW, max_tries=5, tries_window=HOUR) for _ in range(12))
    )
    assert sorted(t.status for t in tries).count("ok") == 5
    assert {t.status for t in tries} <= {"ok", "spent", "busy"}
    reset = await repo.reset(ALICE)
    assert reset is not None
    assert reset.attempts == 5


async def test_a_code_is_redeemed_once_even_by_concurrent_callers(table: Table) -> None:
    repo = SecretRepo(table)
    await repo.put_reset(ALICE, "c1", CODE_EXPIRES, now=NOW, tries_window=HOUR)
    assert not await repo.redeem_reset(ALICE, "other")
    won = await asyncio.gather(*(repo.redeem_reset(ALICE, "c1") for _ in range(4)))
    assert sorted(won) == [False, False, False, True]
    assert await repo.reset(ALICE) is None


async def test_secrets_are_never_exported_and_erased_with_the_account(table: Table) -> None:
    await UserRepo(table).create(ALICE, UserIn(email="alice@example.com"))
    repo = SecretRepo(table)
    await repo.put_password_hash(ALICE, "h1")
    await repo.add_refresh(ALICE, "alice-0001.one", EXPIRES)
    await repo.put_reset(ALICE, "c1", CODE_EXPIRES, now=NOW, tries_window=HOUR)
    items = (await table.query("USER#" + ALICE, sk_prefix=PREFIX)).items
    assert len(items) == 3
    exported = await AccountRepo(table).export(ALICE)
    assert "other" not in exported
    assert "h1" not in str(exported)
    await AccountRepo(table).delete_all(ALICE)
    assert (await table.query("USER#" + ALICE)).items == []
