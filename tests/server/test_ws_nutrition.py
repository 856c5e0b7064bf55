"""Nutrition in the chat through the real protocol, on each store engine: a live server on
loopback with one fixed clock, the `websockets` client. Setting the profile answers with its
targets and a `saved` frame that undo reverts; `/supplement`; `/meal` without carbs; a meal in
plain words proposed, confirmed and saved on the day's log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection

from grammar.dates import local_today
from tests.clock import FrozenClock, at
from tests.conftest import ENGINES
from tests.server.helpers import CLIMBER_ZONE, sign_up
from tests.server.live import LiveServer, live_server_on
from tests.server.test_ws import open_socket, receive

NOW = at("2026-03-16T12:00:00")
"""The server's one clock in this module (the same calendar day in every test climber's zone)."""
TODAY = local_today(NOW, CLIMBER_ZONE).isoformat()


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str
) -> Iterator[LiveServer]:
    """A live server on each store engine (SQLite, DynamoDB through moto)."""
    folder = Path(tmp_path_factory.mktemp("nutrition"))
    with live_server_on(str(request.param), folder, moto_endpoint, clock=FrozenClock(NOW)) as live:
        yield live


class Chat:
    """One socket of a signed-up climber: say something, read what answers it."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.said = 0

    async def send(self, frame: dict[str, Any], reply_to: str, *types: str) -> list[Any]:
        """Send `frame`, then read the frames answering it until one of each of `types`
        (in any order: a `saved` goes to every tab, a `reply` to this one) has come."""
        await self.socket.send(json.dumps(frame))
        got: dict[str, dict[str, Any]] = {}
        while set(got) != set(types):
            answer = await receive(self.socket)
            assert answer.get("reply_to") == reply_to, answer
            assert answer["type"] in types, answer
            got[answer["type"]] = answer
        return [got[kind] for kind in types]

    async def say(self, text: str, *types: str) -> list[Any]:
        self.said += 1
        frame_id = f"c{self.said}"
        return await self.send({"type": "say", "id": frame_id, "text": text}, frame_id, *types)


async def test_nutrition_in_the_chat_from_profile_to_a_confirmed_meal(server: LiveServer) -> None:
    headers = await sign_up(server, "fuel")
    token = headers["Authorization"].removeprefix("Bearer ")
    async with open_socket(server, token) as socket:
        assert (await receive(socket))["type"] == "ready"
        chat = Chat(socket)

        # Setting the profile: a saved frame with the targets, and a reply saying how.
        saved, reply = await chat.say(
            "/nutrition weight 68kg height 170cm age 30 sex female goal cut", "saved", "reply"
        )
        assert (saved["kind"], saved["item"]["weight"], saved["item"]["goal"]) == (
            "nutrition_profile",
            68,
            "cut",
        )
        assert saved["undo"]
        assert saved["item"]["daily"]["calories"] == {
            "nutrient": "calories",
            "value": 2000,
            "unit": "kcal",
            "source": "computed",
            "how": saved["item"]["daily"]["calories"]["how"],
        }
        assert "- Calories: 2,000 kcal, computed: Mifflin–St Jeor BMR 1,432 kcal" in reply["text"]
        assert "A cut here is a modest deficit" in reply["text"]

        # A change, then its undo: the profile is as it was before the change.
        (changed, _) = await chat.say("/nutrition weight 70kg bulk", "saved", "reply")
        assert changed["item"]["weight"] == 70
        (undone,) = await chat.say(f"/undo {changed['undo']}", "saved")
        assert undone["item"] == {"undone": "nutrition_profile", "id": "profile"}

        # /supplement and a /meal without carbs, on today's log.
        (supplement,) = await chat.say("/supplement creatine 5g", "saved")
        assert (supplement["kind"], supplement["item"]["supplements"]) == (
            "supplement",
            ["creatine 5g"],
        )
        (meal,) = await chat.say("/meal dinner 600kcal protein 40", "saved")
        assert meal["item"]["date"] == TODAY
        [dinner] = meal["item"]["meals"]
        assert {key: dinner[key] for key in dinner if key != "id"} == {
            "mealType": "dinner",
            "calories": 600,
            "proteinG": 40,
        }
        assert "carbsG" not in meal["item"]["totals"]  # not logged, not 0

        # A meal in plain words: proposed (no AI message), then confirmed onto the day.
        reply, proposal = await chat.say(
            "had a big pasta lunch, about 800 kcal", "reply", "proposal"
        )
        assert reply["text"].startswith("Here is the meal I read from that.")
        assert (proposal["kind"], proposal["item"]) == (
            "meal",
            {"date": TODAY, "mealType": "lunch", "name": "pasta", "calories": 800},
        )
        (confirmed,) = await chat.send(
            {"type": "confirm", "proposal": proposal["id"]}, proposal["id"], "saved"
        )
        assert confirmed["kind"] == "meal"
        assert confirmed["undo"]
        assert [m.get("name") for m in confirmed["item"]["meals"]] == [None, "pasta"]
        assert confirmed["item"]["totals"]["calories"] == 1400
        assert confirmed["quota"]["ai_messages"]["used"] == 0

        # /nutrition alone: the profile as the undo left it, and today so far.
        (shown,) = await chat.say("/nutrition", "reply")
        assert shown["data"]["profile"]["weight"] == 68
        assert shown["data"]["profile"]["goal"] == "cut"
        assert shown["data"]["today"]["supplements"] == ["creatine 5g"]
        today = "Today so far (2 meals): calories 1,400 of 2,000 kcal · protein 40 of 150 g"
        assert today in shown["text"]
        assert "carbs not logged" in shown["text"]


async def test_a_bad_value_is_an_invalid_entry_and_nothing_is_written(server: LiveServer) -> None:
    headers = await sign_up(server, "typo")
    token = headers["Authorization"].removeprefix("Bearer ")
    async with open_socket(server, token) as socket:
        await receive(socket)
        chat = Chat(socket)
        (error,) = await chat.say("/nutrition weight 5kg goal maintain", "error")
        assert error["code"] == "invalid_entry"
        assert error["message"].startswith("Weight 5 kg: must be at least 25 kg — e.g. /nutrition")
        (error,) = await chat.say("/meal dinner 20000 kcal", "error")
        assert error["code"] == "invalid_entry"
        assert "20,000 kcal is more than one meal holds" in error["message"]
        (shown,) = await chat.say("/nutrition", "reply")
        assert shown["data"]["profile"] is None
        assert shown["data"]["today"] is None
