"""Every event type has a definition, and the check holds an event to it (the suite applies the
check to every event a test publishes: tests/conftest.py)."""

from contactcenter import events
from contactcenter.events.schema import DEFINITIONS, event_problems
from contactcenter.snapshot import agent_snapshot
from messaging.events import MESSAGE_NEW, MESSAGE_UPDATED
from schedule.events import CALENDAR_CHANGED, CALENDAR_REMINDER
from tests.factories import AgentFactory, MembershipFactory


def test_every_event_type_the_pages_handle_has_a_definition():
    handled = {
        events.SNAPSHOT, events.OFFER_NEW, events.OFFER_ACCEPTED, events.OFFER_REJECTED,
        events.OFFER_EXPIRED, events.OFFER_REVOKED, events.ACTIVITY_OPENED,
        events.ACTIVITY_UPDATED, events.ACTIVITY_CLOSED, events.WAITING_CHANGED,
        events.WAITING_REMOVED, events.PAUSE_CHANGED, events.QUEUES_CHANGED, events.REMINDER,
        MESSAGE_NEW, MESSAGE_UPDATED, CALENDAR_CHANGED, CALENDAR_REMINDER,
    }  # fmt: skip
    assert set(DEFINITIONS) == handled


def test_an_event_matching_its_definition_has_no_problems():
    event = {"type": "offer.expired", "offer_id": 3, "activity_id": 7}
    assert event_problems({**event, "stream": "agent.4", "event_id": 12}) == []


def test_missing_extra_and_mistyped_keys_are_each_named():
    event = {"type": "activity.closed", "activity_id": "7", "reason": "vanished", "extra": 1}
    assert event_problems({**event, "stream": "agent.4", "event_id": 1}) == [
        "'extra' is not in the definition",
        "'activity_id' is '7', not <class 'int'>",
        "'reason' is 'vanished', not typing.Literal['closed', 'transferred', 'left']",
    ]
    assert event_problems({"type": "pause.changed", "event_id": 0}) == [
        "stream None is not a stream's name",
        "event_id 0 is not a positive whole number",
        "'pause' is missing",
    ]


def test_an_event_of_no_known_type_is_refused():
    assert event_problems({"type": "offer.lost", "event_id": 1}) == [
        "no definition for the event type 'offer.lost'"
    ]


def test_a_true_is_not_a_number():
    event = {"type": "waiting.removed", "activity_id": True, "queue_id": 1}
    event |= {"stream": "queue.1", "event_id": 1}
    assert event_problems(event) == ["'activity_id' is True, not <class 'int'>"]


def test_the_snapshot_matches_its_definition(db):
    agent = AgentFactory()
    MembershipFactory(agent=agent)
    assert event_problems(agent_snapshot(agent.pk), published=False) == []
