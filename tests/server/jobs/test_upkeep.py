"""The `media-upkeep` job through the runner: storage reserved by an upload never completed,
and the media of an entry deleted from the chat past the undo window, given back for climbers
who never come back. SQLite (the library is engine-agnostic and tested on both elsewhere), the
local media store, a real redis-server for the job's lock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from redis.asyncio import Redis

from core.caller import Caller
from quotas import load_policy
from server.jobs.job import JobEnv
from server.jobs.runner import JobRefused, run
from server.jobs.upkeep import MediaUpkeep
from server.media.library import ORPHAN_GRACE, MediaLibrary
from server.media.local import LocalMediaStore
from server.settings import Settings
from store.records import UserIn
from store.records.journal import JournalEntryIn
from store.records.media import EntryKind
from store.repos import UserRepo
from store.repos.journal import JournalRepo
from store.repos.media import MediaRepo
from store.table import Table
from tests.clock import FrozenClock
from tests.server.jobs.sample import Outbox
from tests.server.media.helpers import uploaded

SESSION = JournalEntryIn.model_validate(
    {"date": "2026-03-01", "sessionType": "gym", "duration": 60}
)


async def climber(table: Table, name: str) -> tuple[Caller, str]:
    """A Pro climber with one logged session: the caller and the entry's id."""
    await UserRepo(table).create(name, UserIn(email=f"{name}@example.com"))
    entry = await JournalRepo(table).create(name, SESSION)
    return Caller(user_id=name, tier="pro"), entry.id


async def test_abandoned_uploads_and_orphaned_media_are_given_back_for_everyone(
    sqlite_table: Table, redis: Redis, tmp_path: Path
) -> None:
    table = sqlite_table  # SQLite only: the subject is the job, not the engine
    clock = FrozenClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    table.clock = clock
    store = LocalMediaStore(tmp_path / "media", b"k" * 32, clock)
    media = MediaLibrary(table, store, load_policy(), clock, 900, 300)
    env = JobEnv(table, redis, clock, Settings(), load_policy(), Outbox(), media=media)
    ann, ann_entry = await climber(table, "ann")
    bob, bob_entry = await climber(table, "bob")
    await climber(table, "cat")  # no media at all
    # Ann signs an upload and never sends it.
    await media.sign(ann, EntryKind.SESSION, ann_entry, "image/png", 1000)
    # Bob's photo stays after a chat /delete of its entry (his storage read marks it), and
    # he never comes back.
    await uploaded(media, bob, bob_entry)
    await JournalRepo(table).delete("bob", bob_entry)
    await media.sweep_orphans("bob")
    clock.advance(ORPHAN_GRACE)

    preview = await run(MediaUpkeep(), env, dry_run=True)
    assert preview.counts() == {"accounts": 3, "released": 1, "deleted": 1, "failed": 0}
    assert (await MediaRepo(table).usage("ann")).reserved_bytes == 1000  # nothing changed

    report = await run(MediaUpkeep(), env)
    assert report.counts() == {"accounts": 3, "released": 1, "deleted": 1, "failed": 0}
    for name in ("ann", "bob"):
        usage = await MediaRepo(table).usage(name)
        assert (usage.used_bytes, usage.reserved_bytes) == (0, 0)
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file() and "users" in p.parts]
    again = await run(MediaUpkeep(), env)
    assert (again.tallies["released"], again.tallies["deleted"]) == (0, 0)
    with pytest.raises(JobRefused, match="no --user"):
        await run(MediaUpkeep(), env, user_email="ann@example.com")
