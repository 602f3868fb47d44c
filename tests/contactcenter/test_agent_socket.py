"""/ws/agent/ through the real ASGI application (session auth, origin check, Redis layer)."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client

from contactcenter.asgi import application
from contactcenter.consumers import agent_group
from tests.factories import AgentFactory, UserFactory

pytestmark = pytest.mark.django_db

ORIGIN = (b"origin", b"http://localhost")


def session_headers(user) -> list[tuple[bytes, bytes]]:
    """The headers of a browser logged in as `user` (a session of its own)."""
    client = Client()
    client.force_login(user)
    return [ORIGIN, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


def communicator(headers) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, "/ws/agent/", headers=headers)


def run(scenario) -> None:
    """Run an async scenario from this sync test; its ORM calls come back to this thread, so
    they see the test's transaction."""
    async_to_sync(scenario)()


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


def test_an_agent_connects_and_gets_pong_for_ping():
    headers = session_headers(AgentFactory().user)

    async def scenario():
        socket = communicator(headers)
        connected, _ = await socket.connect()
        assert connected
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from() == {"type": "pong"}
        await socket.disconnect()

    run(scenario)


def test_a_malformed_frame_gets_an_error_and_keeps_the_connection():
    headers = session_headers(AgentFactory().user)

    async def scenario():
        socket = communicator(headers)
        await socket.connect()
        await socket.send_to(text_data="{not json")
        assert (await socket.receive_json_from())["code"] == "unknown_frame"
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from() == {"type": "pong"}
        await socket.disconnect()

    run(scenario)


def test_events_for_an_agents_group_reach_that_agent_only():
    # given: two agents connected
    alice, bob = AgentFactory(), AgentFactory()
    alice_headers = session_headers(alice.user)
    bob_headers = session_headers(bob.user)
    layer = get_channel_layer()

    async def scenario():
        alice_socket, bob_socket = communicator(alice_headers), communicator(bob_headers)
        await alice_socket.connect()
        await bob_socket.connect()
        # when
        await layer.group_send(
            agent_group(alice.id), {"type": "cc.event", "event": {"type": "hello", "n": 1}}
        )
        # then
        assert await alice_socket.receive_json_from() == {"type": "hello", "n": 1}
        assert await bob_socket.receive_nothing(timeout=0.2)
        await alice_socket.disconnect()
        await bob_socket.disconnect()

    run(scenario)
