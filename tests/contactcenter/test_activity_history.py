"""GET /api/v1/activities/<id>/events/: the history shown between the messages of a chat."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from contactcenter.services.activities import activity_set_important
from tests.factories import AgentFactory, CustomerActivityFactory

pytestmark = pytest.mark.django_db


def history(user, activity):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/v1/activities/{activity.pk}/events/")


def test_the_owner_reads_what_happened_with_who_did_it():
    # given: an open activity its owner marked important
    activity = CustomerActivityFactory(owner__display_name="Alice")
    activity_set_important(activity_id=activity.pk, agent=activity.owner, important=True)
    # when
    response = history(activity.owner.user, activity)
    # then
    assert response.status_code == 200
    [line] = response.json()["results"]
    assert (line["kind"], line["label"], line["actor"], line["data"]) == (
        "important",
        "Importance changed",
        "Alice",
        {"important": True},
    )


def test_an_agent_outside_the_activity_gets_404():
    activity = CustomerActivityFactory()
    assert history(AgentFactory().user, activity).status_code == 404


def test_the_history_costs_the_same_queries_for_one_line_or_ten():
    # given: one activity with 1 line, another with 10
    short, long = CustomerActivityFactory(), CustomerActivityFactory()
    activity_set_important(activity_id=short.pk, agent=short.owner, important=True)
    for n in range(10):
        activity_set_important(activity_id=long.pk, agent=long.owner, important=n % 2 == 0)
    # when
    with CaptureQueriesContext(connection) as one:
        assert len(history(short.owner.user, short).json()["results"]) == 1
    with CaptureQueriesContext(connection) as ten:
        assert len(history(long.owner.user, long).json()["results"]) == 10
    # then
    assert len(one.captured_queries) == len(ten.captured_queries)
