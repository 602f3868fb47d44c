"""Events for integrators from the core: each activity and agent change reported once, in its
own transaction, with what an integrator reads; nothing for a change rolled back; one ask to
dispatch per transaction. (Messages, contacts and tickets: their apps' test_outbox.py.)"""

from datetime import timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from contactcenter.models import Offer
from contactcenter.outbox import EVENT_EXAMPLES, EVENT_TYPES, example_problems
from contactcenter.ports import ports
from contactcenter.services.activities import activity_close, activity_take
from contactcenter.services.availability import (
    agent_set_online,
    pause_end,
    pause_start,
    queue_login,
)
from contactcenter.services.configuration import membership_add, membership_remove
from contactcenter.services.intake import activity_start
from contactcenter.services.offers import offer_accept, offer_expire
from contactcenter.services.presence import agent_connected, agent_disconnected, presence_settle
from contactcenter.services.routing import activity_route
from contactcenter.services.sharing import activity_invite, activity_transfer
from tests.factories import (
    AgentFactory,
    CustomerActivityFactory,
    IdentityFactory,
    MembershipFactory,
    OfferFactory,
    OnlineAgentFactory,
    PauseReasonFactory,
    QueueFactory,
    StatusFactory,
)

pytestmark = pytest.mark.django_db


def iso(moment) -> str:
    """A time as an endpoint receives it."""
    return DjangoJSONEncoder().default(moment)


def waiting(**fields):
    """A customer's activity waiting in its queue, ringing nobody yet."""
    return CustomerActivityFactory(state="waiting", owner=None, **fields)


@pytest.fixture
def asks(monkeypatch) -> list[int]:
    """Each ask to fan the outbox out, as the integrations app receives it after a commit."""
    asked: list[int] = []
    monkeypatch.setattr(ports, "outbox_written", lambda: asked.append(1))
    return asked


# --- the registry ------------------------------------------------------------------------------


def test_every_event_type_has_an_example():
    assert EVENT_EXAMPLES.keys() == EVENT_TYPES.keys()


def test_a_payload_off_its_example_is_named_key_by_key():
    # given: a close missing the activity's state, with a key no example has, and an agent
    # state whose queues hold a stray key
    closed = EVENT_EXAMPLES["activity.closed"]
    activity = {key: value for key, value in closed["activity"].items() if key != "state"}
    agent = {**EVENT_EXAMPLES["agent.state_changed"]["agent"], "queues": [{"id": 1, "x": 2}]}
    # when
    problems = [
        *example_problems("activity.closed", {**closed, "activity": activity, "reason": "x"}),
        *example_problems("agent.state_changed", {"agent": agent, "change": "", "queue_id": 1}),
        *example_problems("activity.deleted", {}),
    ]
    # then
    assert problems == [
        "activity.closed.activity.state is missing",
        "activity.closed.reason is not in the example",
        "agent.state_changed.agent.queues.logged_in is missing",
        "agent.state_changed.agent.queues.x is not in the example",
        "no example for the event type 'activity.deleted'",
    ]


# --- activities --------------------------------------------------------------------------------


def test_an_agent_starting_a_conversation_reports_it_created_open_for_them(outbox):
    # given
    agent = AgentFactory(display_name="Ada Novak")
    identity = IdentityFactory(display_name="Sheena Nelson")
    queue = identity.channel_account.queue
    # when
    with transaction.atomic():
        activity = activity_start(
            agent=agent,
            queue=queue,
            channel_account=identity.channel_account,
            identity=identity,
            title="Sheena Nelson",
        )
    # then
    [(kind, data)] = outbox()
    assert kind == "activity.created"
    assert data["started_by"] == {"type": "agent", "id": agent.pk, "name": "Ada Novak"}
    assert data["activity"] == {
        "id": activity.pk,
        "state": "open",
        "title": "Sheena Nelson",
        "queue": {"id": queue.pk, "number": queue.number, "name": queue.name},
        "channel_account": {"id": identity.channel_account_id, "provider": "whatsapp"},
        "identity_id": identity.pk,
        "contact_id": None,
        "ticket_id": None,
        "owner": {"id": agent.pk, "name": "Ada Novak"},
        "status": None,
        "important": False,
        "queued_at": iso(activity.queued_at),
        "accepted_at": iso(activity.accepted_at),
        "closed_at": None,
    }


def test_routing_reports_the_notification_with_its_agent_and_deadline(outbox):
    # given
    activity = waiting()
    alice = OnlineAgentFactory(queue=activity.queue, display_name="Alice")
    # when
    offer = activity_route(activity_id=activity.pk)
    # then
    [(kind, data)] = outbox()
    assert kind == "activity.offered"
    assert (data["agent"], data["offer_id"], data["kind"], data["deadline"]) == (
        {"id": alice.pk, "name": "Alice"},
        offer.pk,
        "route",
        iso(offer.deadline),
    )
    assert (data["activity"]["id"], data["activity"]["state"], data["activity"]["owner"]) == (
        activity.pk,
        "waiting",
        None,
    )


def test_an_accept_reports_the_activity_open_for_the_agent(outbox):
    # given
    offer = OfferFactory(activity=waiting(), agent=OnlineAgentFactory(display_name="Bob"))
    # when
    offer_accept(offer_id=offer.pk, agent=offer.agent)
    # then
    [(kind, data)] = outbox()
    bob = {"id": offer.agent.pk, "name": "Bob"}
    assert (kind, data["agent"], data["offer_id"], data["kind"]) == (
        "activity.accepted",
        bob,
        offer.pk,
        "route",
    )
    assert (data["activity"]["state"], data["activity"]["owner"]) == ("open", bob)
    assert data["activity"]["accepted_at"] is not None


def test_a_take_from_the_waiting_list_reports_it_accepted_without_a_notification(outbox):
    # given: a colleague is rung for it
    activity = waiting()
    OfferFactory(activity=activity, agent=OnlineAgentFactory())
    carol = MembershipFactory(queue=activity.queue).agent
    # when
    activity_take(activity_id=activity.pk, agent=carol)
    # then
    [(kind, data)] = outbox()
    assert (kind, data["agent"]["id"], data["offer_id"], data["kind"]) == (
        "activity.accepted",
        carol.pk,
        None,
        "waiting_list",
    )
    assert data["activity"]["owner"]["id"] == carol.pk


def test_an_accepted_invitation_reports_the_colleague_joining_beside_the_owner(outbox):
    # given
    activity = CustomerActivityFactory(owner=OnlineAgentFactory())
    bob = OnlineAgentFactory()
    activity_invite(activity_id=activity.pk, agent=activity.owner, to_agent_id=bob.pk)
    invitation = Offer.objects.get(activity=activity)
    # when
    offer_accept(offer_id=invitation.pk, agent=bob)
    # then
    [(_, offered), (kind, accepted)] = outbox("activity.offered", "activity.accepted")
    assert (offered["agent"]["id"], offered["kind"]) == (bob.pk, "invite")
    assert (kind, accepted["agent"]["id"], accepted["kind"]) == (
        "activity.accepted",
        bob.pk,
        "invite",
    )
    assert accepted["activity"]["owner"]["id"] == activity.owner.pk


def test_a_transfer_to_a_colleague_reports_it_transferred_then_offered_to_them(outbox):
    # given
    alice, bob = OnlineAgentFactory(display_name="Alice"), OnlineAgentFactory(display_name="Bob")
    activity = CustomerActivityFactory(owner=alice)
    # when
    activity_transfer(activity_id=activity.pk, agent=alice, to_agent_id=bob.pk)
    # then
    [(first, transferred), (then, offered)] = outbox()
    assert (first, then) == ("activity.transferred", "activity.offered")
    assert (transferred["from_agent"], transferred["to_agent"], transferred["to_queue"]) == (
        {"id": alice.pk, "name": "Alice"},
        {"id": bob.pk, "name": "Bob"},
        None,
    )
    assert (transferred["activity"]["state"], transferred["activity"]["owner"]) == (
        "waiting",
        None,
    )
    assert (offered["agent"]["id"], offered["kind"]) == (bob.pk, "transfer")


def test_a_transfer_to_a_queue_names_the_queue(outbox):
    # given: nobody in the queue to ring
    activity = CustomerActivityFactory()
    support = QueueFactory(number=200, name="Support")
    # when
    activity_transfer(activity_id=activity.pk, agent=activity.owner, to_queue_id=support.pk)
    # then
    [(kind, data)] = outbox()
    assert kind == "activity.transferred"
    support_brief = {"id": support.pk, "number": 200, "name": "Support"}
    assert (data["to_agent"], data["to_queue"]) == (None, support_brief)
    assert data["activity"]["queue"] == support_brief


def test_a_close_reports_the_status_and_who_closed(outbox):
    # given
    activity = CustomerActivityFactory(owner=AgentFactory(display_name="Ada"))
    resolved = StatusFactory(name="Resolved")
    activity.queue.statuses.add(resolved)
    # when
    activity_close(activity_id=activity.pk, agent=activity.owner, status_id=resolved.pk)
    # then
    [(kind, data)] = outbox()
    assert kind == "activity.closed"
    assert data["closed_by"] == {"type": "agent", "id": activity.owner.pk, "name": "Ada"}
    assert (data["activity"]["state"], data["activity"]["status"]) == (
        "closed",
        {"id": resolved.pk, "name": "Resolved"},
    )
    assert data["activity"]["closed_at"] is not None


def test_one_ask_to_dispatch_per_transaction_however_many_events(
    outbox, asks, empty_broker, django_capture_on_commit_callbacks
):
    # given
    alice, bob = OnlineAgentFactory(), OnlineAgentFactory()
    activity = CustomerActivityFactory(owner=alice)
    # when: one transaction reports the transfer and the offer
    with django_capture_on_commit_callbacks(execute=True):
        activity_transfer(activity_id=activity.pk, agent=alice, to_agent_id=bob.pk)
    # then
    assert len(outbox()) == 2
    assert asks == [1]


def test_a_change_rolled_back_reports_nothing(outbox, asks, django_capture_on_commit_callbacks):
    # given
    agent, queue = AgentFactory(), QueueFactory()
    # when: the caller's transaction fails after the service wrote
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        membership_add(agent=agent, queue=queue)
        raise RuntimeError("the caller's next step failed")
    # then
    assert outbox() == []
    assert asks == []


# --- agents ------------------------------------------------------------------------------------


def changes(outbox) -> list[str]:
    return [data["change"] for _, data in outbox("agent.state_changed")]


def test_coming_online_and_going_offline_are_reported_once_each(outbox):
    # given
    agent = AgentFactory(display_name="Ada", is_online=False)
    # when
    agent_set_online(agent_id=agent.pk, online=True)
    agent_set_online(agent_id=agent.pk, online=True)
    agent_set_online(agent_id=agent.pk, online=False)
    # then
    [(_, online), (_, offline)] = outbox()
    assert (online["change"], online["agent"]["online"], online["queue_id"]) == (
        "online",
        True,
        None,
    )
    assert (offline["change"], offline["agent"]["online"]) == ("offline", False)
    assert online["agent"]["name"] == "Ada"


def test_a_second_page_changes_no_presence_and_the_last_one_closing_does(outbox, empty_broker):
    # given: an agent with two pages open
    agent = AgentFactory(is_online=False)
    agent_connected(agent_id=agent.pk, channel_name="outbox-test.page-1")
    agent_connected(agent_id=agent.pk, channel_name="outbox-test.page-2")
    # when: one page closes, then the other
    agent_disconnected(agent_id=agent.pk, channel_name="outbox-test.page-1")
    presence_settle(agent_id=agent.pk)
    agent_disconnected(agent_id=agent.pk, channel_name="outbox-test.page-2")
    presence_settle(agent_id=agent.pk)
    # then
    assert changes(outbox) == ["online", "offline"]


def test_a_pause_is_reported_with_its_reason_and_its_end_without(outbox):
    # given
    agent = OnlineAgentFactory()
    lunch = PauseReasonFactory(name="Lunch", paid=True)
    # when
    pause = pause_start(agent=agent, reason_id=lunch.pk)
    pause_end(agent=agent, actor=agent.user)
    pause_end(agent=agent, actor=agent.user)
    # then
    [(_, started), (_, ended)] = outbox()
    assert (started["change"], started["agent"]["pause"]) == (
        "pause_started",
        {"reason": "Lunch", "paid": True, "cause": "manual", "started_at": iso(pause.started_at)},
    )
    assert (ended["change"], ended["agent"]["pause"]) == ("pause_ended", None)


def test_a_missed_notification_reports_the_unpaid_pause_it_starts(outbox):
    # given: a notification past its deadline
    offer = OfferFactory(activity=waiting(), agent=OnlineAgentFactory())
    Offer.objects.filter(pk=offer.pk).update(
        created_at=timezone.now() - timedelta(minutes=2),
        deadline=timezone.now() - timedelta(minutes=1),
    )
    # when
    offer_expire(offer_id=offer.pk)
    # then
    [(_, data)] = outbox("agent.state_changed")
    assert data["change"] == "pause_started"
    assert (data["agent"]["pause"]["paid"], data["agent"]["pause"]["cause"]) == (
        False,
        "missed_offer",
    )


def test_logging_out_of_a_queue_is_reported_once_with_the_queues_after(outbox):
    # given: logged into two queues
    first = MembershipFactory()
    agent = first.agent
    second = MembershipFactory(agent=agent)
    # when
    for _ in range(2):
        queue_login(agent=agent, queue_id=first.queue_id, logged_in=False, actor=agent.user)
    # then
    [(_, data)] = outbox()
    assert (data["change"], data["queue_id"]) == ("queue_logout", first.queue_id)
    assert data["agent"]["queues"] == [
        {"id": first.queue_id, "logged_in": False},
        {"id": second.queue_id, "logged_in": True},
    ]


def test_joining_a_queue_reports_a_login_and_leaving_it_logged_in_a_logout(outbox):
    # given
    agent, queue = AgentFactory(), QueueFactory()
    # when
    membership = membership_add(agent=agent, queue=queue)
    membership_remove(membership_id=membership.pk)
    # then
    [(_, joined), (_, left)] = outbox()
    assert (joined["change"], joined["queue_id"], joined["agent"]["queues"]) == (
        "queue_login",
        queue.pk,
        [{"id": queue.pk, "logged_in": True}],
    )
    assert (left["change"], left["queue_id"], left["agent"]["queues"]) == (
        "queue_logout",
        queue.pk,
        [],
    )
