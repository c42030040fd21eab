import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from heroes.grooming.rooms import QUIET_SECONDS, RoomError, Rooms

from .conftest import GROOMING_CHAT


def test_rooms_are_bounded_and_evict_the_least_recently_used_quiet_room():
    rooms = Rooms(max_rooms=2)
    a, b = rooms.create(), rooms.create()
    a.touched -= QUIET_SECONDS + 1
    b.touched -= QUIET_SECONDS + 2
    rooms.get(a.id)  # a is now the most recent
    c = rooms.create()
    assert len(rooms) == 2
    with pytest.raises(RoomError) as err:
        rooms.get(b.id)
    assert err.value.status == 404
    assert rooms.get(a.id) and rooms.get(c.id)


def test_a_burst_of_new_rooms_cannot_evict_live_conversations():
    rooms = Rooms(max_rooms=5)
    live = [rooms.create() for _ in range(5)]
    for _ in range(50):  # someone asks for room after room
        with pytest.raises(RoomError) as err:
            rooms.create()
        assert err.value.status == 503
    assert all(rooms.get(r.id) for r in live)


def test_room_message_limit_and_validation():
    rooms = Rooms(max_messages=2)
    r = rooms.create()
    rooms.post(r.id, "adult", "hi", "en")
    rooms.post(r.id, "child", "hey", "en")
    with pytest.raises(RoomError) as err:
        rooms.post(r.id, "adult", "again", "en")
    assert err.value.status == 409
    with pytest.raises(RoomError):
        rooms.post(r.id, "nobody", "x", "en")
    with pytest.raises(RoomError):
        rooms.post(rooms.create().id, "adult", "   ", "en")


def test_child_side_gets_risk_and_alert_adult_side_only_the_chat():
    async def run():
        rooms = Rooms()
        r = rooms.create()
        child = rooms.listen(r.id, "child")
        adult = rooms.listen(r.id, "adult")
        for who, text in GROOMING_CHAT:
            rooms.post(r.id, "adult" if who == "sam" else "child", text, "es")
        adult_events = [adult.get_nowait() for _ in range(adult.qsize())]
        child_events = [child.get_nowait() for _ in range(child.qsize())]
        return adult_events, child_events

    # A thread of its own: Playwright's sync API may leave a loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        adult_events, child_events = pool.submit(asyncio.run, run()).result()
    assert {e["type"] for e in adult_events} == {"message"}
    risks = [e for e in child_events if e["type"] == "risk"]
    assert len(risks) == len(GROOMING_CHAT)
    alerts = [e["alert"] for e in risks if e["alert"]]
    assert risks[-1]["warning"]
    # The warning is raised once, then a new alert comes with each later stage, never a repeat.
    assert len({a["stage"] for a in alerts}) == len(alerts) >= 2
    assert [a["stage"] for a in risks[-1]["alerts"]] == [a["stage"] for a in alerts]
    assert risks[-1]["level"] == "warning" and "aviso" in risks[-1]["level_text"].lower()
    assert risks[0]["level"] == "none" and "risk" in risks[0]  # no alarm on a greeting
    alert = alerts[0]
    assert set(alert) == {"stage", "stage_name", "snippet", "advice"}
    assert "adulto de confianza" in alert["advice"]  # the child's language
    assert any("secreto" in s["name"].lower() for s in risks[-1]["stages"])
