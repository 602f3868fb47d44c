"""/ws/conference/<number>/ through the real ASGI application (session auth, origin check,
Redis layer): only sockets that joined with the room's number, or its agents, are in the room;
they hear who comes and goes and what is addressed to them; strangers hear nothing; one
customer at a time unless the agent allows more; the room's end closes every socket."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from cobrowse.models import Participant
from cobrowse.services import (
    STALE_AFTER,
    room_admit,
    room_allow_more,
    room_create,
    room_end,
)
from config.asgi import application
from tests.contactcenter.test_agent_socket import ORIGIN, QUIET, run, session_headers
from tests.factories import AgentFactory, CustomerActivityFactory, ParticipantFactory

pytestmark = pytest.mark.django_db(transaction=True)


def socket(number: str, *, token: str = "", headers=None) -> WebsocketCommunicator:
    path = f"/ws/conference/{number}/" + (f"?token={token}" if token else "")
    return WebsocketCommunicator(application, path, headers=headers or [ORIGIN])


def token_for(room) -> str:
    return room_admit(number=room.number, address="198.51.100.1").token


def ways_in(room) -> tuple[str, list]:
    """The customer's join token, and the headers of the room's agent's browser."""
    return token_for(room), session_headers(room.created_by.user)


async def meet(room, token: str, agent_headers) -> tuple[WebsocketCommunicator, ...]:
    """The agent enters, then the customer: both sockets, their welcomes, and what the agent
    heard of the customer."""
    agent = socket(room.number, headers=agent_headers)
    agent_welcome = await enter(agent)
    # (its own arrival is announced after its welcome: let that pass before the next)
    assert await agent.receive_nothing(timeout=QUIET)
    customer = socket(room.number, token=token)
    welcome = await enter(customer)
    joined = await agent.receive_json_from(timeout=5)
    return agent, agent_welcome, customer, welcome, joined


async def enter(communicator: WebsocketCommunicator) -> dict:
    connected, _ = await communicator.connect()
    assert connected
    welcome = await communicator.receive_json_from(timeout=5)
    assert welcome["type"] == "welcome"
    return welcome


async def refused(communicator: WebsocketCommunicator) -> int:
    """The socket is closed at once, having received nothing but the close."""
    connected, _ = await communicator.connect()
    assert connected
    closing = await communicator.receive_output(timeout=5)
    assert closing["type"] == "websocket.close"
    return closing["code"]


@pytest.fixture
def room():
    activity = CustomerActivityFactory(owner__display_name="Alice Novak")
    return room_create(activity_id=activity.pk, agent=activity.owner)


def test_agent_and_customer_meet_and_relay_to_each_other(room):
    token, agent_headers = ways_in(room)

    async def scenario():
        agent, agent_welcome, customer, welcome, joined = await meet(room, token, agent_headers)
        assert agent_welcome["peers"] == []
        assert welcome["peers"] == [
            {"id": agent_welcome["id"], "label": "Alice Novak", "role": "agent"}
        ]
        assert joined == {
            "type": "joined",
            "peer": {"id": welcome["id"], "label": "Customer", "role": "customer"},
        }
        offer = {"type": "offer", "sdp": "v=0..."}
        await customer.send_json_to(
            {"type": "signal", "to": agent_welcome["id"], "description": offer}
        )
        assert await agent.receive_json_from(timeout=5) == {
            "type": "signal", "from": welcome["id"], "description": offer
        }  # fmt: skip
        await agent.send_json_to({"type": "state", "camera": False, "microphone": True})
        assert await customer.receive_json_from(timeout=5) == {
            "type": "state", "from": agent_welcome["id"], "camera": False, "microphone": True,
            "screen": False,
        }  # fmt: skip
        assert await agent.receive_nothing(timeout=QUIET)  # nothing of its own comes back
        await customer.disconnect()
        assert await agent.receive_json_from(timeout=5) == {"type": "left", "id": welcome["id"]}
        await agent.disconnect()

    run(scenario)
    assert [(p.label, p.left_at is not None) for p in Participant.objects.all()] == [
        ("Alice Novak", True), ("Customer", True)
    ]  # fmt: skip


def test_strangers_are_closed_and_hear_nothing(room):
    other_room = room_create(activity_id=(other := CustomerActivityFactory()).pk, agent=other.owner)
    other_token = token_for(other_room)
    agent_headers = session_headers(room.created_by.user)
    stranger_agent = session_headers(AgentFactory().user)

    async def scenario():
        agent = socket(room.number, headers=agent_headers)
        await enter(agent)
        # no token, a forged one, another room's, another agent, a number that is no room's
        assert await refused(socket(room.number)) == 4403
        assert await refused(socket(room.number, token="forged")) == 4403
        assert await refused(socket(room.number, token=other_token)) == 4403
        assert await refused(socket(room.number, headers=stranger_agent)) == 4403
        assert await refused(socket("1234567890", headers=agent_headers)) == 4403
        # and the room heard of none of them
        assert await agent.receive_nothing(timeout=QUIET)
        await agent.disconnect()

    run(scenario)
    assert Participant.objects.count() == 1


def test_a_second_customer_is_refused_unless_the_agent_allows_more(room):
    token = token_for(room)

    async def scenario():
        first = socket(room.number, token=token)
        await enter(first)
        assert await refused(socket(room.number, token=token)) == 4409
        await database_sync_to_async(room_allow_more)(
            room_id=room.pk, agent=room.created_by, allow=True
        )
        second = socket(room.number, token=token)
        welcome = await enter(second)
        assert [peer["role"] for peer in welcome["peers"]] == ["customer"]
        await first.disconnect()
        await second.disconnect()

    run(scenario)


def test_an_invited_colleague_joins_the_same_room(room):
    colleague = ParticipantFactory(activity=room.activity, agent__display_name="Bob Horvat")
    headers = session_headers(colleague.agent.user)

    async def scenario():
        bob = socket(room.number, headers=headers)
        welcome = await enter(bob)
        assert welcome["peers"] == []
        await bob.disconnect()

    run(scenario)
    assert Participant.objects.get().label == "Bob Horvat"


def test_the_end_closes_every_socket_and_the_number_admits_nobody_after(room):
    token, agent_headers = ways_in(room)

    async def scenario():
        customer = socket(room.number, token=token)
        await enter(customer)
        await database_sync_to_async(room_end)(room_id=room.pk, agent=room.created_by)
        assert await customer.receive_json_from(timeout=5) == {"type": "ended"}
        assert await customer.receive_output(timeout=5) == {
            "type": "websocket.close", "code": 4410
        }  # fmt: skip
        assert await refused(socket(room.number, token=token)) == 4410
        assert await refused(socket(room.number, headers=agent_headers)) == 4410

    run(scenario)


def test_frames_that_are_not_signaling_are_ignored(room):
    token, agent_headers = ways_in(room)

    async def scenario():
        agent, _, customer, _, _ = await meet(room, token, agent_headers)
        await customer.send_to(text_data="not json")
        await customer.send_to(text_data="[" * 100_000)
        await customer.send_json_to({"type": "signal", "to": 5})
        await customer.send_json_to({"type": "shout"})
        assert await agent.receive_nothing(timeout=QUIET)
        await customer.disconnect()
        await agent.disconnect()

    run(scenario)


def test_a_customer_whose_heartbeat_stopped_no_longer_keeps_the_next_out(room):
    """The server holding a customer's socket stopped: no goodbye came, and the customer's
    page, reconnecting, must not find its own ghost in the room."""
    token = token_for(room)

    async def scenario():
        first = socket(room.number, token=token)
        await enter(first)
        # a heartbeat keeps the first customer's place
        await backdate(seconds=STALE_AFTER.total_seconds() + 1)
        await first.send_json_to({"type": "alive"})
        assert await first.receive_nothing(timeout=QUIET)
        assert await refused(socket(room.number, token=token)) == 4409
        # then the first goes silent, as behind a stopped server
        await backdate(seconds=STALE_AFTER.total_seconds() + 1)
        second = socket(room.number, token=token)
        welcome = await enter(second)
        assert welcome["peers"] == []
        await second.disconnect()
        await first.disconnect()

    run(scenario)
    assert Participant.objects.filter(room=room, left_at__isnull=True).count() == 0


@database_sync_to_async
def backdate(*, seconds: float) -> None:
    """Every connection of the room was last heard of `seconds` ago."""
    Participant.objects.update(updated_at=timezone.now() - timedelta(seconds=seconds))
