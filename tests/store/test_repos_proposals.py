"""Proposals awaiting a confirm (`store.repos.proposals`), on every engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from store.errors import ConditionFailed
from store.repos.proposals import ProposalRepo, StoredProposal
from store.table import Table

ALICE = "alice-0001"
BOB = "bob-0002"
NOW = datetime(2026, 3, 15, 12, 30, 15, 250_000, tzinfo=UTC)
EXPIRES = NOW + timedelta(days=1)
ENTRY: dict[str, Any] = {"date": "2026-03-15", "sessionType": "gym", "duration": 90}


async def test_a_proposal_is_taken_once(table: Table) -> None:
    repo = ProposalRepo(table)
    await repo.put(ALICE, "p1", "session", ENTRY, EXPIRES)
    assert await repo.take(ALICE, "p1", NOW) == StoredProposal("session", ENTRY)
    assert await repo.take(ALICE, "p1", NOW) is None
    assert (await table.query("USER#" + ALICE)).items == []


async def test_the_stored_item_keeps_its_layout(table: Table) -> None:
    await ProposalRepo(table).put(ALICE, "p1", "send", {"grade": "V7"}, EXPIRES)
    at = int(EXPIRES.timestamp())
    assert await table.get("USER#" + ALICE, "PROPOSAL#p1") == {
        "pk": "USER#" + ALICE,
        "sk": "PROPOSAL#p1",
        "kind": "send",
        "entry": {"grade": "V7"},
        "ttl": at,
        "expiresAt": at,
        "version": 1,
    }


async def test_an_item_written_before_the_repository_reads(table: Table) -> None:
    at = int(EXPIRES.timestamp())
    item = {"kind": "goal", "entry": {"type": "grade"}, "ttl": at, "expiresAt": at}
    await table.put({"pk": "USER#" + ALICE, "sk": "PROPOSAL#pold", **item})
    assert await ProposalRepo(table).take(ALICE, "pold", NOW) == StoredProposal(
        "goal", {"type": "grade"}
    )


async def test_an_expired_proposal_is_absent_and_removed(table: Table) -> None:
    repo = ProposalRepo(table)
    await repo.put(ALICE, "p1", "session", ENTRY, EXPIRES)
    await repo.put(ALICE, "p2", "session", ENTRY, EXPIRES)
    # Until the second it expires at, it is there; a second later it is not.
    assert await repo.take(ALICE, "p1", EXPIRES.replace(microsecond=0)) is not None
    assert await repo.take(ALICE, "p2", EXPIRES + timedelta(seconds=1)) is None
    assert await table.get("USER#" + ALICE, "PROPOSAL#p2") is None


async def test_another_users_proposal_is_absent_and_kept(table: Table) -> None:
    repo = ProposalRepo(table)
    await repo.put(ALICE, "p1", "session", ENTRY, EXPIRES)
    assert await repo.take(BOB, "p1", NOW) is None
    assert await repo.take(ALICE, "p1", NOW) is not None


async def test_ids_are_unique_and_cannot_splice_a_key(table: Table) -> None:
    repo = ProposalRepo(table)
    await repo.put(ALICE, "p1", "session", ENTRY, EXPIRES)
    with pytest.raises(ConditionFailed):
        await repo.put(ALICE, "p1", "send", {"grade": "V1"}, EXPIRES)
    for bad in ("", "p#1"):
        with pytest.raises(ValueError, match="proposal id"):
            await repo.put(ALICE, bad, "session", ENTRY, EXPIRES)
    await table.put({"pk": "USER#" + ALICE, "sk": "PROPOSAL#x#y", "kind": "k", "entry": {}})
    assert await repo.take(ALICE, "x#y", NOW) is None
    assert await repo.take(ALICE, "", NOW) is None
    assert await repo.take(ALICE, "p1", NOW) == StoredProposal("session", ENTRY)


async def test_a_look_leaves_the_proposal_and_a_taken_one_can_be_put_back(table: Table) -> None:
    repo = ProposalRepo(table)
    await repo.put(ALICE, "p1", "session", ENTRY, EXPIRES)
    assert await repo.get(ALICE, "p1", NOW) == StoredProposal("session", ENTRY)
    assert await repo.get(BOB, "p1", NOW) is None
    assert await repo.get(ALICE, "p1", EXPIRES + timedelta(seconds=1)) is None
    before = await table.get("USER#" + ALICE, "PROPOSAL#p1")

    taken = await repo.take(ALICE, "p1", NOW)
    assert taken is not None
    assert await repo.get(ALICE, "p1", NOW) is None
    await repo.put_back(ALICE, "p1", taken)  # the write it was taken for failed
    assert await table.get("USER#" + ALICE, "PROPOSAL#p1") == before  # same expiry
    with pytest.raises(ConditionFailed):
        await repo.put_back(ALICE, "p1", taken)
    with pytest.raises(ValueError, match="put back"):
        await repo.put_back(ALICE, "p2", StoredProposal("session", ENTRY))
