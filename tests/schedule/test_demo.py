"""The demo's calendars: every demo agent has events, two are shared with a queue, Carol has a
follow-up of Sheena Nelson's chat; loading the demo again adds none."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from contactcenter.models import Agent
from schedule.models import CalendarEvent, CalendarSettings

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_every_demo_agent_has_events_and_carol_a_follow_up(capsys):
    # when: loaded twice
    call_command("demo")
    first = set(CalendarEvent.objects.values_list("pk", flat=True))
    call_command("demo")
    # then
    assert set(CalendarEvent.objects.values_list("pk", flat=True)) == first
    for agent in Agent.objects.all():
        assert agent.calendar_events.exists(), agent
    shared = CalendarEvent.objects.exclude(queue=None)
    assert sorted((e.queue.name, e.agent is None) for e in shared) == [
        ("Sales", False), ("Support", True)]  # fmt: skip
    follow_up = CalendarEvent.objects.get(remind=True)
    assert follow_up.agent.user.username == "carol"
    assert follow_up.contact.name == "Sheena Nelson"
    assert follow_up.activity is not None
    zones = dict(CalendarSettings.objects.values_list("agent__user__username", "time_zone"))
    assert zones == {"alice": "Europe/Prague", "bob": "Europe/London"}
