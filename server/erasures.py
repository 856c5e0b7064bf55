"""Erasing an account so that it always finishes: the steps, and the job that completes erasures
a crash or an outage left pending.

An erasure (`DELETE /users/profile`, `server.routes.users`) first writes a tombstone and marks
the profile (`store.repos.erasures`): from then on the account reads as gone, so every token of
it is refused (401, sockets 4001) and a Cognito sign-in cannot recreate it. Then `Eraser.run`
takes the steps, each idempotent:

1. the user's Redis keys (`server.erasure.erase_keys`);
2. the user's table items, email reservation and secrets (`AccountRepo.delete_all`; the
   tombstone is in another partition and stays);
3. in Cognito mode, `AdminUserGlobalSignOut` then `AdminDeleteUser` (`CognitoAdmin`; a user
   Cognito does not know counts as done);
4. the Redis keys and the table items again, for what a turn of the user wrote while their
   socket was closing, or a batch of an import that was being written as the erasure began
   (an import reads the profile with each batch and stops once the erasure has begun:
   `handlers.imports`);
5. the tombstone, only when every step above finished.

A step that fails (Redis or Cognito unreachable) does not stop the later ones, so as much as
possible is erased at once; the tombstone stays, and running the steps again from the start
finishes the job whatever had been done. `finish_erasures` does that for every pending
tombstone: the serving processes run it as the `finish-erasures` job (`server.jobs.upkeep`)
every `V7_ERASURE_RETRY_SECONDS`, one at a time under the job's lock; operators run it with
`v7 jobs run finish-erasures` (under the lock) or `v7 users finish-erasures` (without one, so
it works while Redis is down). Logs name the user id only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from redis.asyncio import Redis

from core.clock import Clock
from quotas.unavailable import REDIS_DOWN
from server.auth.cognito_admin import CognitoAdmin, CognitoUnavailable
from server.auth.errors import AuthError
from server.erasure import erase_keys
from server.media.store import MediaStore, MediaStoreUnavailable, user_prefix
from store.repos.account import AccountRepo
from store.repos.erasures import ErasureRepo, Tombstone
from store.table import Table

log = logging.getLogger("v7.erasure")


@dataclass(frozen=True)
class Eraser:
    """The steps of an erasure over the app's clients. `redis` None: a run without Redis (its
    steps fail and the tombstone stays); `cognito` None: local accounts, no identity provider."""

    table: Table
    redis: Redis | None
    cognito: CognitoAdmin | None
    clock: Clock
    media: MediaStore | None = None
    """Where the user's photos and videos are: every object under `users/{id}/` is deleted
    before the table items (a step like the others: unreachable → the tombstone stays). None
    only where no media store exists (tests of the other steps)."""

    async def begin(self, user_id: str, email: str) -> Tombstone:
        """Write the tombstone and mark the profile: the account reads as gone from now on."""
        repo = ErasureRepo(self.table)
        return await repo.begin(user_id, username=user_id, email=email, now=self.clock())

    async def run(self, tombstone: Tombstone) -> bool:
        """Take every step (see the module doc); True when all finished and the tombstone is
        deleted, False when it stays for a later run. Store errors propagate (the tombstone
        stays too)."""
        user_id = tombstone.user_id
        repo = ErasureRepo(self.table)
        attempts = await repo.count_attempt(user_id)
        if attempts is None:
            return True  # another run finished it meanwhile
        done = await self._keys(user_id)
        # The objects before the items: their keys are all under the user's prefix, so a
        # later run finds them without the items.
        done = await self._media(user_id) and done
        await AccountRepo(self.table).delete_all(user_id)
        done = await self._cognito(tombstone) and done
        done = await self._keys(user_id) and done
        await AccountRepo(self.table).delete_all(user_id)
        if done:
            await repo.finish(user_id)
            log.info("erasure finished", extra={"user_id": user_id, "attempts": attempts})
        else:
            log.warning("erasure pending", extra={"user_id": user_id, "attempts": attempts})
        return done

    async def _keys(self, user_id: str) -> bool:
        if self.redis is None:
            return False
        try:
            await erase_keys(self.redis, user_id)
        except REDIS_DOWN as exc:
            log.warning(
                "erasure: redis unreachable",
                extra={"user_id": user_id, "error": type(exc).__name__},
            )
            return False
        return True

    async def _media(self, user_id: str) -> bool:
        if self.media is None:
            return True
        try:
            deleted = await self.media.delete_prefix(user_prefix(user_id))
        except MediaStoreUnavailable as exc:
            log.warning(
                "erasure: media store unreachable",
                extra={"user_id": user_id, "error": str(exc)},
            )
            return False
        if deleted:
            log.info("erasure: media deleted", extra={"user_id": user_id, "objects": deleted})
        return True

    async def _cognito(self, tombstone: Tombstone) -> bool:
        if self.cognito is None:
            return True
        try:
            await self.cognito.sign_out_everywhere(tombstone.username)
            await self.cognito.delete_user(tombstone.username)
        except CognitoUnavailable:
            return False  # logged by CognitoAdmin, without the username
        return True


async def refuse_if_erasing(table: Table, user_id: str) -> None:
    """Raise `AuthError` (`invalid_credentials`, as for an unknown user) if the erasure of
    `user_id` has begun: a sign-in must not recreate the account it is erasing."""
    if await ErasureRepo(table).pending(user_id):
        raise AuthError("invalid_credentials")


@dataclass(frozen=True)
class Finished:
    """What one `finish_erasures` run did: erasures completed, and those still pending."""

    finished: int
    pending: int


async def finish_erasures(eraser: Eraser) -> Finished:
    """Complete every pending erasure, oldest first. One user's failure (any exception) does
    not stop the others; it stays pending, its attempt counted."""
    finished = pending = 0
    for tombstone in await ErasureRepo(eraser.table).all():
        try:
            done = await eraser.run(tombstone)
        except Exception as exc:  # one user's fault must not stop the rest
            log.warning(
                "erasure failed",
                extra={"user_id": tombstone.user_id, "error": type(exc).__name__},
            )
            done = False
        finished, pending = (finished + 1, pending) if done else (finished, pending + 1)
    return Finished(finished, pending)
