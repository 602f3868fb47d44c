"""The REST API frame (/api/v1/): auth, errors as {detail, code}, pagination, first endpoints."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contactcenter.models import Pause, Queue
from tests.factories import (
    ActivityFactory,
    AgentFactory,
    MembershipFactory,
    QueueFactory,
    StatusFactory,
    SupervisorFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def supervisor():
    user = SupervisorFactory()
    user.user_permissions.set(Permission.objects.filter(content_type__model="queue"))
    return user


def test_an_anonymous_call_gets_401_in_the_error_shape(api):
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }
    assert response["WWW-Authenticate"] == "Bearer"


def test_json_nested_too_deep_is_refused_as_bad_input_and_changes_nothing(api):
    """Python's JSON decoder gives up on 50,000 levels with a RecursionError, not a ValueError."""
    # given
    api.force_authenticate(AgentFactory().user)
    body = "[" * 50_000 + "]" * 50_000
    # when
    response = api.post("/api/v1/pause/", body, content_type="application/json")
    # then
    assert response.status_code == 400
    assert response.json() == {
        "detail": "JSON parse error - nested too deeply.",
        "code": "parse_error",
    }
    assert not Pause.objects.exists()


def test_an_api_url_no_route_matches_answers_404_in_the_error_shape(api, client):
    # given
    api.force_authenticate(AgentFactory().user)
    # when
    response = api.post("/api/v1/offers/null,null/accept/")
    page = client.get("/no-such-page/")
    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert (page.status_code, page["Content-Type"]) == (404, "text/html; charset=utf-8")


def test_me_describes_the_agent_and_their_queue_logins(api):
    # given
    membership = MembershipFactory(queue__number=7, queue__name="Support", logged_in=False)
    agent = membership.agent
    api.force_authenticate(agent.user)
    # when
    body = api.get("/api/v1/me/").json()
    # then
    assert body["username"] == agent.user.username
    assert body["is_supervisor"] is False
    assert body["agent"] == {
        "id": agent.id,
        "display_name": agent.display_name,
        "max_open_chats": 3,
        "is_online": False,
        "queues": [{"id": membership.queue.id, "number": 7, "name": "Support", "logged_in": False}],
    }


def test_me_for_a_supervisor_without_agent_profile(api, supervisor):
    api.force_authenticate(supervisor)
    body = api.get("/api/v1/me/").json()
    assert body["is_supervisor"] is True
    assert body["agent"] is None


def test_a_token_authenticates_an_integrator(api):
    # given
    agent = AgentFactory()
    token = Token.objects.create(user=agent.user)
    # when
    response = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    # then
    assert response.status_code == 200
    assert response.json()["agent"]["id"] == agent.id


def test_a_wrong_token_is_refused(api):
    response = api.get("/api/v1/me/", HTTP_AUTHORIZATION="Token nope")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token.", "code": "authentication_failed"}


def test_an_agent_reads_only_their_own_queues(api):
    # given
    mine = MembershipFactory()
    QueueFactory()
    api.force_authenticate(mine.agent.user)
    # when
    body = api.get("/api/v1/queues/").json()
    # then
    assert [queue["id"] for queue in body["results"]] == [mine.queue.id]


def test_another_teams_queue_is_not_found_for_an_agent(api):
    agent = AgentFactory()
    other = QueueFactory()
    api.force_authenticate(agent.user)
    response = api.get(f"/api/v1/queues/{other.id}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_an_agent_cannot_create_a_queue(api):
    api.force_authenticate(AgentFactory().user)
    response = api.post("/api/v1/queues/", {"number": 9, "name": "Mine"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Queue.objects.exists()


def test_a_supervisor_creates_a_queue_with_allowed_statuses(api, supervisor):
    # given
    resolved = StatusFactory(name="Resolved")
    api.force_authenticate(supervisor)
    # when
    response = api.post(
        "/api/v1/queues/",
        {"number": 42, "name": "Billing", "accept_timeout": 20, "statuses": [resolved.id]},
        format="json",
    )
    # then
    assert response.status_code == 201
    queue = Queue.objects.get(number=42)
    assert queue.accept_timeout == 20
    assert list(queue.statuses.all()) == [resolved]


def test_a_queue_breaking_a_rule_is_refused_field_by_field(api, supervisor):
    api.force_authenticate(supervisor)
    response = api.post(
        "/api/v1/queues/",
        {"number": 1, "name": "Sales", "reminder_mode": "after_first_message"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": {"non_field_errors": ["A delayed reminder needs its delay in seconds."]},
        "code": "invalid",
    }
    assert not Queue.objects.exists()


def test_a_supervisor_updates_a_queue(api, supervisor):
    queue = QueueFactory(accept_timeout=30)
    api.force_authenticate(supervisor)
    response = api.patch(f"/api/v1/queues/{queue.id}/", {"accept_timeout": 15}, format="json")
    assert response.status_code == 200
    queue.refresh_from_db()
    assert queue.accept_timeout == 15


def test_a_queue_with_history_cannot_be_deleted(api, supervisor):
    # given
    activity = ActivityFactory()
    api.force_authenticate(supervisor)
    # when
    response = api.delete(f"/api/v1/queues/{activity.queue.id}/")
    # then
    assert response.status_code == 409
    assert response.json() == {
        "detail": "The queue has activities; it cannot be deleted.",
        "code": "queue_in_use",
    }
    assert Queue.objects.filter(id=activity.queue.id).exists()


def test_queues_are_paginated_and_searchable(api, supervisor):
    # given
    QueueFactory.create_batch(3)
    QueueFactory(name="Returns desk")
    api.force_authenticate(supervisor)
    # when
    page = api.get("/api/v1/queues/", {"page_size": 2}).json()
    found = api.get("/api/v1/queues/", {"search": "returns"}).json()
    # then
    assert page["count"] == 4
    assert len(page["results"]) == 2
    assert page["next"].endswith("page=2&page_size=2")
    assert [queue["name"] for queue in found["results"]] == ["Returns desk"]


@pytest.mark.parametrize("rows", [1, 50])
def test_the_queue_list_costs_the_same_queries_for_1_or_50_rows(
    api, supervisor, django_assert_num_queries, rows
):
    # given
    for queue in QueueFactory.create_batch(rows):
        queue.statuses.set(StatusFactory.create_batch(2))
    api.force_authenticate(supervisor)
    # then: count, page, statuses of the page
    with django_assert_num_queries(3):
        response = api.get("/api/v1/queues/")
    assert len(response.json()["results"]) == rows


def test_the_openapi_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "api.yaml")
    assert "/api/v1/queues/{id}/" in (tmp_path / "api.yaml").read_text()


def test_the_openapi_schema_and_docs_are_served(api):
    schema = api.get("/api/schema/")
    docs = api.get("/api/docs/")
    assert schema.status_code == 200
    assert b"/api/v1/queues/" in schema.content
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
