"""The customer's conference page and its join endpoint (no sign-in), the Co-browsing widget on
the activity screen and its actions, the rooms in the admin, the demo's room."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from cobrowse.demo import DEMO_ROOM_NUMBER
from cobrowse.models import Room
from cobrowse.services import WRONG_NUMBERS_ALLOWED, room_create
from contactcenter.models import Activity, EventKind, QueueWidget, WidgetKind
from tests.factories import AgentFactory, CustomerActivityFactory, RoomParticipantFactory

pytestmark = pytest.mark.django_db


def join(client, number, address="192.0.2.10"):
    return client.post(
        reverse("cobrowse:join"), {"number": number}, content_type="application/json",
        REMOTE_ADDR=address,
    )  # fmt: skip


def chat_with_widget():
    activity = CustomerActivityFactory(owner__display_name="Alice Novak")
    QueueWidget.objects.create(queue=activity.queue, kind=WidgetKind.COBROWSE, position=0)
    return activity


def test_the_conference_page_needs_no_sign_in_and_runs_only_its_own_scripts(client):
    response = client.get("/external/conference/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-label="Join a video room"' in page
    assert "cobrowse/conference.js" in page
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy
    assert "csrftoken" in response.cookies


def test_joining_by_number_gives_the_socket_and_its_token(client):
    room = room_create(activity_id=(a := CustomerActivityFactory()).pk, agent=a.owner)
    response = join(client, room.number)
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == room.number
    assert body["socket_path"] == f"/ws/conference/{room.number}/"
    assert body["token"]
    assert body["ice_servers"] == []


def test_wrong_numbers_are_refused_then_throttled(client):
    room = room_create(activity_id=(a := CustomerActivityFactory()).pk, agent=a.owner)
    for n in range(WRONG_NUMBERS_ALLOWED):
        assert join(client, f"99999999{n}").json()["code"] == "no_room"
    response = join(client, room.number)
    assert (response.status_code, response.json()["code"]) == (429, "throttled")
    assert join(client, room.number, address="192.0.2.11").status_code == 200


def test_an_ended_room_is_refused_with_410(client):
    room = room_create(activity_id=(a := CustomerActivityFactory()).pk, agent=a.owner)
    client.force_login(a.owner.user)
    assert client.post(reverse("cobrowse:room-end", args=[room.pk])).status_code == 204
    response = join(client, room.number)
    assert (response.status_code, response.json()["detail"]) == (410, "This video room has ended.")


def test_the_widget_offers_a_room_then_shows_it(client):
    activity = chat_with_widget()
    client.force_login(activity.owner.user)
    screen = client.get(reverse("activity-screen", args=[activity.pk])).content.decode()
    assert "Create video room" in screen
    assert "data-widget-url" not in screen.split("widget--cobrowse")[1].split(">")[0]
    response = client.post(reverse("cobrowse:room-create", args=[activity.pk]))
    room = Room.objects.get()
    widget = response.content.decode()
    assert f"Room {room.number}" in widget
    assert f"/external/conference/#{room.number}" in widget
    assert "data-autostart" in widget
    assert "Join video room" not in widget


def test_a_colleague_in_the_chat_sees_the_room_with_join(client):
    activity = chat_with_widget()
    room = room_create(activity_id=activity.pk, agent=activity.owner)
    colleague = AgentFactory()
    activity.participants.create(agent=colleague, role="invited", joined_at=room.opened_at)
    client.force_login(colleague.user)
    url = reverse("activity-widget", args=[activity.pk, WidgetKind.COBROWSE])
    widget = client.get(url).content.decode()
    assert "Join video room" in widget
    assert "data-autostart" not in widget
    # and leaves it rather than ending it for everyone
    assert 'data-cobrowse-action="leave" hidden>Leave call<' in widget
    assert "Disconnect" not in widget


def test_widget_actions_are_for_agents_in_the_chat_only(client):
    activity = chat_with_widget()
    room = room_create(activity_id=activity.pk, agent=activity.owner)
    client.force_login(AgentFactory().user)
    assert client.post(reverse("cobrowse:room-create", args=[activity.pk])).status_code == 404
    response = client.post(reverse("cobrowse:room-end", args=[room.pk]))
    assert (response.status_code, response.json()["code"]) == (403, "not_invited")
    assert client.post(reverse("cobrowse:room-send", args=[room.pk])).status_code == 403
    room.refresh_from_db()
    assert room.ended_at is None


def test_the_admin_lists_rooms_with_their_joins_and_shows_who_came(admin_client):
    participant = RoomParticipantFactory(label="Customer")
    listing = admin_client.get(reverse("admin:cobrowse_room_changelist")).content.decode()
    assert participant.room.number in listing
    detail = admin_client.get(
        reverse("admin:cobrowse_room_change", args=[participant.room.pk])
    ).content.decode()
    assert "Customer" in detail
    assert admin_client.get(reverse("admin:cobrowse_room_add")).status_code == 403


def test_the_demo_has_a_finished_call_in_a_chats_history(settings):
    settings.DEBUG = True
    call_command("demo")
    call_command("demo")
    room = Room.objects.get(number=DEMO_ROOM_NUMBER)
    assert room.ended_at is not None
    assert [p.label for p in room.participants.all()] == ["Alice Novak", "Customer"]
    activity = Activity.objects.get(pk=room.activity_id)
    lines = activity.events.filter(kind=EventKind.COBROWSE).values_list("data__text", flat=True)
    assert list(lines) == [
        "created by Alice Novak", "Customer joined", "Customer left", "ended by Alice Novak"
    ]  # fmt: skip
    assert QueueWidget.objects.filter(kind=WidgetKind.COBROWSE).count() == 2
