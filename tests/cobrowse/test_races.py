"""Races of video rooms on PostgreSQL (SQLite serialises writers and ignores row locks): many
customers entering one room at once, and a customer entering as the agent ends the room."""

import pytest
from django.db import connection

from cobrowse.models import Participant, Role
from cobrowse.services import room_create, room_end, room_join
from contactcenter.exceptions import ApplicationError
from tests.contactcenter.test_routing_races import at_once
from tests.factories import CustomerActivityFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("races are tested on PostgreSQL (CI's second run)")


@pytest.fixture
def room():
    activity = CustomerActivityFactory()
    return room_create(activity_id=activity.pk, agent=activity.owner)


def test_of_many_customers_entering_at_once_one_gets_in(room):
    results = at_once([lambda n=n: room_join(room_id=room.pk, peer=f"p{n}") for n in range(6)])
    assert sum(isinstance(result, Participant) for result in results) == 1
    assert {r.code for r in results if isinstance(r, ApplicationError)} == {"room_full"}
    assert Participant.objects.filter(room=room, role=Role.CUSTOMER).count() == 1


def test_a_customer_entering_as_the_room_ends_is_out_either_way(room):
    results = at_once([
        lambda: room_join(room_id=room.pk, peer="late"),
        lambda: room_end(room_id=room.pk, agent=room.created_by),
    ])  # fmt: skip
    assert not Participant.objects.filter(room=room, left_at__isnull=True).exists()
    joined = results[0]
    assert isinstance(joined, Participant) or joined.code == "room_ended"
