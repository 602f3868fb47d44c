"""/ws/agent/ through the real ASGI application (session auth, origin check, Redis layer).

The consumer runs in this process: services called from a scenario go through
`database_sync_to_async`, and their events travel through the suite's real Redis channel layer.
Services own durable transactions and publish on commit, hence `transaction=True`.
"""

import json
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from config.asgi import application
from contactcenter import events
from contactcenter.models import Agent, ReminderMode
from contactcenter.services.activities import activity_take
from contactcenter.services.configuration import membership_add
from contactcenter.services.offers import offer_accept
from contactcenter.services.routing import activity_route
from messaging.events import MESSAGE_NEW
from messaging.services.outbound import message_send
from tests.factories import (
    ActivityFactory,
    AgentFactory,
    ChannelAccountFactory,
    CustomerActivityFactory,
    IdentityFactory,
    MembershipFactory,
    ParticipantFactory,
    PauseReasonFactory,
    QueueFactory,
    UserFactory,
)
from tests.messaging import payloads
from tests.messaging.helpers import post_webhook

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")
# How long a socket must stay silent to count as having received nothing more.
QUIET = 0.3


def session_headers(user) -> list[tuple[bytes, bytes]]:
    """The headers of a browser logged in as `user` (a session of its own)."""
    client = Client()
    client.force_login(user)
    return [ORIGIN, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


def communicator(headers) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, "/ws/agent/", headers=headers)


def run(scenario):
    """Run an async scenario from this sync test and return its result; its ORM calls come
    back to this thread.

    Each run is a new event loop, and gets a channel layer of its own (dropped again after):
    channels-redis binds its receive locks and buffers to the loop that first waits on them,
    so a layer shared with earlier loops (other scenarios, tests/contactcenter/inbox.py's
    thread) can fail a consumer's receive with "bound to a different event loop".
    """
    channel_layers.backends.clear()
    try:
        return async_to_sync(scenario)()
    finally:
        channel_layers.backends.clear()


async def connect(agent: Agent) -> tuple[WebsocketCommunicator, dict]:
    """A workspace page of `agent`, connected; returns it with the snapshot it opened with."""
    socket = communicator(await database_sync_to_async(session_headers)(agent.user))
    connected, _ = await socket.connect()
    assert connected
    snapshot = await socket.receive_json_from(timeout=5)
    assert snapshot["type"] == events.SNAPSHOT
    return socket, snapshot


async def frames(socket: WebsocketCommunicator, count: int) -> list[dict]:
    """The next `count` frames, then nothing more for a moment."""
    received = [await socket.receive_json_from(timeout=5) for _ in range(count)]
    assert await socket.receive_nothing(timeout=QUIET), "more frames than expected"
    return received


def types(received: list[dict]) -> list[str]:
    return [frame["type"] for frame in received]


def call(service):
    """A service as a scenario calls it (the ORM stays off the event loop)."""
    return database_sync_to_async(service)


def online_agents_of(queue, count: int) -> list[Agent]:
    """`count` online agents logged into `queue`; routing rings the first (idle longest) first."""
    now = timezone.now()
    agents = [
        AgentFactory(is_online=True, last_offered_at=now - timedelta(minutes=count - n))
        for n in range(count)
    ]
    for agent in agents:
        MembershipFactory(agent=agent, queue=queue)
    return agents


# --- connecting ----------------------------------------------------------------------------


def test_a_visitor_who_is_not_logged_in_is_closed_with_4401():
    async def scenario():
        socket = communicator([ORIGIN])
        connected, _ = await socket.connect()
        assert connected
        assert await socket.receive_output() == {"type": "websocket.close", "code": 4401}

    run(scenario)


def test_a_user_who_is_not_an_agent_is_closed_with_4403():
    headers = session_headers(UserFactory())

    async def scenario():
        socket = communicator(headers)
        await socket.connect()
        assert await socket.receive_output() == {"type": "websocket.close", "code": 4403}

    run(scenario)


def test_a_foreign_origin_is_refused():
    headers = session_headers(AgentFactory().user)
    headers[0] = (b"origin", b"https://evil.example")

    async def scenario():
        connected, _ = await communicator(headers).connect()
        assert not connected

    run(scenario)


def test_an_agent_connects_gets_the_snapshot_first_and_pong_for_ping():
    agent = AgentFactory()

    async def scenario():
        socket, snapshot = await connect(agent)
        assert snapshot["agent"]["id"] == agent.pk
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from() == {"type": "pong"}
        await socket.disconnect()

    run(scenario)


def test_connecting_marks_the_agent_online():
    # given: an agent whose workspace is closed
    agent = AgentFactory(is_online=False)

    async def scenario():
        # when
        socket, snapshot = await connect(agent)
        # then
        assert snapshot["agent"]["is_online"] is True
        assert (await call(Agent.objects.get)(pk=agent.pk)).is_online is True
        await socket.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    "frame", ["{not json", "[" * 50_000 + "]" * 50_000], ids=["not json", "nested too deep"]
)
def test_a_malformed_frame_gets_an_error_and_keeps_the_connection(frame):
    agent = AgentFactory()

    async def scenario():
        socket, _ = await connect(agent)
        await socket.send_to(text_data=frame)
        assert (await socket.receive_json_from())["code"] == "unknown_frame"
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from() == {"type": "pong"}
        await socket.disconnect()

    run(scenario)


def test_events_for_an_agents_group_reach_that_agent_only():
    # given: two agents connected
    alice, bob = AgentFactory(), AgentFactory()

    async def scenario():
        alice_socket, _ = await connect(alice)
        bob_socket, _ = await connect(bob)
        # when
        hello = {"type": "cc.event", "kind": "hello", "text": json.dumps({"type": "hello"})}
        await get_channel_layer().group_send(events.agent_stream(alice.id), hello)
        # then
        assert await alice_socket.receive_json_from() == {"type": "hello"}
        assert await bob_socket.receive_nothing(timeout=QUIET)
        await alice_socket.disconnect()
        await bob_socket.disconnect()

    run(scenario)


def test_published_events_reach_the_page_without_a_hop_to_a_database_thread(monkeypatch):
    # given: an agent connected, and every hop channels makes to close stale database
    # connections counted (one per message per socket made 1,000 sockets cost most of daphne)
    import channels.consumer

    agent = AgentFactory()
    hops = []

    async def counted():
        hops.append(1)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted)

    async def scenario():
        socket, _ = await connect(agent)
        hops.clear()
        # when
        for n in range(3):
            event = {"type": "cc.event", "kind": "hello", "text": json.dumps({"n": n})}
            await get_channel_layer().group_send(events.agent_stream(agent.id), event)
        # then
        assert [frame["n"] for frame in await frames(socket, 3)] == [0, 1, 2]
        assert hops == []
        await socket.disconnect()

    run(scenario)


# --- the snapshot ------------------------------------------------------------------------------


def test_the_snapshot_on_connect_holds_the_pending_offer_and_the_open_activities():
    # given: an agent rung for a waiting activity, and owning an open one
    queue = QueueFactory()
    [agent] = online_agents_of(queue, 1)
    waiting = ActivityFactory(queue=queue, title="Waiting one")
    offer = activity_route(activity_id=waiting.pk)
    open_activity = CustomerActivityFactory(owner=agent)

    async def scenario():
        # when
        socket, snapshot = await connect(agent)
        # then
        assert [o["id"] for o in snapshot["offers"]] == [offer.pk]
        assert snapshot["offers"][0]["activity"]["id"] == waiting.pk
        assert snapshot["offers"][0]["timeout_seconds"] == queue.accept_timeout
        assert [a["id"] for a in snapshot["activities"]] == [open_activity.pk]
        assert [(a["id"], a["offered_to"]) for a in snapshot["waiting"]] == [
            (waiting.pk, agent.display_name)
        ]
        assert snapshot["pause"] is None
        await socket.disconnect()

    run(scenario)


def test_a_reconnect_gets_a_fresh_snapshot_with_what_changed_while_disconnected():
    # given: a page that connected with nothing to show, then went away
    queue = QueueFactory()
    [agent] = online_agents_of(queue, 1)
    waiting = ActivityFactory(queue=queue)

    async def scenario():
        socket, before = await connect(agent)
        await socket.disconnect()
        # when: the agent is rung while no page listens (within the offline grace period)
        offer = await call(activity_route)(activity_id=waiting.pk)
        socket, after = await connect(agent)
        # then: the new snapshot shows it, and its event ids tell the page it missed events
        assert before["offers"] == []
        assert [o["id"] for o in after["offers"]] == [offer.pk]
        stream = events.agent_stream(agent.pk)
        assert after["event_ids"][stream] > before["event_ids"][stream]
        await socket.disconnect()

    run(scenario)


def test_a_resync_frame_is_answered_with_a_snapshot_of_the_state_now():
    # given: a connected agent who was just rung
    queue = QueueFactory()
    [agent] = online_agents_of(queue, 1)
    waiting = ActivityFactory(queue=queue)

    async def scenario():
        socket, _ = await connect(agent)
        offer = await call(activity_route)(activity_id=waiting.pk)
        received = await frames(socket, 2)
        # when
        await socket.send_json_to({"type": "resync"})
        snapshot = await socket.receive_json_from()
        # then
        assert snapshot["type"] == events.SNAPSHOT
        assert [o["id"] for o in snapshot["offers"]] == [offer.pk]
        assert (
            snapshot["event_ids"]
            == {frame["stream"]: frame["event_id"] for frame in received}
            == {events.agent_stream(agent.pk): 1, events.queue_stream(queue.pk): 1}
        )
        await socket.disconnect()

    run(scenario)


# --- who receives what -------------------------------------------------------------------------


def test_offer_new_reaches_only_the_offered_agent():
    # given: two agents of one queue connected; the first has been idle longest
    queue = QueueFactory()
    rung, colleague = online_agents_of(queue, 2)
    waiting = ActivityFactory(queue=queue)

    async def scenario():
        rung_socket, _ = await connect(rung)
        colleague_socket, _ = await connect(colleague)
        # when
        offer = await call(activity_route)(activity_id=waiting.pk)
        # then: the colleague only sees the waiting list change (the activity rings someone)
        rung_frames = await frames(rung_socket, 2)
        colleague_frames = await frames(colleague_socket, 1)
        assert types(rung_frames) == [events.OFFER_NEW, events.WAITING_CHANGED]
        assert rung_frames[0]["offer"]["id"] == offer.pk
        assert rung_frames[0]["offer"]["activity"]["id"] == waiting.pk
        assert types(colleague_frames) == [events.WAITING_CHANGED]
        assert colleague_frames[0]["activity"]["offered_to"] == rung.display_name
        await rung_socket.disconnect()
        await colleague_socket.disconnect()

    run(scenario)


def test_offer_revoked_reaches_the_rung_agent_when_a_colleague_takes_from_the_waiting_list():
    # given: the activity rings one agent; a colleague of the queue sees it waiting
    queue = QueueFactory()
    rung, colleague = online_agents_of(queue, 2)
    waiting = ActivityFactory(queue=queue)
    offer = activity_route(activity_id=waiting.pk)

    async def scenario():
        rung_socket, _ = await connect(rung)
        colleague_socket, _ = await connect(colleague)
        # when: the colleague takes it from the waiting list
        await call(activity_take)(activity_id=waiting.pk, agent=colleague)
        # then
        rung_frames = await frames(rung_socket, 2)
        colleague_frames = await frames(colleague_socket, 2)
        assert types(rung_frames) == [events.OFFER_REVOKED, events.WAITING_REMOVED]
        assert rung_frames[0] | {"event_id": None} == {
            "type": events.OFFER_REVOKED,
            "offer_id": offer.pk,
            "activity_id": waiting.pk,
            "stream": events.agent_stream(rung.pk),
            "event_id": None,
        }
        assert types(colleague_frames) == [events.ACTIVITY_OPENED, events.WAITING_REMOVED]
        assert colleague_frames[0]["activity"]["owner"]["id"] == colleague.pk
        await rung_socket.disconnect()
        await colleague_socket.disconnect()

    run(scenario)


def test_message_new_reaches_the_agents_taking_part_only():
    # given: an owner and an invited colleague in an activity, and an outsider of its queue
    identity = IdentityFactory(last_inbound_at=timezone.now() - timedelta(hours=1))
    activity = CustomerActivityFactory(identity=identity)
    owner = activity.owner
    invited = ParticipantFactory(activity=activity).agent
    outsider = MembershipFactory(queue=activity.queue).agent

    async def scenario():
        sockets = [(await connect(agent))[0] for agent in (owner, invited, outsider)]
        # when
        [message] = await call(message_send)(activity=activity, author=owner, text="Hello!")
        # then
        owner_frames, invited_frames = [await frames(socket, 1) for socket in sockets[:2]]
        assert types(owner_frames) == types(invited_frames) == [MESSAGE_NEW]
        assert owner_frames[0]["activity_id"] == activity.pk
        assert owner_frames[0]["message"]["id"] == message.pk
        assert await sockets[2].receive_nothing(timeout=QUIET)
        for socket in sockets:
            await socket.disconnect()

    run(scenario)


def test_a_reminder_reaches_the_participant_not_viewing_the_activity_only():
    # given: a queue that reminds on every customer message; the owner's page shows the
    # activity, the invited colleague's page does not
    queue = QueueFactory(reminder_mode=ReminderMode.EVERY_MESSAGE)
    account = ChannelAccountFactory(queue=queue)
    identity = IdentityFactory(channel_account=account)
    activity = CustomerActivityFactory(identity=identity)
    viewer = activity.owner
    elsewhere = ParticipantFactory(activity=activity).agent
    body = payloads.whatsapp_text(
        account.provider_account_id, "wamid.REMIND", "Anyone?", wa_id=identity.provider_user_id
    )

    async def scenario():
        viewer_socket, _ = await connect(viewer)
        elsewhere_socket, _ = await connect(elsewhere)
        await viewer_socket.send_json_to({"type": "viewing", "activity_id": activity.pk})
        await viewer_socket.send_json_to({"type": "ping"})
        assert await viewer_socket.receive_json_from() == {"type": "pong"}
        # when: the customer writes
        response = await call(post_webhook)(Client(), account, body)
        assert response.status_code == 200
        # then
        viewer_frames = await frames(viewer_socket, 1)
        elsewhere_frames = await frames(elsewhere_socket, 2)
        assert types(viewer_frames) == [MESSAGE_NEW]
        assert types(elsewhere_frames) == [MESSAGE_NEW, events.REMINDER]
        assert elsewhere_frames[1]["activity_id"] == activity.pk
        assert elsewhere_frames[1]["reason"] == "new_message"
        await viewer_socket.disconnect()
        await elsewhere_socket.disconnect()

    run(scenario)


def test_event_ids_count_up_by_one_per_stream():
    # given: two agents of one queue connected
    queue = QueueFactory()
    rung, colleague = online_agents_of(queue, 2)
    waiting = ActivityFactory(queue=queue)
    mine, shared = events.agent_stream(rung.pk), events.queue_stream(queue.pk)

    async def scenario():
        rung_socket, rung_snapshot = await connect(rung)
        colleague_socket, colleague_snapshot = await connect(colleague)
        # when: the first is rung and accepts
        offer = await call(activity_route)(activity_id=waiting.pk)
        await call(offer_accept)(offer_id=offer.pk, agent=rung)
        # then: each stream's events are numbered on from the snapshot, with no gap
        rung_frames = await frames(rung_socket, 5)
        colleague_frames = await frames(colleague_socket, 2)
        assert [(f["type"], f["stream"], f["event_id"]) for f in rung_frames] == [
            (events.OFFER_NEW, mine, rung_snapshot["event_ids"][mine] + 1),
            (events.WAITING_CHANGED, shared, rung_snapshot["event_ids"][shared] + 1),
            (events.OFFER_ACCEPTED, mine, rung_snapshot["event_ids"][mine] + 2),
            (events.ACTIVITY_OPENED, mine, rung_snapshot["event_ids"][mine] + 3),
            (events.WAITING_REMOVED, shared, rung_snapshot["event_ids"][shared] + 2),
        ]
        assert [(f["stream"], f["event_id"]) for f in colleague_frames] == [
            (shared, colleague_snapshot["event_ids"][shared] + 1),
            (shared, colleague_snapshot["event_ids"][shared] + 2),
        ]
        await rung_socket.disconnect()
        await colleague_socket.disconnect()

    run(scenario)


# --- catching up -------------------------------------------------------------------------------


def test_a_page_that_saw_a_gap_gets_the_missed_events_replayed_in_order():
    # given: a connected page; the agent is rung, then the offer expires
    queue = QueueFactory()
    [agent] = online_agents_of(queue, 1)
    waiting = ActivityFactory(queue=queue)
    mine = events.agent_stream(agent.pk)

    async def scenario():
        socket, snapshot = await connect(agent)
        await call(activity_route)(activity_id=waiting.pk)
        live = await frames(socket, 2)
        # when: the page says it only has what its snapshot had
        await socket.send_json_to({"type": "replay", "event_ids": snapshot["event_ids"]})
        # then: both streams' events again, in order, then the end of the replay
        replayed = await frames(socket, 3)
        assert replayed[:2] == live
        assert replayed[2] == {"type": "replayed"}
        assert replayed[0]["stream"] == mine
        await socket.disconnect()

    run(scenario)


def test_a_page_further_behind_than_what_is_kept_gets_a_snapshot(monkeypatch):
    # given: a stream that keeps few events, and more events than that since the page's ids
    monkeypatch.setattr(events.transport, "KEPT_PER_STREAM", 1)
    queue = QueueFactory()
    [agent] = online_agents_of(queue, 1)
    pause_reason = PauseReasonFactory()

    async def scenario():
        socket, snapshot = await connect(agent)
        for _ in range(150):  # the trimming is approximate: enough to drop some for sure
            await call(events.publish_rollback_unsafe)(
                [events.agent_stream(agent.pk)], {"type": events.PAUSE_CHANGED, "pause": None}
            )
        await frames(socket, 150)
        # when
        await socket.send_json_to({"type": "replay", "event_ids": snapshot["event_ids"]})
        # then
        answer = await socket.receive_json_from(timeout=5)
        assert answer["type"] == events.SNAPSHOT
        assert (
            answer["event_ids"][events.agent_stream(agent.pk)]
            == snapshot["event_ids"][events.agent_stream(agent.pk)] + 150
        )
        assert pause_reason.pk in [reason["id"] for reason in answer["pause_reasons"]]
        await socket.disconnect()

    run(scenario)


def test_a_ping_brings_the_events_a_page_missed_at_the_end_of_a_stream():
    # given: the agent was rung while the page was (as far as it knows) still at its snapshot
    queue = QueueFactory()
    [agent] = online_agents_of(queue, 1)
    waiting = ActivityFactory(queue=queue)

    async def scenario():
        socket, snapshot = await connect(agent)
        await call(activity_route)(activity_id=waiting.pk)
        live = await frames(socket, 2)
        # when: its next ping carries the ids it has applied (none of those two, say lost)
        await socket.send_json_to({"type": "ping", "event_ids": snapshot["event_ids"]})
        # then
        assert await frames(socket, 3) == [*live, {"type": "pong"}]
        await socket.disconnect()

    run(scenario)


def test_a_page_follows_a_queue_the_agent_joins_with_a_new_snapshot():
    # given: a connected agent, and a queue they are not a member of with a customer waiting
    agent = AgentFactory()
    other = QueueFactory()
    waiting = ActivityFactory(queue=other)

    async def scenario():
        socket, snapshot = await connect(agent)
        assert snapshot["waiting"] == []
        # when: a supervisor adds them to it
        await call(membership_add)(agent=agent, queue=other)
        # then: the queues change, and a snapshot follows with the queue's stream and waiting list
        changed, fresh = await frames(socket, 2)
        assert changed["type"] == events.QUEUES_CHANGED
        assert fresh["type"] == events.SNAPSHOT
        assert events.queue_stream(other.pk) in fresh["event_ids"]
        assert [activity["id"] for activity in fresh["waiting"]] == [waiting.pk]
        # and its events reach the page
        await call(events.waiting_list_changed)(waiting.pk, other.pk)
        [update] = await frames(socket, 1)
        assert (update["type"], update["stream"]) == (
            events.WAITING_CHANGED,
            events.queue_stream(other.pk),
        )
        await socket.disconnect()

    run(scenario)


def test_a_queue_wide_event_is_published_once_whatever_the_queues_size(published_events):
    # given: a queue of fifty agents, one of whom can be rung
    queue = QueueFactory()
    online_agents_of(queue, 1)
    for _ in range(49):
        MembershipFactory(queue=queue)
    waiting = ActivityFactory(queue=queue)
    # when
    activity_route(activity_id=waiting.pk)
    # then: one copy for the queue, one for the agent rung
    assert sorted(event["type"] for event in published_events) == [
        events.OFFER_NEW,
        events.WAITING_CHANGED,
    ]
