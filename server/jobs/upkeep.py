"""The maintenance jobs: upkeep the serving processes run themselves (`Trigger.SERVER` in the
registry), each a thin job over the code that owns its rule.

- `finish-erasures`: `server.erasures.finish_erasures`, every `V7_ERASURE_RETRY_SECONDS`.
- `media-upkeep`: for every account, `MediaLibrary.release_expired` (storage reserved by
  uploads never completed) and `MediaLibrary.sweep_orphans` (media of entries deleted from the
  chat past the undo window), so storage comes back even for climbers who never return.
"""

from __future__ import annotations

import logging
from typing import ClassVar

from server.erasures import finish_erasures
from server.jobs.job import JobEnv, MaintenanceJob, NeedsClient
from server.media.library import ORPHAN_GRACE
from store.records.media import is_expired
from store.repos.erasures import ErasureRepo
from store.repos.users import UserRepo

log = logging.getLogger("v7.jobs")


class FinishErasures(MaintenanceJob):
    name: ClassVar[str] = "finish-erasures"
    description: ClassVar[str] = "finish account erasures left pending"

    async def run(self, env: JobEnv, *, dry_run: bool) -> dict[str, int]:
        """Every pending erasure, oldest first; counts `finished` and `pending` (those whose
        steps failed again, left for the next run). Dry run: how many are pending."""
        if dry_run:
            return {"pending": len(await ErasureRepo(env.table).all())}
        if env.eraser is None:
            raise NeedsClient("finish-erasures needs the Eraser")
        result = await finish_erasures(env.eraser)
        return {"finished": result.finished, "pending": result.pending}


class MediaUpkeep(MaintenanceJob):
    name: ClassVar[str] = "media-upkeep"
    description: ClassVar[str] = "give back abandoned uploads' storage, delete orphaned media"

    async def run(self, env: JobEnv, *, dry_run: bool) -> dict[str, int]:
        """Every account (the account index, a page at a time): its expired reservations
        released, its orphaned media swept. One account's failure (the media store down) is
        counted `failed` and logged with the user id; the others go on, and the next run
        retries it. Dry run: the expired reservations, and the media marked orphaned longer
        than the undo window ago (at most what a run deletes: an entry may be back), counted
        without touching them."""
        media = env.media
        if media is None:
            raise NeedsClient("media-upkeep needs the MediaLibrary")
        counts = {"accounts": 0, "released": 0, "deleted": 0, "failed": 0}
        now = env.clock()
        async for user in UserRepo(env.table).accounts():
            counts["accounts"] += 1
            try:
                if dry_run:
                    items = await media.repo.all(user.id)
                    counts["released"] += sum(is_expired(item, now) for item in items)
                    counts["deleted"] += sum(
                        item.orphaned_at is not None and now - item.orphaned_at >= ORPHAN_GRACE
                        for item in items
                    )
                    continue
                counts["released"] += await media.release_expired(user.id)
                counts["deleted"] += await media.sweep_orphans(user.id)
            except Exception as exc:  # one climber's fault must not stop the others
                counts["failed"] += 1
                log.warning(
                    "media upkeep failed for a user",
                    extra={"job": self.name, "user_id": user.id, "error": type(exc).__name__},
                )
        return counts
