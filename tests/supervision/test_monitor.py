"""The live monitor: its state, its socket (/ws/monitor/, through the real ASGI application and
Redis layer, as tests/contactcenter/test_agent_socket.py drives /ws/agent/), its actions, and
watching a chat silently."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from config.asgi import application
from contactcenter.models import ActivityEvent, EventKind, Offer, Participant, QueueMembership
from contactcenter.services.availability import agent_set_online, pause_start
from contactcenter.services.offers import offer_accept
from supervision.monitor import monitor_state
from tests.contactcenter.test_agent_socket import run, session_headers
from tests.factories import (
    AgentFactory,
    CustomerActivityFactory,
    MembershipFactory,
    OfferFactory,
    OnlineAgentFactory,
    PauseFactory,
    PauseReasonFactory,
    QueueFactory,
    SupervisorFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)
UTC = timezone.get_current_timezone()
# Bounds for a frame that must come (the monitor sends at most one state a quarter second).
FRAME = 5


def agent_row(state: dict, agent) -> dict:
    return next(row for row in state["agents"] if row["id"] == agent.pk)


def test_each_agents_state_and_since():
    queue = QueueFactory()
    offline = AgentFactory(display_name="Olga")
    ready = OnlineAgentFactory(display_name="Rita", queue=queue)
    paused = OnlineAgentFactory(display_name="Pavel", queue=queue)
    pause = PauseFactory(agent=paused, reason=PauseReasonFactory(name="Lunch"))
    ringing = OnlineAgentFactory(display_name="Rudi", queue=queue)
    waiting = CustomerActivityFactory(state="waiting", owner=None, queue=queue)
    offer = OfferFactory(activity=waiting, agent=ringing)
    busy = OnlineAgentFactory(display_name="Bea", queue=queue, max_open_chats=2)
    chat = CustomerActivityFactory(owner=busy, accepted_at=timezone.now())
    state = monitor_state(UTC)
    assert agent_row(state, offline)["state"] == "offline"
    assert agent_row(state, ready)["state"] == "ready"
    assert agent_row(state, paused)["pause"] == {"reason": "Lunch", "paid": True}
    assert agent_row(state, paused)["since"] == pause.started_at.isoformat()
    assert agent_row(state, ringing)["since"] == offer.created_at.isoformat()
    assert (agent_row(state, busy)["state"], agent_row(state, busy)["open_chats"]) == ("busy", 1)
    assert agent_row(state, busy)["since"] == chat.accepted_at.isoformat()
    tile = next(row for row in state["queues"] if row["id"] == queue.pk)
    assert (tile["waiting"], tile["ringing"]) == (1, 1)
    assert tile["longest_wait_since"] == waiting.queued_at.isoformat()
    assert (tile["logged_in"], tile["ready"], tile["paused"]) == (4, 1, 1)
    assert [row["id"] for row in state["waiting"]] == [waiting.pk]
    assert state["waiting"][0]["ringing"] == "Rudi"
    assert chat.pk in [row["id"] for row in state["chats"]]


def test_a_fixed_number_of_queries_whatever_the_load(django_assert_max_num_queries):
    for _ in range(2):
        queue = QueueFactory()
        for _ in range(5):
            agent = OnlineAgentFactory(queue=queue)
            CustomerActivityFactory(owner=agent)
            PauseFactory(agent=agent)
    with django_assert_max_num_queries(19):
        monitor_state(UTC)


async def monitor(user) -> tuple[WebsocketCommunicator, dict]:
    headers = await database_sync_to_async(session_headers)(user)
    socket = WebsocketCommunicator(application, "/ws/monitor/?tz=Europe/Prague", headers=headers)
    connected, _ = await socket.connect()
    assert connected
    return socket, await socket.receive_json_from(timeout=FRAME)


def test_the_monitor_is_pushed_each_change_with_increasing_ids():
    queue = QueueFactory()
    rita = AgentFactory(display_name="Rita")
    MembershipFactory(agent=rita, queue=queue)
    reason = PauseReasonFactory(name="Lunch")

    async def scenario():
        socket, snapshot = await monitor(await database_sync_to_async(SupervisorFactory)())
        assert (snapshot["type"], snapshot["event_id"]) == ("snapshot", 1)
        assert agent_row(snapshot, rita)["state"] == "offline"
        # she comes online: no page event, a hint of its own
        await database_sync_to_async(agent_set_online)(agent_id=rita.pk, online=True)
        online = await socket.receive_json_from(timeout=FRAME)
        assert (online["type"], online["event_id"]) == ("state", 2)
        assert agent_row(online, rita)["state"] == "ready"
        # she pauses: her page's event tells the monitor too
        await database_sync_to_async(pause_start)(agent=rita, reason_id=reason.pk)
        paused = await socket.receive_json_from(timeout=FRAME)
        assert paused["event_id"] == 3
        assert agent_row(paused, rita)["pause"]["reason"] == "Lunch"
        await socket.disconnect()

    run(scenario)


def test_only_supervisors_connect():
    agent = AgentFactory()

    async def scenario():
        headers = await database_sync_to_async(session_headers)(agent.user)
        socket = WebsocketCommunicator(application, "/ws/monitor/", headers=headers)
        await socket.connect()
        assert (await socket.receive_output(timeout=FRAME))["code"] == 4403

    run(scenario)


def test_a_supervisor_offers_a_waiting_customer_to_the_agent_she_chooses(client):
    queue = QueueFactory()
    rita = OnlineAgentFactory(queue=queue)
    bea = OnlineAgentFactory(queue=queue)
    waiting = CustomerActivityFactory(state="waiting", owner=None, queue=queue)
    ringing_rita = OfferFactory(activity=waiting, agent=rita)
    client.force_login(SupervisorFactory())
    answer = client.post(f"/api/v1/monitor/activities/{waiting.pk}/offer/", {"agent": bea.pk},
                         content_type="application/json")  # fmt: skip
    assert answer.status_code == 204
    assert Offer.objects.get(pk=ringing_rita.pk).outcome == "revoked"
    assert Offer.objects.get(activity=waiting, outcome="pending").agent == bea
    offline = AgentFactory()
    MembershipFactory(agent=offline, queue=queue)
    refused = client.post(f"/api/v1/monitor/activities/{waiting.pk}/offer/",
                          {"agent": offline.pk}, content_type="application/json")  # fmt: skip
    assert (refused.status_code, refused.json()["code"]) == (409, "agent_offline")


def test_a_supervisor_ends_a_pause_and_logs_an_agent_out(client):
    queue = QueueFactory()
    rita = OnlineAgentFactory(queue=queue)
    PauseFactory(agent=rita)
    client.force_login(SupervisorFactory())
    assert client.post(f"/api/v1/monitor/agents/{rita.pk}/end-pause/").status_code == 204
    assert not rita.pauses.filter(ended_at__isnull=True).exists()
    url = f"/api/v1/monitor/agents/{rita.pk}/queues/{queue.pk}/log-out/"
    assert client.post(url).status_code == 204
    assert not QueueMembership.objects.get(agent=rita, queue=queue).logged_in
    client.force_login(rita.user)
    assert client.post(url).status_code == 403


def test_watching_a_chat_tells_nobody_and_is_kept_for_supervisors(client):
    alice = OnlineAgentFactory()
    chat = CustomerActivityFactory(owner=alice)
    supervisor = SupervisorFactory()
    client.force_login(supervisor)
    page = client.get(f"/supervision/activities/{chat.pk}/")
    assert page.status_code == 200
    # no participant, and the audit line only supervisors are shown
    assert list(Participant.objects.filter(activity=chat).values_list("agent", flat=True)) == [
        alice.pk
    ]
    watched = ActivityEvent.objects.get(activity=chat, kind=EventKind.MONITORED)
    assert watched.actor == supervisor
    history = f"/api/v1/activities/{chat.pk}/events/"
    assert "monitored" in kinds(client.get(history))
    client.force_login(alice.user)
    assert "monitored" not in kinds(client.get(history))
    assert client.get(f"/supervision/activities/{chat.pk}/").status_code == 404


def kinds(answer) -> list[str]:
    return [line["kind"] for line in answer.json()["results"]]


def test_a_watched_chat_is_told_of_each_change():
    alice = OnlineAgentFactory()
    chat = CustomerActivityFactory(owner=None, state="waiting")
    offer = OfferFactory(activity=chat, agent=alice)

    async def scenario():
        socket, _ = await monitor(await database_sync_to_async(SupervisorFactory)())
        await socket.send_json_to({"type": "watch", "activity_id": chat.pk})
        await database_sync_to_async(offer_accept)(offer_id=offer.pk, agent=alice)
        frames = [await socket.receive_json_from(timeout=FRAME) for _ in range(2)]
        changed = [frame for frame in frames if frame["type"] == "activity.changed"]
        assert changed and {frame["activity_id"] for frame in changed} == {chat.pk}
        await socket.disconnect()

    run(scenario)
