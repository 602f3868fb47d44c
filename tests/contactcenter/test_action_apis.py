"""The agent's actions over REST (/api/v1/): notifications, activities, pauses and queue logins,
as an agent (or an integrator acting for one) sees them."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from contactcenter.models import (
    ActivityEvent,
    Offer,
    Participant,
    Pause,
    QueueMembership,
)
from contactcenter.services.routing import activity_route
from tests.factories import (
    AgentFactory,
    CustomerActivityFactory,
    MembershipFactory,
    OfferFactory,
    ParticipantFactory,
    PauseFactory,
    PauseReasonFactory,
    QueueFactory,
    StatusFactory,
    SupervisorFactory,
)

pytestmark = pytest.mark.django_db

NOT_AN_AGENT = {"detail": "Only agents can do this.", "code": "not_an_agent"}
NOT_FOUND = {"detail": "No such activity.", "code": "not_found"}

# Every agent endpoint, as (method, path) with placeholders for ids that need not exist.
AGENT_ENDPOINTS = [
    ("post", "/api/v1/offers/1/accept/"),
    ("post", "/api/v1/offers/1/reject/"),
    ("get", "/api/v1/activities/waiting/"),
    ("post", "/api/v1/activities/1/accept/"),
    ("post", "/api/v1/activities/1/transfer/"),
    ("post", "/api/v1/activities/1/invite/"),
    ("post", "/api/v1/activities/1/leave/"),
    ("post", "/api/v1/activities/1/postpone/"),
    ("post", "/api/v1/activities/1/resume/"),
    ("post", "/api/v1/activities/1/status/"),
    ("post", "/api/v1/activities/1/important/"),
    ("post", "/api/v1/activities/1/close/"),
    ("get", "/api/v1/workspace/"),
    ("get", "/api/v1/pause-reasons/"),
    ("post", "/api/v1/pause/"),
    ("delete", "/api/v1/pause/"),
    ("post", "/api/v1/queues/1/login/"),
    ("post", "/api/v1/queues/1/logout/"),
]


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def agent(api):
    """The agent making the calls, signed in, online and logged into one queue."""
    membership = MembershipFactory(agent__is_online=True)
    api.force_authenticate(membership.agent.user)
    return membership.agent


def waiting_activity(queue, **kwargs):
    return CustomerActivityFactory(queue=queue, state="waiting", owner=None, **kwargs)


def action(activity, name: str) -> str:
    return f"/api/v1/activities/{activity.id}/{name}/"


# Who may call


@pytest.mark.parametrize(("method", "path"), AGENT_ENDPOINTS)
def test_a_user_who_is_not_an_agent_gets_403(api, method, path):
    # given
    api.force_authenticate(SupervisorFactory())
    # when
    response = getattr(api, method)(path, {}, format="json")
    # then
    assert response.status_code == 403
    assert response.json() == NOT_AN_AGENT


@pytest.mark.parametrize(("method", "path"), AGENT_ENDPOINTS)
def test_an_anonymous_call_gets_401(api, method, path):
    response = getattr(api, method)(path, {}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# Notifications


def test_accepting_a_notification_opens_the_activity_for_the_agent(api, agent):
    # given: routing rings the agent
    queue = agent.memberships.get().queue
    activity = waiting_activity(queue)
    offer = activity_route(activity_id=activity.id)
    # when
    response = api.post(f"/api/v1/offers/{offer.id}/accept/")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == activity.id
    assert body["state"] == "open"
    assert body["owner"] == {"id": agent.id, "display_name": agent.display_name}
    assert body["queue"]["id"] == queue.id
    activity.refresh_from_db()
    assert activity.state == "open"
    assert activity.owner == agent
    assert Participant.objects.filter(activity=activity, agent=agent, role="owner").exists()


def test_a_second_accept_of_the_same_notification_is_refused_with_409(api, agent):
    # given
    offer = OfferFactory(agent=agent, activity=waiting_activity(QueueFactory()))
    api.post(f"/api/v1/offers/{offer.id}/accept/")
    # when
    response = api.post(f"/api/v1/offers/{offer.id}/accept/")
    # then
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This notification was already accepted.",
        "code": "offer_accepted",
    }
    assert Participant.objects.filter(activity=offer.activity).count() == 1


def test_another_agents_notification_is_not_found(api, agent):
    # given
    offer = OfferFactory(activity=waiting_activity(QueueFactory()))
    # when
    response = api.post(f"/api/v1/offers/{offer.id}/accept/")
    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "No such notification.", "code": "not_found"}
    offer.refresh_from_db()
    assert offer.outcome == "pending"


def test_rejecting_a_notification_rings_the_next_agent(api, agent):
    # given: a colleague online in the same queue
    queue = agent.memberships.get().queue
    colleague = MembershipFactory(queue=queue, agent__is_online=True).agent
    offer = OfferFactory(agent=agent, activity=waiting_activity(queue))
    # when
    response = api.post(f"/api/v1/offers/{offer.id}/reject/")
    # then
    assert response.status_code == 204
    offer.refresh_from_db()
    assert offer.outcome == "rejected"
    assert list(Offer.objects.filter(outcome="pending").values_list("agent", flat=True)) == [
        colleague.id
    ]


# The lists


def test_the_agent_lists_their_open_and_postponed_activities(api, agent):
    # given
    open_one = CustomerActivityFactory(owner=agent)
    postponed = CustomerActivityFactory(owner=agent, state="postponed")
    joined = ParticipantFactory(agent=agent).activity
    CustomerActivityFactory()  # a colleague's
    ParticipantFactory(agent=agent, left=True)  # one they left
    # when
    response = api.get("/api/v1/activities/")
    # then
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == 3
    assert {row["id"] for row in body["results"]} == {open_one.id, postponed.id, joined.id}


@pytest.mark.parametrize("rows", [1, 5])
def test_the_activity_list_costs_the_same_queries_for_1_or_5_rows(
    api, agent, django_assert_num_queries, rows
):
    # given
    CustomerActivityFactory.create_batch(rows, owner=agent, status=StatusFactory())
    # then: the agent with their queues (2), the page, who takes part
    with django_assert_num_queries(4):
        response = api.get("/api/v1/activities/")
    assert len(response.json()["results"]) == rows
    assert response.json()["results"][0]["participants"] == [
        {"id": agent.pk, "display_name": agent.display_name}
    ]


def test_the_waiting_list_shows_the_agents_queues_and_who_is_rung(api, agent):
    # given
    queue = agent.memberships.get().queue
    ringing = waiting_activity(queue)
    colleague_offer = OfferFactory(activity=ringing)
    unoffered = waiting_activity(queue)
    waiting_activity(QueueFactory())  # another queue's
    # when
    response = api.get("/api/v1/activities/waiting/")
    # then
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["id"], row["offered_to"]) for row in rows] == [
        (ringing.id, colleague_offer.agent.display_name),
        (unoffered.id, None),
    ]


# Activities


def test_the_agent_takes_an_activity_from_the_waiting_list(api, agent):
    # given: it rings a colleague meanwhile
    activity = waiting_activity(agent.memberships.get().queue)
    colleague_offer = OfferFactory(activity=activity)
    # when
    response = api.post(action(activity, "accept"))
    # then
    assert response.status_code == 200
    assert response.json()["state"] == "open"
    assert response.json()["owner"]["id"] == agent.id
    activity.refresh_from_db()
    assert activity.owner == agent
    assert ActivityEvent.objects.filter(activity=activity, kind="accepted", agent=agent).exists()
    colleague_offer.refresh_from_db()
    assert colleague_offer.outcome == "revoked"


def test_taking_an_activity_someone_else_took_is_refused_with_409(api, agent):
    # given
    activity = CustomerActivityFactory(queue=agent.memberships.get().queue)
    # when
    response = api.post(action(activity, "accept"))
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "not_waiting"
    activity.refresh_from_db()
    assert activity.owner != agent


def test_taking_from_a_queue_the_agent_is_not_in_is_not_found(api, agent):
    # given
    activity = waiting_activity(QueueFactory())
    # when
    response = api.post(action(activity, "accept"))
    # then
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_closing_without_a_required_status_is_refused_and_changes_nothing(api, agent):
    # given
    activity = CustomerActivityFactory(owner=agent)
    activity.queue.statuses.set([StatusFactory(name="Solved")])
    # when
    response = api.post(action(activity, "close"), {}, format="json")
    # then
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Choose a status before closing: Solved.",
        "code": "status_required",
    }
    activity.refresh_from_db()
    assert activity.state == "open"
    assert activity.closed_at is None
    assert Participant.objects.get(activity=activity).left_at is None
    assert not ActivityEvent.objects.filter(activity=activity, kind="closed").exists()


def test_closing_with_a_status_closes_the_activity_for_everyone(api, agent):
    # given
    activity = CustomerActivityFactory(owner=agent)
    solved = StatusFactory(name="Solved")
    activity.queue.statuses.set([solved])
    colleague = ParticipantFactory(activity=activity)
    # when
    response = api.post(action(activity, "close"), {"status": solved.id}, format="json")
    # then
    assert response.status_code == 204
    activity.refresh_from_db()
    assert activity.state == "closed"
    assert activity.status == solved
    assert activity.closed_at is not None
    assert not Participant.objects.filter(activity=activity, left_at__isnull=True).exists()
    colleague_list = APIClient()
    colleague_list.force_authenticate(colleague.agent.user)
    assert colleague_list.get("/api/v1/activities/").json()["results"] == []


def test_a_status_not_allowed_in_the_queue_is_refused(api, agent):
    # given
    activity = CustomerActivityFactory(owner=agent)
    # when
    response = api.post(action(activity, "status"), {"status": StatusFactory().id}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "status_not_allowed"


def test_the_owner_sets_and_clears_the_status(api, agent):
    # given
    activity = CustomerActivityFactory(owner=agent)
    solved = StatusFactory(name="Solved")
    activity.queue.statuses.set([solved])
    # when
    chosen = api.post(action(activity, "status"), {"status": solved.id}, format="json")
    cleared = api.post(action(activity, "status"), {"status": None}, format="json")
    # then
    assert chosen.status_code == 200
    assert chosen.json()["status"] == {"id": solved.id, "name": "Solved"}
    assert cleared.json()["status"] is None
    activity.refresh_from_db()
    assert activity.status is None


def test_the_status_must_be_given(api, agent):
    # given
    activity = CustomerActivityFactory(owner=agent)
    # when
    response = api.post(action(activity, "status"), {}, format="json")
    # then
    assert response.status_code == 400
    assert response.json() == {
        "detail": {"status": ["This field is required."]},
        "code": "invalid",
    }


def test_a_participant_marks_the_activity_important(api, agent):
    # given: the agent joined a colleague's activity
    activity = ParticipantFactory(agent=agent).activity
    # when
    response = api.post(action(activity, "important"), {"important": True}, format="json")
    # then
    assert response.status_code == 200
    assert response.json()["important"] is True
    activity.refresh_from_db()
    assert activity.important is True


def test_postponing_until_a_time_in_the_past_is_refused(api, agent):
    # given
    activity = CustomerActivityFactory(owner=agent)
    past = timezone.now() - timedelta(minutes=5)
    # when
    response = api.post(action(activity, "postpone"), {"until": past.isoformat()}, format="json")
    # then
    assert response.status_code == 400
    assert response.json() == {"detail": "Choose a time in the future.", "code": "until_in_past"}
    activity.refresh_from_db()
    assert activity.state == "open"
    assert activity.postponed_until is None


def test_postponing_until_later_and_resuming(api, agent):
    # given
    activity = CustomerActivityFactory(owner=agent)
    later = timezone.now() + timedelta(hours=2)
    # when
    postponed = api.post(action(activity, "postpone"), {"until": later.isoformat()}, format="json")
    resumed = api.post(action(activity, "resume"))
    # then
    assert postponed.status_code == 200
    assert postponed.json()["state"] == "postponed"
    assert postponed.json()["postponed_until"] is not None
    assert resumed.status_code == 200
    assert resumed.json()["state"] == "open"
    assert resumed.json()["postponed_until"] is None
    assert list(ActivityEvent.objects.filter(activity=activity).values_list("kind", flat=True)) == [
        "postponed",
        "resumed",
    ]


def test_transferring_to_a_queue_puts_the_activity_back_to_wait_there(api, agent):
    # given
    activity = CustomerActivityFactory(owner=agent)
    sales = QueueFactory(name="Sales")
    # when
    response = api.post(action(activity, "transfer"), {"queue": sales.id}, format="json")
    # then
    assert response.status_code == 204
    activity.refresh_from_db()
    assert activity.state == "waiting"
    assert activity.queue == sales
    assert activity.owner is None
    assert Participant.objects.get(activity=activity, agent=agent).left_at is not None
    assert api.get("/api/v1/activities/").json()["results"] == []


def test_a_transfer_needs_exactly_one_target(api, agent):
    # given
    activity = CustomerActivityFactory(owner=agent)
    # when
    response = api.post(action(activity, "transfer"), {}, format="json")
    # then
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Choose either an agent or a queue.",
        "code": "invalid_target",
    }
    activity.refresh_from_db()
    assert activity.state == "open"


def test_an_invited_colleague_accepts_and_joins_the_activity(api, agent):
    # given
    activity = CustomerActivityFactory(owner=agent)
    colleague = AgentFactory(is_online=True)
    colleague_api = APIClient()
    colleague_api.force_authenticate(colleague.user)
    # when
    invited = api.post(action(activity, "invite"), {"agent": colleague.id}, format="json")
    offer = colleague_api.get("/api/v1/workspace/").json()["offers"][0]
    accepted = colleague_api.post(f"/api/v1/offers/{offer['id']}/accept/")
    # then
    assert invited.status_code == 204
    assert offer["kind"] == "invite"
    assert offer["sent_by"] == {"id": agent.id, "display_name": agent.display_name}
    assert accepted.status_code == 200
    assert accepted.json()["owner"]["id"] == agent.id
    assert set(
        Participant.objects.filter(activity=activity, left_at__isnull=True).values_list(
            "agent", "role"
        )
    ) == {(agent.id, "owner"), (colleague.id, "invited")}


def test_inviting_an_offline_colleague_is_refused(api, agent):
    # given
    activity = CustomerActivityFactory(owner=agent)
    colleague = AgentFactory(is_online=False)
    # when
    response = api.post(action(activity, "invite"), {"agent": colleague.id}, format="json")
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "agent_unavailable"
    assert not Offer.objects.filter(activity=activity).exists()


def test_the_owner_leaves_a_shared_activity_to_the_colleague(api, agent):
    # given
    activity = CustomerActivityFactory(owner=agent)
    colleague = ParticipantFactory(activity=activity).agent
    # when
    response = api.post(action(activity, "leave"))
    # then
    assert response.status_code == 204
    activity.refresh_from_db()
    assert activity.owner == colleague
    assert activity.state == "open"
    assert Participant.objects.get(activity=activity, agent=agent).left_at is not None


def test_the_only_agent_in_an_activity_cannot_leave_it(api, agent):
    # given
    activity = CustomerActivityFactory(owner=agent)
    # when
    response = api.post(action(activity, "leave"))
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "last_participant"


def test_another_agents_activity_is_not_found(api, agent):
    # given
    activity = CustomerActivityFactory()
    # when
    response = api.post(action(activity, "close"), {}, format="json")
    # then
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    activity.refresh_from_db()
    assert activity.state == "open"


def test_an_invited_agent_may_not_close_the_owners_activity(api, agent):
    # given
    activity = ParticipantFactory(agent=agent).activity
    # when
    response = api.post(action(activity, "close"), {}, format="json")
    # then
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only the agent who owns the activity may do this.",
        "code": "not_owner",
    }
    activity.refresh_from_db()
    assert activity.state == "open"


# The workspace


def test_the_workspace_is_the_agents_snapshot(api, agent):
    # given
    queue = agent.memberships.get().queue
    mine = CustomerActivityFactory(owner=agent, queue=queue)
    waiting = waiting_activity(queue)
    offer = OfferFactory(agent=agent, activity=waiting)
    reason = PauseReasonFactory(name="Lunch", paid=False)
    # when
    response = api.get("/api/v1/workspace/")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "snapshot"
    assert all(isinstance(event_id, int) for event_id in body["event_ids"].values())
    assert body["agent"] == {
        "id": agent.id,
        "display_name": agent.display_name,
        "max_open_chats": 3,
        "is_online": True,
    }
    assert body["pause"] is None
    assert body["pause_reasons"] == [{"id": reason.id, "name": "Lunch", "paid": False}]
    assert body["queues"] == [
        {
            "queue": {"id": queue.id, "number": queue.number, "name": queue.name},
            "logged_in": True,
        }
    ]
    assert [row["id"] for row in body["offers"]] == [offer.id]
    assert [row["id"] for row in body["activities"]] == [mine.id]
    assert [row["id"] for row in body["waiting"]] == [waiting.id]


# Pauses


def test_the_agent_lists_the_pause_reasons_they_may_choose(api, agent):
    # given
    lunch = PauseReasonFactory(name="Lunch", paid=False)
    PauseReasonFactory(name="Missed notification", paid=False, is_missed_offer=True)
    # when
    response = api.get("/api/v1/pause-reasons/")
    # then
    assert response.status_code == 200
    assert response.json()["results"] == [{"id": lunch.id, "name": "Lunch", "paid": False}]


def test_the_agent_pauses_and_comes_back(api, agent):
    # given
    lunch = PauseReasonFactory(name="Lunch", paid=False)
    # when
    started = api.post("/api/v1/pause/", {"reason": lunch.id}, format="json")
    paused = api.get("/api/v1/workspace/").json()["pause"]
    ended = api.delete("/api/v1/pause/")
    # then
    assert started.status_code == 201
    assert started.json()["reason"] == "Lunch"
    assert started.json()["paid"] is False
    assert started.json()["cause"] == "manual"
    assert paused["id"] == started.json()["id"]
    assert ended.status_code == 204
    pause = Pause.objects.get(agent=agent)
    assert pause.ended_at is not None
    assert pause.ended_by == agent.user


def test_ending_a_pause_when_not_paused_is_harmless(api, agent):
    # given: someone else's pause
    other = PauseFactory()
    # when
    response = api.delete("/api/v1/pause/")
    # then
    assert response.status_code == 204
    other.refresh_from_db()
    assert other.ended_at is None


def test_the_missed_notification_reason_cannot_be_chosen(api, agent):
    # given
    missed = PauseReasonFactory(paid=False, is_missed_offer=True)
    # when
    response = api.post("/api/v1/pause/", {"reason": missed.id}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_reason"
    assert not Pause.objects.filter(agent=agent).exists()


# Queue logins


def test_the_agent_logs_out_of_a_queue_and_in_again(api, agent):
    # given
    queue = agent.memberships.get().queue
    # when
    logged_out = api.post(f"/api/v1/queues/{queue.id}/logout/")
    logged_out_in_db = QueueMembership.objects.get(agent=agent, queue=queue).logged_in
    logged_in = api.post(f"/api/v1/queues/{queue.id}/login/")
    # then
    assert logged_out.status_code == 200
    assert logged_out.json() == {
        "queue": {"id": queue.id, "number": queue.number, "name": queue.name},
        "logged_in": False,
    }
    assert logged_out_in_db is False
    assert logged_in.json()["logged_in"] is True
    assert QueueMembership.objects.get(agent=agent, queue=queue).logged_in is True


def test_logging_into_a_queue_the_agent_is_not_a_member_of_is_not_found(api, agent):
    # given
    queue = QueueFactory()
    # when
    response = api.post(f"/api/v1/queues/{queue.id}/login/")
    # then
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not QueueMembership.objects.filter(agent=agent, queue=queue).exists()
