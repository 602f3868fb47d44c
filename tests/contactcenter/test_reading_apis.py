"""What supervisors and integration accounts read of the whole organisation over REST: every
activity with filters and a cursor, the history feed, the agents with their live state; and
that an agent's calls still see only what their workspace shows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contactcenter.models import ActivityEvent, EventKind
from tests.api import api_for
from tests.factories import (
    AgentFactory,
    ContactFactory,
    CustomerActivityFactory,
    IdentityFactory,
    IntegrationAccountFactory,
    MembershipFactory,
    ParticipantFactory,
    PauseFactory,
    PauseReasonFactory,
    QueueFactory,
    StatusFactory,
    SupervisorFactory,
    TicketFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ORGANISATION_ONLY = {
    "detail": "Only supervisors and integration accounts can read this.",
    "code": "organisation_only",
}


@pytest.fixture(params=["supervisor", "integration"])
def reader(request):
    """A user who reads the whole organisation: a supervisor, or an integration account."""
    return SupervisorFactory() if request.param == "supervisor" else IntegrationAccountFactory()


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# Activities


def test_supervisors_and_integrations_list_every_activity_newest_first(reader):
    # given
    waiting = CustomerActivityFactory(state="waiting", owner=None)
    open_one = CustomerActivityFactory()
    closed = CustomerActivityFactory(state="closed", closed_at=timezone.now())
    # when
    listed = ids(api_for(reader).get("/api/v1/activities/"))
    # then
    assert listed == [closed.pk, open_one.pk, waiting.pk]


def test_an_agent_still_lists_only_the_activities_they_take_part_in():
    # given
    agent = AgentFactory()
    own = CustomerActivityFactory(owner=agent)
    joined = ParticipantFactory(agent=agent).activity
    CustomerActivityFactory()  # a colleague's
    CustomerActivityFactory(owner=agent, state="closed", closed_at=timezone.now())  # done
    # when
    listed = ids(api_for(agent.user).get("/api/v1/activities/"))
    # then
    assert sorted(listed) == sorted([own.pk, joined.pk])


def test_a_user_who_is_neither_agent_nor_reader_may_not_list_activities():
    response = api_for(UserFactory()).get("/api/v1/activities/")
    assert response.status_code == 403
    assert response.json()["code"] == "not_an_agent"


def _made(**fields):
    """Makes the activity a filter must find (the factories are called late, in the test)."""
    return lambda: CustomerActivityFactory(
        **{name: value() if callable(value) else value for name, value in fields.items()}
    )


HOURS_AGO = {hours: lambda hours=hours: timezone.now() - timedelta(hours=hours) for hours in (1, 2)}

# Each filter: the query that names an activity, and how that activity is made.
FILTER_CASES = {
    "state": (lambda a: {"state": "postponed"}, _made(state="postponed")),
    "queue": (lambda a: {"queue": a.queue_id}, _made()),
    "owner": (lambda a: {"owner": a.owner_id}, _made()),
    "channel": (
        lambda a: {"channel": "viber"},
        _made(identity=lambda: IdentityFactory(channel_account__viber=True)),
    ),
    "channel_account": (lambda a: {"channel_account": a.channel_account_id}, _made()),
    "identity": (lambda a: {"identity": a.identity_id}, _made()),
    "contact": (lambda a: {"contact": a.contact_id}, _made(contact=ContactFactory)),
    "ticket": (lambda a: {"ticket": a.ticket_id}, _made(ticket=TicketFactory)),
    "important": (lambda a: {"important": "true"}, _made(important=True)),
    "status": (lambda a: {"status": a.status_id}, _made(status=StatusFactory)),
    "closed range": (
        lambda a: {
            "closed_after": HOURS_AGO[2]().isoformat(),
            "closed_before": HOURS_AGO[1]().isoformat(),
        },
        _made(state="closed", closed_at=lambda: timezone.now() - timedelta(minutes=90)),
    ),
}


@pytest.mark.parametrize("case", list(FILTER_CASES))
def test_each_filter_finds_only_the_matching_activity(reader, case):
    # given: the activity the filter names, and one it must leave out
    query, make = FILTER_CASES[case]
    wanted = make()
    CustomerActivityFactory(state="closed", closed_at=timezone.now() - timedelta(days=3))
    # when
    listed = ids(api_for(reader).get("/api/v1/activities/", query(wanted)))
    # then
    assert listed == [wanted.pk]


def test_the_created_range_filters_on_when_the_activity_was_made(reader):
    # given
    old, new = CustomerActivityFactory.create_batch(2)
    old.created_at = timezone.now() - timedelta(days=2)
    old.save(update_fields=["created_at"])
    # when
    since_yesterday = {"created_after": (timezone.now() - timedelta(days=1)).isoformat()}
    before_yesterday = {"created_before": (timezone.now() - timedelta(days=1)).isoformat()}
    # then
    assert ids(api_for(reader).get("/api/v1/activities/", since_yesterday)) == [new.pk]
    assert ids(api_for(reader).get("/api/v1/activities/", before_yesterday)) == [old.pk]


def test_a_filter_with_a_bad_value_answers_400_and_lists_nothing(reader):
    response = api_for(reader).get("/api/v1/activities/", {"created_after": "yesterday"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "created_after" in response.json()["detail"]


def test_the_cursor_pages_through_every_activity_once_while_new_ones_arrive(reader):
    # given
    made = CustomerActivityFactory.create_batch(5)
    api = api_for(reader)
    # when: two pages read, then a new activity arrives before the third
    first = api.get("/api/v1/activities/", {"page_size": 2}).json()
    second = api.get(first["next"]).json()
    CustomerActivityFactory()
    third = api.get(second["next"]).json()
    # then: newest first, nothing twice, nothing missed, and the new one is not on the pages
    seen = [row["id"] for page in (first, second, third) for row in page["results"]]
    assert seen == [activity.pk for activity in reversed(made)]
    assert third["next"] is None


def test_a_forged_cursor_answers_404():
    response = api_for(SupervisorFactory()).get("/api/v1/activities/", {"cursor": "bm9wZQ"})
    assert response.status_code == 404


@pytest.mark.parametrize("rows", [1, 6])
def test_the_organisation_list_costs_the_same_queries_for_1_or_6_rows(
    django_assert_num_queries, rows
):
    # given
    CustomerActivityFactory.create_batch(
        rows, contact=ContactFactory(), ticket=TicketFactory(), status=StatusFactory()
    )
    api = api_for(SupervisorFactory())
    # then: the page, who takes part
    with django_assert_num_queries(2):
        response = api.get("/api/v1/activities/")
    assert len(response.json()["results"]) == rows


# The history feed


def test_the_history_feed_gives_every_line_once_and_resumes_where_it_stopped(reader):
    # given
    activity = CustomerActivityFactory()
    first = [ActivityEvent.objects.create(activity=activity, kind="queued") for _ in range(3)]
    api = api_for(reader)
    # when: read in pages of 2 to the end, then again from the last `resume`
    page_one = api.get("/api/v1/activity-events/", {"page_size": 2}).json()
    page_two = api.get(page_one["next"]).json()
    caught_up = api.get("/api/v1/activity-events/", {"cursor": page_two["resume"]}).json()
    later = ActivityEvent.objects.create(activity=activity, kind="closed")
    after = api.get("/api/v1/activity-events/", {"cursor": caught_up["resume"]}).json()
    # then
    seen = [row["id"] for row in page_one["results"] + page_two["results"]]
    assert seen == [event.pk for event in first]
    assert page_two["next"] is None
    assert caught_up == {"next": None, "resume": page_two["resume"], "results": []}
    assert [(row["id"], row["activity"], row["kind"]) for row in after["results"]] == [
        (later.pk, activity.pk, "closed")
    ]


def test_the_history_feed_filters_by_activity_and_kind():
    # given
    activity, other = CustomerActivityFactory.create_batch(2)
    wanted = ActivityEvent.objects.create(activity=activity, kind=EventKind.CLOSED)
    ActivityEvent.objects.create(activity=activity, kind=EventKind.QUEUED)
    ActivityEvent.objects.create(activity=other, kind=EventKind.CLOSED)
    # when
    query = {"activity": activity.pk, "kind": "closed"}
    listed = ids(api_for(IntegrationAccountFactory()).get("/api/v1/activity-events/", query))
    # then
    assert listed == [wanted.pk]


def test_only_supervisors_see_in_the_feed_who_watched_a_chat():
    # given
    activity = CustomerActivityFactory()
    supervisor = SupervisorFactory()
    watched = ActivityEvent.objects.create(
        activity=activity, kind=EventKind.MONITORED, actor=supervisor
    )
    # then
    assert ids(api_for(supervisor).get("/api/v1/activity-events/")) == [watched.pk]
    assert ids(api_for(IntegrationAccountFactory()).get("/api/v1/activity-events/")) == []


@pytest.mark.parametrize("path", ["/api/v1/activity-events/", "/api/v1/agents/"])
def test_agents_are_refused_the_organisation_wide_lists(path):
    response = api_for(AgentFactory().user).get(path)
    assert response.status_code == 403
    assert response.json() == ORGANISATION_ONLY


@pytest.mark.parametrize("rows", [1, 6])
def test_the_history_feed_costs_the_same_queries_for_1_or_6_lines(django_assert_num_queries, rows):
    # given: lines by agents, by an integration account and by the system
    activity = CustomerActivityFactory()
    actors = [AgentFactory().user, IntegrationAccountFactory(), None]
    for index in range(rows):
        ActivityEvent.objects.create(
            activity=activity, kind="status", actor=actors[index % 3], agent=activity.owner
        )
    api = api_for(IntegrationAccountFactory())
    api.get("/api/v1/activity-events/")  # the caller's group, read once per user object
    # then: the page, the actors' groups
    with django_assert_num_queries(2):
        response = api.get("/api/v1/activity-events/")
    assert len(response.json()["results"]) == rows


# Agents


def test_the_agents_list_shows_each_agents_live_state(reader):
    # given
    sales, support = QueueFactory(number=100), QueueFactory(number=200)
    available = MembershipFactory(
        queue=sales, logged_in=True, agent__display_name="Ada", agent__is_online=True
    ).agent
    MembershipFactory(queue=support, agent=available, logged_in=False)
    CustomerActivityFactory(owner=available)
    paused = AgentFactory(display_name="Ben", is_online=True)
    PauseFactory(agent=paused, reason=PauseReasonFactory(name="Lunch", paid=True))
    AgentFactory(display_name="Cy", is_online=False)
    # when
    response = api_for(reader).get("/api/v1/agents/")
    # then
    assert response.status_code == 200
    rows = {row["display_name"]: row for row in response.json()["results"]}
    assert [rows[name]["state"] for name in ("Ada", "Ben", "Cy")] == [
        "available",
        "paused",
        "offline",
    ]
    assert rows["Ada"]["open_chats"] == rows["Ada"]["load"] == 1
    assert rows["Ada"]["pause"] is None
    assert [(q["number"], q["logged_in"]) for q in rows["Ada"]["queues"]] == [
        (100, True),
        (200, False),
    ]
    assert rows["Ben"]["pause"]["reason"] == "Lunch"
    assert rows["Ben"]["pause"]["paid"] is True


def test_the_agents_list_filters_by_queue_and_by_online(reader):
    # given
    queue = QueueFactory()
    member = MembershipFactory(queue=queue, agent__is_online=True).agent
    AgentFactory(is_online=True)
    MembershipFactory(queue=queue, agent__is_online=False)
    # then
    query = {"queue": queue.pk, "is_online": "true"}
    assert ids(api_for(reader).get("/api/v1/agents/", query)) == [member.pk]


@pytest.mark.parametrize("rows", [1, 6])
def test_the_agents_list_costs_the_same_queries_for_1_or_6_agents(django_assert_num_queries, rows):
    # given
    for _ in range(rows):
        agent = MembershipFactory(agent__is_online=True).agent
        PauseFactory(agent=agent)
        CustomerActivityFactory(owner=agent)
    api = api_for(SupervisorFactory())
    # then: count, page, open pauses, memberships
    with django_assert_num_queries(4):
        response = api.get("/api/v1/agents/")
    assert len(response.json()["results"]) == rows


# Opened to integration accounts


def test_integration_accounts_read_every_queue_and_any_activitys_history():
    # given
    queues = QueueFactory.create_batch(2)
    activity = CustomerActivityFactory()
    line = ActivityEvent.objects.create(activity=activity, kind="queued")
    api = api_for(IntegrationAccountFactory())
    # then
    listed = {row["id"] for row in api.get("/api/v1/queues/").json()["results"]}
    assert {queue.pk for queue in queues} <= listed
    assert ids(api.get(f"/api/v1/activities/{activity.pk}/events/")) == [line.pk]
