"""Login, logout, the workspace page and /healthz, as a browser-less client sees them."""

import pytest
from django.test import override_settings
from django.urls import reverse

from config.embedded_redis import EmbeddedRedis
from config.environment import redis_settings
from tests.factories import PASSWORD, AgentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/"


def test_an_agent_logs_in_and_lands_on_the_workspace(client):
    # given
    agent = AgentFactory(display_name="Alice Novak")
    # when
    response = client.post(
        reverse("login"), {"username": agent.user.username, "password": PASSWORD}, follow=True
    )
    # then
    assert response.redirect_chain == [("/", 302)]
    assert "Alice Novak" in response.content.decode()


def test_a_wrong_password_is_refused_with_a_message(client):
    agent = AgentFactory()
    response = client.post(reverse("login"), {"username": agent.user.username, "password": "x"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_the_workspace_lists_the_agents_queues_and_opens_the_websocket(client):
    # given
    membership = MembershipFactory(queue__name="Support", logged_in=False)
    client.force_login(membership.agent.user)
    # when
    page = client.get("/").content.decode()
    # then
    assert "Support" in page
    assert "logged out" in page
    assert 'data-socket-path="/ws/agent/"' in page


def test_the_workspace_page_costs_the_same_queries_for_one_queue_or_many(
    client, django_assert_num_queries
):
    # given
    few = MembershipFactory().agent
    many = AgentFactory()
    MembershipFactory.create_batch(20, agent=many)
    # then: session, user, agent, memberships with their queues
    for agent in (few, many):
        client.force_login(agent.user)
        with django_assert_num_queries(4):
            client.get("/")


def test_a_user_who_is_not_an_agent_is_told_so(client):
    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 403
    assert "is not set up as an agent" in response.content.decode()


def test_logout_ends_the_session(client):
    # given
    client.force_login(AgentFactory().user)
    # when
    response = client.post(reverse("logout"))
    # then
    assert response.url == reverse("login")
    assert client.get("/").status_code == 302


def test_healthz_reports_database_and_redis_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok"}


def test_healthz_reports_a_stopped_redis_as_503(client, tmp_path):
    # given: a real Redis that the settings point at, then stopped
    server = EmbeddedRedis(tmp_path / "redis.sock")
    server.start()
    with override_settings(**redis_settings(server.url)):
        assert client.get("/healthz").status_code == 200
        server.stop()
        # when
        response = client.get("/healthz")
    # then
    assert response.status_code == 503
    assert response.json()["database"] == "ok"
    assert response.json()["redis"] == "error: ConnectionError"
