"""`/history`, `/edit`, `/delete` and a mistyped command through the real protocol: a live
server on loopback, the `websockets` client, and the REST API to see what was stored."""

from __future__ import annotations

import json
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection

from tests.server.live import LiveServer
from tests.server.test_ws import open_socket, receive, sign_up


async def say(socket: ClientConnection, frame_id: str, text: str) -> dict[str, Any]:
    await socket.send(json.dumps({"type": "say", "id": frame_id, "text": text}))
    frame = await receive(socket)
    assert frame.get("reply_to") == frame_id, frame
    return frame


async def test_edit_and_delete_an_entry_from_history_over_the_socket(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    token = await sign_up(http)
    bearer = {"Authorization": f"Bearer {token}"}
    async with open_socket(server, token) as tab, open_socket(server, token) as other_tab:
        await receive(tab)
        await receive(other_tab)
        session = await say(tab, "c1", "/log gym 90min rpe 7 sent V4 notes: crimps")
        await receive(other_tab)
        send = await say(tab, "c2", "/send V6 yesterday")
        await receive(other_tab)

        history = await say(tab, "c3", "/history")
        assert history["type"] == "reply"
        assert history["text"].splitlines()[1:3] == [
            f"1. {session['item']['date']} gym 90min sent V4 rpe 7",
            f"2. {send['item']['date']} send V6",
        ]

        edited = await say(tab, "c4", "/edit 1 rpe 8 notes: felt strong")
        assert edited["type"] == "saved"
        assert edited["kind"] == "session"
        assert edited["undo"]
        assert edited["quota"]["journal_entries"]["used"] == 1  # an edit is not a new entry
        seen = await receive(other_tab)  # every tab hears of the change
        assert (seen["type"], seen["item"]) == ("saved", edited["item"])
        stored = await http.get(f"/journal/entries/{session['item']['id']}", headers=bearer)
        assert stored.status_code == 200
        assert (stored.json()["rpe"], stored.json()["notes"]) == (8, "felt strong")
        assert stored.json()["gradesCompleted"] == session["item"]["gradesCompleted"]

        deleted = await say(tab, "c5", "/delete 2")
        assert (deleted["type"], deleted["kind"]) == ("saved", "delete")
        assert deleted["item"]["deleted"] == "send"
        await receive(other_tab)
        gone = await http.get(f"/benchmarks/sends/{send['item']['id']}", headers=bearer)
        assert gone.status_code == 404

        undone = await say(tab, "c6", f"/undo {deleted['undo']}")
        assert undone["item"] == {"undone": "delete", "id": send["item"]["id"]}
        back = await http.get(f"/benchmarks/sends/{send['item']['id']}", headers=bearer)
        assert back.status_code == 200
        assert back.json()["grade"] == "V6"

        mistyped = await say(tab, "c7", "/edti 1 rpe 9")
        assert mistyped == {
            "type": "error",
            "reply_to": "c7",
            "code": "unknown_command",
            "message": "There's no /edti. Did you mean /edit?",
        }
