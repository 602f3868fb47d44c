"""The supervisors' live view in the back office: agents' state on one list page whose queries
do not grow with its rows, and the actions that end a pause or log an agent out of a queue,
always through the availability services, with the supervisor as the actor."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contactcenter import events
from contactcenter.models import Agent, Pause, QueueMembership
from contactcenter.tasks import agent_route as agent_route_task
from tests.factories import (
    ActivityFactory,
    AgentFactory,
    MembershipFactory,
    OfferFactory,
    PauseFactory,
    PauseReasonFactory,
    QueueFactory,
    SupervisorFactory,
)
from tests.messaging.helpers import queued_tasks

pytestmark = pytest.mark.django_db

AGENTS = reverse("admin:contactcenter_agent_changelist")
PAUSES = reverse("admin:contactcenter_pause_changelist")
MEMBERSHIPS = reverse("admin:contactcenter_queuemembership_changelist")
AGENT_ROUTE = "contactcenter.tasks.agent_route"


@pytest.fixture
def supervisor(client):
    """A signed-in supervisor with the product's model permissions, as the demo data grants."""
    user = SupervisorFactory()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="contactcenter"))
    client.force_login(user)
    return user


def busy_agent(**kwargs) -> Agent:
    """An online agent on lunch, with 2 open chats of 3, one notification ringing, logged into
    one queue and out of another."""
    agent = AgentFactory(is_online=True, max_open_chats=3, **kwargs)
    PauseFactory(agent=agent, reason=PauseReasonFactory(name=f"Lunch {agent.pk}"))
    ActivityFactory.create_batch(2, state="open", owner=agent)
    ActivityFactory(state="postponed", owner=agent)  # parked: not counted
    ActivityFactory(state="closed", owner=agent, closed_at="2026-03-01T12:00:00Z")
    OfferFactory(agent=agent)
    MembershipFactory(agent=agent, queue=QueueFactory(number=900 + agent.pk, name="Sales"))
    MembershipFactory(agent=agent, queue=QueueFactory(name="Returns"), logged_in=False)
    return agent


def act(client, url: str, action: str, objects) -> list[str]:
    """Run a list page's action on `objects`; the messages it shows."""
    data = {"action": action, ACTION_CHECKBOX_NAME: [obj.pk for obj in objects]}
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def cell(html: str, column: str) -> str:
    """The text of the first cell of `column` on a list page."""
    start = html.index(f'class="field-{column}')
    start = html.index(">", start) + 1
    return html[start : html.index("</t", start)]


# The list of agents


def test_the_agent_list_shows_each_agents_live_state(client, supervisor):
    # given
    agent = busy_agent(display_name="Ada Agent")
    # when
    response = client.get(AGENTS)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ada Agent" in html
    assert 'alt="True"' in cell(html, "is_online")
    assert cell(html, "pause_reason") == f"Lunch {agent.pk}"
    assert cell(html, "pause_since") != "—"
    assert cell(html, "chats") == "2/3"
    assert cell(html, "pending_offers") == "1"
    assert cell(html, "logged_in_queues") == f"{900 + agent.pk} Sales"
    assert "End pause" in html


def test_an_agent_at_rest_shows_dashes(client, supervisor):
    # given
    AgentFactory(max_open_chats=4)
    # when
    html = client.get(AGENTS).content.decode()
    # then
    assert 'alt="False"' in cell(html, "is_online")
    assert cell(html, "pause_reason") == "—"
    assert cell(html, "pause_since") == "—"
    assert cell(html, "chats") == "0/4"
    assert cell(html, "pending_offers") == "0"
    assert cell(html, "logged_in_queues") == "—"


def test_the_agent_list_filters_on_online(client, supervisor):
    # given
    AgentFactory(display_name="Olga Online", is_online=True)
    AgentFactory(display_name="Fred Offline", is_online=False)
    # when
    html = client.get(AGENTS, {"is_online__exact": "1"}).content.decode()
    # then
    assert "Olga Online" in html
    assert "Fred Offline" not in html


def agent_list_queries(client) -> CaptureQueriesContext:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(AGENTS)
    assert response.status_code == 200
    return queries


def test_the_agent_list_runs_the_same_queries_for_1_or_5_agents(client, supervisor):
    # given
    busy_agent()
    agent_list_queries(client)  # warms the caches a first request fills
    one = agent_list_queries(client)
    # when
    for _ in range(4):
        busy_agent()
    five = agent_list_queries(client)
    # then
    assert len(five) == len(one), [query["sql"] for query in five.captured_queries]
    assert client.get(AGENTS).content.decode().count('class="field-chats">2/3<') == 5


# Ending pauses


def test_ending_pauses_from_the_agent_list_ends_them_in_the_supervisors_name(
    client, supervisor, django_capture_on_commit_callbacks
):
    # given
    paused = [busy_agent(), busy_agent()]
    working = AgentFactory()
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        shown = act(client, AGENTS, "end_pause", [*paused, working])
    # then
    assert shown == ["Ended 2 pauses. 1 agent was not paused."]
    pauses = Pause.objects.filter(agent__in=paused)
    assert pauses.count() == 2
    for pause in pauses:
        assert pause.ended_at is not None
        assert pause.ended_by == supervisor
    assert queued_tasks(callbacks) == [AGENT_ROUTE, AGENT_ROUTE]  # routed again


def test_ending_pauses_from_the_pause_list_ends_the_open_ones(client, supervisor):
    # given
    lunch = PauseFactory()
    earlier = PauseFactory(
        agent=lunch.agent,
        started_at=lunch.started_at - timedelta(hours=2),
        ended_at=lunch.started_at - timedelta(hours=1),
    )
    # when
    shown = act(client, PAUSES, "end_pause", [lunch, earlier])
    # then
    assert shown == ["Ended 1 pause."]
    lunch.refresh_from_db()
    assert lunch.ended_at is not None
    assert lunch.ended_by == supervisor
    earlier.refresh_from_db()
    assert earlier.ended_by is None


def test_the_pause_list_stays_read_only(client, supervisor):
    # given
    pause = PauseFactory()
    # when
    page = client.get(reverse("admin:contactcenter_pause_change", args=[pause.pk]))
    changed = client.post(
        reverse("admin:contactcenter_pause_change", args=[pause.pk]),
        {"ended_at_0": "2030-01-01", "ended_at_1": "12:00"},
    )
    # then
    assert page.status_code == 200
    assert not re.search(r'name="(ended_at|reason|agent)', page.content.decode())
    assert changed.status_code == 403
    pause.refresh_from_db()
    assert pause.ended_at is None


# Queue logins


def test_logging_an_agent_out_of_a_queue_goes_through_the_service(
    client, supervisor, django_capture_on_commit_callbacks
):
    # given
    membership = MembershipFactory(logged_in=True)
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        shown = act(client, MEMBERSHIPS, "log_out", [membership])
    # then
    assert shown == ["Logged 1 membership out of the queue."]
    membership.refresh_from_db()
    assert membership.logged_in is False
    assert queued_tasks(callbacks) == []  # nothing to route
    assert len(callbacks) == 2  # queues.changed to the workspace, the logout to integrators


def test_logging_agents_into_a_queue_routes_them(
    client, supervisor, django_capture_on_commit_callbacks
):
    # given
    out = MembershipFactory(logged_in=False)
    already_in = MembershipFactory(logged_in=True)
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        shown = act(client, MEMBERSHIPS, "log_in", [out, already_in])
    # then
    assert shown == ["Logged 1 membership into the queue."]
    out.refresh_from_db()
    assert out.logged_in is True
    assert queued_tasks(callbacks) == [AGENT_ROUTE]


def test_the_logged_in_flag_is_not_editable_in_forms(client, supervisor):
    # given
    membership = MembershipFactory(logged_in=True)
    url = reverse("admin:contactcenter_queuemembership_change", args=[membership.pk])
    # when
    page = client.get(url).content.decode()
    client.post(url, {"logged_in": ""})  # an unchecked box, if the form had one
    agent_page = client.get(
        reverse("admin:contactcenter_agent_change", args=[membership.agent_id])
    ).content.decode()
    queue_page = client.get(
        reverse("admin:contactcenter_queue_change", args=[membership.queue_id])
    ).content.decode()
    # then
    for html in (page, agent_page, queue_page):
        assert not re.search(r'name="[^"]*logged_in"', html)
    assert 'name="memberships-0-queue"' in agent_page  # the queues themselves stay editable
    membership.refresh_from_db()
    assert membership.logged_in is True


def test_the_membership_list_shows_who_is_logged_in(client, supervisor):
    # given
    MembershipFactory(agent__display_name="Ina In", logged_in=True)
    MembershipFactory(agent__display_name="Otto Out", logged_in=False)
    # when
    html = client.get(MEMBERSHIPS, {"logged_in__exact": "0"}).content.decode()
    # then
    assert "Otto Out" in html
    assert "Ina In" not in html
    assert "Log out of queue" in html
    assert "Log into queue" in html


def test_staff_without_the_permissions_get_no_actions(client):
    # given
    user = SupervisorFactory()
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_agent", "view_pause", "view_queuemembership"])
    )
    client.force_login(user)
    pause = PauseFactory()
    membership = MembershipFactory()
    # when
    pages = [client.get(url).content.decode() for url in (AGENTS, PAUSES, MEMBERSHIPS)]
    client.post(PAUSES, {"action": "end_pause", ACTION_CHECKBOX_NAME: [pause.pk]})
    client.post(MEMBERSHIPS, {"action": "log_out", ACTION_CHECKBOX_NAME: [membership.pk]})
    # then
    for html in pages:
        assert "End pause" not in html
        assert "Log out of queue" not in html
    pause.refresh_from_db()
    assert pause.ended_at is None
    membership.refresh_from_db()
    assert membership.logged_in is True


@pytest.mark.django_db(transaction=True)
def test_an_action_commits_each_service_call_and_tells_the_workspace(
    client, supervisor, monkeypatch
):
    """Real commits: the admin wraps its actions in no transaction of its own (the durable
    services would refuse to run inside one), and the events go out after each commit."""
    # given
    agent = busy_agent()
    membership = QueueMembership.objects.get(agent=agent, logged_in=True)
    stream = events.agent_stream(agent.pk)
    [before] = events.last_event_ids([stream]).values()
    routed = []  # recorded, not sent: no task is left on the suite's broker for a later worker
    monkeypatch.setattr(agent_route_task, "delay", lambda agent_id: routed.append(agent_id))
    # when
    ended = act(client, AGENTS, "end_pause", [agent])
    logged_out = act(client, MEMBERSHIPS, "log_out", [membership])
    # then
    assert ended == ["Ended 1 pause."]
    assert logged_out == ["Logged 1 membership out of the queue."]
    assert Pause.objects.get(agent=agent).ended_by == supervisor
    membership.refresh_from_db()
    assert membership.logged_in is False
    assert events.last_event_ids([stream]) == {stream: before + 2}  # pause, queues changed
    assert routed == [agent.pk]  # after the pause's commit
