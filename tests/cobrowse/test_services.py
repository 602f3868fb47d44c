"""Video rooms' services: unguessable numbers, throttled wrong numbers, ended rooms refused,
one customer at a time unless allowed, the chat's history lines, and the link sent to the
customer through the channel."""

import base64
import hashlib
import hmac
import itertools
import re

import pytest
from django.core import signing
from django.utils import timezone

from cobrowse.ice import ice_servers_for, turn_credential
from cobrowse.models import Participant, Role, Room
from cobrowse.services import (
    WRONG_NUMBERS_ALLOWED,
    room_admit,
    room_allow_more,
    room_create,
    room_end,
    room_join,
    room_leave,
    room_send_link,
    room_token_check,
)
from contactcenter.exceptions import ApplicationError
from contactcenter.models import EventKind
from contactcenter.services.activities import activity_close
from messaging.models import DeliveryStatus, Direction
from messaging.services.outbound import message_deliver
from tests.factories import AgentFactory, CustomerActivityFactory, ParticipantFactory
from tests.messaging.helpers import WA_ACCEPTED, customer

pytestmark = pytest.mark.django_db


def history(activity) -> list[str]:
    events = activity.events.filter(kind=EventKind.COBROWSE).order_by("created_at", "pk")
    return [event.data["text"] for event in events]


def refusal(call) -> tuple[str, int]:
    with pytest.raises(ApplicationError) as caught:
        call()
    return caught.value.code, caught.value.status


def test_a_room_has_a_random_ten_digit_number_of_its_own():
    activities = [CustomerActivityFactory() for _ in range(20)]
    rooms = [room_create(activity_id=a.pk, agent=a.owner) for a in activities]
    numbers = [room.number for room in rooms]
    assert all(re.fullmatch(r"[1-9]\d{9}", number) for number in numbers)
    assert len(set(numbers)) == 20
    # no sequence: consecutive rooms are far apart
    assert len({int(b) - int(a) for a, b in itertools.pairwise(numbers)}) > 1


def test_creating_twice_gives_the_open_room_and_one_history_line():
    activity = CustomerActivityFactory(owner__display_name="Alice Novak")
    first = room_create(activity_id=activity.pk, agent=activity.owner)
    second = room_create(activity_id=activity.pk, agent=activity.owner)
    assert first == second
    assert (first.created_by, first.activity, first.ended_at) == (activity.owner, activity, None)
    assert history(activity) == ["created by Alice Novak"]
    event = activity.events.get(kind=EventKind.COBROWSE)
    assert event.data["room"] == first.number
    assert event.actor == activity.owner.user


def test_only_an_agent_in_the_chat_may_create_a_room_and_not_in_a_closed_chat():
    activity = CustomerActivityFactory()
    stranger = AgentFactory()
    assert refusal(lambda: room_create(activity_id=activity.pk, agent=stranger)) == (
        "not_participant", 403
    )  # fmt: skip
    closed = CustomerActivityFactory(state="closed", closed_at=timezone.now())
    assert refusal(lambda: room_create(activity_id=closed.pk, agent=closed.owner)) == (
        "activity_closed", 409
    )  # fmt: skip
    assert not Room.objects.exists()


def test_the_right_number_admits_with_a_token_for_that_room_only():
    room = _room()
    other = _room()
    admission = room_admit(number=f" {room.number} ", address="203.0.113.5")
    assert admission.room == room
    assert room_token_check(token=admission.token, number=room.number) == room.pk
    assert room_token_check(token=admission.token, number=other.number) is None
    assert room_token_check(token="forged", number=room.number) is None
    forged = signing.dumps({"room": room.pk}, salt="another purpose")
    assert room_token_check(token=forged, number=room.number) is None


def test_wrong_numbers_are_throttled_per_address_even_for_a_right_number_after():
    room = _room()
    for attempt in range(WRONG_NUMBERS_ALLOWED):
        assert refusal(lambda n=attempt: room_admit(number=f"12345{n}", address="203.0.113.7")) == (
            "no_room", 404
        )  # fmt: skip
    assert refusal(lambda: room_admit(number=room.number, address="203.0.113.7")) == (
        "throttled", 429
    )  # fmt: skip
    # another address is not held back
    assert room_admit(number=room.number, address="203.0.113.8").room == room


def test_an_ended_room_cannot_be_admitted_to_or_joined():
    room = _room()
    admission = room_admit(number=room.number, address="203.0.113.9")
    room_end(room_id=room.pk, agent=room.created_by)
    assert refusal(lambda: room_admit(number=room.number, address="203.0.113.9")) == (
        "room_ended", 410
    )  # fmt: skip
    assert room_token_check(token=admission.token, number=room.number) == room.pk
    assert refusal(lambda: room_join(room_id=room.pk, peer="late")) == ("room_ended", 410)


def test_one_customer_at_a_time_unless_the_agent_allows_more():
    room = _room()
    room_join(room_id=room.pk, peer="first")
    assert refusal(lambda: room_join(room_id=room.pk, peer="second")) == ("room_full", 409)
    room_allow_more(room_id=room.pk, agent=room.created_by, allow=True)
    room_join(room_id=room.pk, peer="second")
    assert room.participants.filter(role=Role.CUSTOMER, left_at__isnull=True).count() == 2


def test_a_customer_who_left_makes_room_for_the_next():
    room = _room()
    room_join(room_id=room.pk, peer="first")
    room_leave(peer="first")
    assert room_join(room_id=room.pk, peer="second").role == Role.CUSTOMER


def test_the_rooms_agent_and_invited_colleagues_join_others_do_not():
    room = _room()
    colleague = ParticipantFactory(activity=room.activity).agent
    assert room_join(room_id=room.pk, peer="own", agent=room.created_by).label == (
        room.created_by.display_name
    )  # fmt: skip
    assert room_join(room_id=room.pk, peer="colleague", agent=colleague).role == Role.AGENT
    assert refusal(lambda: room_join(room_id=room.pk, peer="x", agent=AgentFactory())) == (
        "not_invited", 403
    )  # fmt: skip


def test_joined_left_and_ended_are_the_chats_history():
    room = _room(owner__display_name="Alice Novak")
    room_join(room_id=room.pk, peer="agent", agent=room.created_by)
    room_join(room_id=room.pk, peer="customer")
    room_leave(peer="customer")
    room_leave(peer="customer")  # a second time changes nothing
    room_join(room_id=room.pk, peer="customer-again")
    room_end(room_id=room.pk, agent=room.created_by)
    room_end(room_id=room.pk, agent=room.created_by)
    room_leave(peer="customer-again")  # its socket closes after the end: no line
    assert history(room.activity) == [
        "created by Alice Novak",
        "Customer joined",
        "Customer left",
        "Customer joined",
        "ended by Alice Novak",
    ]
    room.refresh_from_db()
    assert room.ended_at is not None
    assert not Participant.objects.filter(room=room, left_at__isnull=True).exists()


def test_closing_the_chat_ends_its_room_for_the_customer_still_in_it():
    # given: a customer in the room of an open chat
    room = _room(owner__display_name="Alice Novak")
    room_join(room_id=room.pk, peer="customer")
    # when the agent closes the chat
    activity_close(activity_id=room.activity.pk, agent=room.created_by)
    # then the room ends with it, in the history before the close, and admits nobody
    room.refresh_from_db()
    assert room.ended_at is not None
    assert not Participant.objects.filter(room=room, left_at__isnull=True).exists()
    assert history(room.activity)[-1] == "ended with the chat"
    assert list(room.activity.events.values_list("kind", flat=True))[-2:] == [
        EventKind.COBROWSE,
        EventKind.CLOSED,
    ]
    assert refusal(lambda: room_admit(number=room.number, address="203.0.113.9")) == (
        "room_ended", 410
    )  # fmt: skip


def test_the_end_is_told_to_the_rooms_sockets_on_commit(django_capture_on_commit_callbacks):
    room = _room()
    with django_capture_on_commit_callbacks() as callbacks:
        room_end(room_id=room.pk, agent=room.created_by)
    assert len(callbacks) >= 1


def test_the_link_goes_to_the_customer_through_the_channel(provider_api, settings):
    # given
    settings.SITE_URL = "https://cc.example.com"
    activity = customer()
    room = room_create(activity_id=activity.pk, agent=activity.owner)
    provider_api.answer(200, WA_ACCEPTED)
    # when
    [message] = room_send_link(room_id=room.pk, agent=activity.owner)
    message_deliver(message_id=message.id)
    # then
    message.refresh_from_db()
    url = f"https://cc.example.com/external/conference/#{room.number}"
    assert (message.direction, message.author, message.status) == (
        Direction.OUT, activity.owner, DeliveryStatus.SENT
    )  # fmt: skip
    assert message.text == f"Join me in a video call: {url}"
    [request] = provider_api.posts()
    assert request.json()["text"]["body"] == f"Join me in a video call: {url}"


def test_no_link_for_an_ended_room_or_outside_the_reply_window():
    room = _room()
    room_end(room_id=room.pk, agent=room.created_by)
    assert refusal(lambda: room_send_link(room_id=room.pk, agent=room.created_by)) == (
        "room_ended", 410
    )  # fmt: skip
    old = customer(hours_ago=30)
    late = room_create(activity_id=old.pk, agent=old.owner)
    assert refusal(lambda: room_send_link(room_id=late.pk, agent=old.owner))[1] == 400
    assert not old.messages.exists()


def test_turn_credentials_follow_coturns_rest_api_scheme(settings):
    settings.TURN_SECRET = "north-sea"
    settings.TURN_CREDENTIAL_TTL = 600
    settings.ICE_SERVERS = [
        {"urls": "stun:stun.example.com:3478"},
        {"urls": ["turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:5349"]},
        {"urls": "turn:fixed.example.com", "username": "u", "credential": "p"},
    ]
    stun, turn, fixed = ice_servers_for("room7")
    assert stun == {"urls": "stun:stun.example.com:3478"}
    assert fixed == {"urls": "turn:fixed.example.com", "username": "u", "credential": "p"}
    _expiry, user = turn["username"].split(":")
    assert user == "room7"
    digest = hmac.new(b"north-sea", turn["username"].encode(), hashlib.sha1).digest()
    assert turn["credential"] == base64.b64encode(digest).decode()
    assert turn_credential(secret="s", user_id="x", ttl=60, now=1000)["username"] == "1060:x"


def test_no_ice_servers_by_default(settings):
    settings.ICE_SERVERS = []
    assert ice_servers_for("room1") == []


def _room(**activity) -> Room:
    activity = CustomerActivityFactory(**activity)
    return room_create(activity_id=activity.pk, agent=activity.owner)
