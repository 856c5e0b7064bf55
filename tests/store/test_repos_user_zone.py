"""The climber's time zone as the user repository stores it, on every engine: not set until
chosen, a chosen UTC kept, and the old unchosen default read as not set."""

from __future__ import annotations

from store.records.user import Preferences, UserIn
from store.repos.account import AccountRepo
from store.repos.base import user_pk
from store.repos.users import PROFILE, UserRepo
from store.table import Table

ALICE = "alice-0001"


async def test_a_new_user_has_no_time_zone_until_one_is_chosen(table: Table) -> None:
    users = UserRepo(table)
    created = await users.create(ALICE, UserIn(email="alice@example.com"))
    assert created.preferences.timezone is None
    assert "timezone" not in (await table.get(user_pk(ALICE), PROFILE) or {})["preferences"]
    chosen = await users.update(ALICE, {"preferences": {"timezone": "utc"}})
    assert chosen.preferences.timezone == "Etc/UTC"
    assert (await users.get(ALICE)).preferences.timezone == "Etc/UTC"


async def test_the_old_default_utc_reads_as_not_set_and_nothing_else_changes(
    table: Table,
) -> None:
    users = UserRepo(table)
    await users.create(
        ALICE, UserIn(email="alice@example.com", preferences=Preferences(units="imperial"))
    )
    # What every user written before the zone could be unset holds: "UTC", chosen by nobody.
    item = await table.get(user_pk(ALICE), PROFILE)
    assert item is not None
    legacy = {**item, "preferences": {**item["preferences"], "timezone": "UTC"}}
    await table.put({k: v for k, v in legacy.items() if k != "version"})

    user = await users.get(ALICE)
    assert user.preferences.timezone is None
    assert user.preferences.units == "imperial"
    assert (await users.find_by_email("alice@example.com")) == user
    assert "timezone" not in (await AccountRepo(table).export(ALICE))["user"]["preferences"]
    # Once a zone is set it is the climber's.
    moved = await users.update(
        ALICE, {"preferences": {**user.preferences.to_wire(), "timezone": "Australia/Sydney"}}
    )
    assert (await users.get(ALICE)).preferences == moved.preferences
    assert moved.preferences.timezone == "Australia/Sydney"
