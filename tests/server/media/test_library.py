"""The storage accounting over the table on each engine: media outliving a chat `/delete` for
the undo window, then swept with its storage given back; expired reservations released by the
function a scheduled job calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.caller import Caller
from quotas import load_policy
from server.media.library import ORPHAN_GRACE, MediaLibrary
from server.media.local import LocalMediaStore
from store.records.journal import JournalEntryIn
from store.records.media import EntryKind
from store.repos.journal import JournalRepo
from store.repos.media import MediaRepo
from store.table import Table
from tests.clock import FrozenClock
from tests.server.media.helpers import JPEG, uploaded

CLIMBER = Caller(user_id="u1", tier="pro")
SESSION = JournalEntryIn.model_validate(
    {"date": "2026-03-01", "sessionType": "gym", "duration": 60}
)


def library(table: Table, tmp_path: Path, clock: FrozenClock) -> MediaLibrary:
    table.clock = clock
    store = LocalMediaStore(tmp_path / "media", b"k" * 32, clock)
    return MediaLibrary(table, store, load_policy(), clock, 900, 300)


async def test_media_outlives_a_chat_delete_for_the_undo_window(
    table: Table, tmp_path: Path
) -> None:
    clock = FrozenClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    media = library(table, tmp_path, clock)
    journal = JournalRepo(table)
    entry = await journal.create("u1", SESSION)
    await uploaded(media, CLIMBER, entry.id)
    assert (await MediaRepo(table).usage("u1")).used_bytes == len(JPEG)

    await journal.delete("u1", entry.id)  # what a chat /delete does
    assert await media.sweep_orphans("u1") == 0  # marked, kept: /undo may bring it back
    await journal.insert("u1", entry)  # what /undo does
    clock.advance(ORPHAN_GRACE * 2)
    assert await media.sweep_orphans("u1") == 0  # the entry is back: the mark is gone
    assert len(await media.of_entry("u1", EntryKind.SESSION, entry.id)) == 1

    await journal.delete("u1", entry.id)
    assert await media.sweep_orphans("u1") == 0
    clock.advance(ORPHAN_GRACE - timedelta(seconds=1))
    assert await media.sweep_orphans("u1") == 0
    clock.advance(timedelta(seconds=1))
    assert await media.sweep_orphans("u1") == 1
    usage = await MediaRepo(table).usage("u1")
    assert (usage.used_bytes, usage.reserved_bytes) == (0, 0)
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file() and "users" in p.parts]


async def test_expired_reservations_are_released_once(table: Table, tmp_path: Path) -> None:
    clock = FrozenClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    media = library(table, tmp_path, clock)
    entry = await JournalRepo(table).create("u1", SESSION)
    for _ in range(3):
        await media.sign(CLIMBER, EntryKind.SESSION, entry.id, "image/png", 1000)
    assert (await MediaRepo(table).usage("u1")).reserved_bytes == 3000
    assert await media.release_expired("u1") == 0
    clock.advance(timedelta(seconds=900))
    assert await media.release_expired("u1") == 3
    assert await media.release_expired("u1") == 0
    assert (await MediaRepo(table).usage("u1")).reserved_bytes == 0
