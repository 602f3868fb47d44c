"""The database itself refuses rows that break the domain's invariants."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from contactcenter.models import (
    ActivityState,
    OfferOutcome,
    Participant,
    ParticipantRole,
    PauseCause,
    PauseReason,
    QueueWidget,
    ReminderMode,
)
from schedule.models import CalendarEvent
from tests.factories import (
    ActivityFactory,
    AgentFactory,
    OfferFactory,
    PauseFactory,
    PauseReasonFactory,
    QueueFactory,
)

pytestmark = pytest.mark.django_db


def test_a_second_pending_offer_for_one_activity_is_refused():
    # given
    offer = OfferFactory()
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        OfferFactory(activity=offer.activity)


def test_a_new_offer_is_allowed_once_the_previous_one_is_decided():
    # given
    offer = OfferFactory()
    offer.outcome = OfferOutcome.REJECTED
    offer.decided_at = timezone.now()
    offer.save()
    # when
    second = OfferFactory(activity=offer.activity)
    # then
    assert list(offer.activity.offers.filter(outcome=OfferOutcome.PENDING)) == [second]


def test_two_pending_offers_of_different_activities_may_ring_one_agent_in_turn():
    agent = AgentFactory()
    OfferFactory(agent=agent)
    OfferFactory(agent=agent)
    assert agent.offers.count() == 2


def _decided_offer_without_time():
    OfferFactory(outcome=OfferOutcome.ACCEPTED)


def _pending_offer_with_decision_time():
    OfferFactory(decided_at=timezone.now())


def _offer_with_deadline_in_the_past():
    OfferFactory(deadline=timezone.now() - timedelta(seconds=1))


def _open_activity_without_owner():
    ActivityFactory(state=ActivityState.OPEN)


def _postponed_activity_without_owner():
    ActivityFactory(state=ActivityState.POSTPONED)


def _waiting_activity_with_owner():
    ActivityFactory(state=ActivityState.WAITING, owner=AgentFactory())


def _closed_activity_without_close_time():
    ActivityFactory(state=ActivityState.CLOSED)


def _open_activity_with_close_time():
    ActivityFactory(state=ActivityState.OPEN, owner=AgentFactory(), closed_at=timezone.now())


def _postpone_time_on_open_activity():
    ActivityFactory(state=ActivityState.OPEN, owner=AgentFactory(), postponed_until=timezone.now())


def _unknown_activity_state():
    ActivityFactory(state="lost")


def _second_open_pause():
    pause = PauseFactory()
    PauseFactory(agent=pause.agent)


def _pause_ending_before_it_starts():
    PauseFactory(ended_at=timezone.now() - timedelta(hours=1))


def _missed_offer_pause_without_offer():
    PauseFactory(cause=PauseCause.MISSED_OFFER)


def _manual_pause_naming_an_offer():
    PauseFactory(offer=OfferFactory())


def _second_missed_offer_reason():
    PauseReasonFactory(paid=False, is_missed_offer=True)
    PauseReasonFactory(paid=False, is_missed_offer=True)


def _paid_missed_offer_reason():
    PauseReason.objects.create(name="Missed", paid=True, is_missed_offer=True)


def _delayed_reminder_without_delay():
    QueueFactory(reminder_mode=ReminderMode.AFTER_FIRST_MESSAGE, reminder_delay=None)


def _zero_accept_timeout():
    QueueFactory(accept_timeout=0)


def _iframe_widget_without_url():
    QueueWidget.objects.create(queue=QueueFactory(), kind="iframe")


def _message_widget_with_url():
    QueueWidget.objects.create(queue=QueueFactory(), kind="message", url="https://example.com/")


def _the_same_widget_twice():
    queue = QueueFactory()
    QueueWidget.objects.create(queue=queue, kind="contact")
    QueueWidget.objects.create(queue=queue, kind="contact", position=1)


def _agent_in_an_activity_twice_at_once():
    activity = ActivityFactory()
    agent = AgentFactory()
    Participant.objects.create(activity=activity, agent=agent, role=ParticipantRole.OWNER)
    Participant.objects.create(activity=activity, agent=agent, role=ParticipantRole.INVITED)


def _agent_with_no_capacity():
    AgentFactory(max_open_chats=0)


def _calendar_event_ending_before_it_starts():
    now = timezone.now()
    CalendarEvent.objects.create(
        agent=AgentFactory(), title="Training", starts_at=now, ends_at=now - timedelta(hours=1)
    )


@pytest.mark.parametrize(
    "make_invalid_row",
    [
        _decided_offer_without_time,
        _pending_offer_with_decision_time,
        _offer_with_deadline_in_the_past,
        _open_activity_without_owner,
        _postponed_activity_without_owner,
        _waiting_activity_with_owner,
        _closed_activity_without_close_time,
        _open_activity_with_close_time,
        _postpone_time_on_open_activity,
        _unknown_activity_state,
        _second_open_pause,
        _pause_ending_before_it_starts,
        _missed_offer_pause_without_offer,
        _manual_pause_naming_an_offer,
        _second_missed_offer_reason,
        _paid_missed_offer_reason,
        _delayed_reminder_without_delay,
        _zero_accept_timeout,
        _iframe_widget_without_url,
        _message_widget_with_url,
        _the_same_widget_twice,
        _agent_in_an_activity_twice_at_once,
        _agent_with_no_capacity,
        _calendar_event_ending_before_it_starts,
    ],
    ids=lambda make: make.__name__.strip("_").replace("_", " "),
)
def test_the_database_refuses(make_invalid_row):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_invalid_row()


def test_an_agent_may_rejoin_an_activity_after_leaving():
    # given
    activity = ActivityFactory()
    agent = AgentFactory()
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Participant.objects.create(
        activity=activity,
        agent=agent,
        role=ParticipantRole.INVITED,
        joined_at=an_hour_ago,
        left_at=an_hour_ago + timedelta(minutes=5),
    )
    # when
    Participant.objects.create(activity=activity, agent=agent, role=ParticipantRole.INVITED)
    # then
    assert activity.participants.count() == 2


def test_several_iframe_widgets_may_share_a_layout():
    queue = QueueFactory()
    QueueWidget.objects.create(queue=queue, kind="iframe", url="https://a.example.com/")
    QueueWidget.objects.create(queue=queue, kind="iframe", url="https://b.example.com/", position=1)
    assert queue.widgets.count() == 2
