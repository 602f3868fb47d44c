"""The Calendar widget, module and dashboard card as the workspace loads them: the month with
days with events in blue and the selected day in bold, the day's events in the agent's time
zone, the forms; and what they cost in queries, for 1 event or 200."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from contactcenter.models import QueueWidget, WidgetKind
from schedule.models import CalendarEvent
from schedule.services import calendar_settings_update
from tests.factories import QueueFactory
from tests.messaging.helpers import customer
from tests.schedule.helpers import agent_in, event_of

pytestmark = pytest.mark.django_db

PRAGUE = ZoneInfo("Europe/Prague")


@pytest.fixture
def screen():
    """An open chat whose queue's layout has the Calendar widget, its agent in Prague."""
    activity = customer()
    QueueWidget.objects.create(queue=activity.queue, kind=WidgetKind.CALENDAR, position=0)
    calendar_settings_update(agent=activity.owner, time_zone="Europe/Prague")
    return activity


def widget(client, activity, **params) -> str:
    url = reverse("activity-widget", args=[activity.pk, "calendar"])
    return client.get(url, params).content.decode()


def test_the_widget_marks_days_with_events_and_the_selected_day_and_lists_its_events(
    client, screen
):
    # given: an event at 23:30 UTC on 9 March, which is 00:30 on the 10th in Prague
    agent = screen.owner
    event_of(agent, "Call the courier", at=datetime(2026, 3, 9, 23, 30, tzinfo=ZoneInfo("UTC")))
    client.force_login(agent.user)
    # when
    page = widget(client, screen, month="2026-03", day="2026-03-10")
    # then: the 10th is blue and selected (bold), the 9th is not blue; the event at 00:30
    assert 'calendar__day calendar__day--events calendar__day--selected"' in page
    assert 'aria-label="Tuesday 10 March 2026, has events"' in page
    assert 'aria-label="Monday 9 March 2026"' in page
    assert "00:30\u201301:00" in page and "Call the courier" in page
    assert "March 2026" in page


def test_the_month_arrows_lead_to_the_next_and_previous_months(client, screen):
    client.force_login(screen.owner.user)
    page = widget(client, screen, month="2026-12", day="2026-12-31")
    assert "month=2027-01" in page and "month=2026-11" in page
    assert "December 2026" in page


def test_the_follow_up_form_creates_the_event_in_the_agents_time_zone(client, screen):
    # given
    client.force_login(screen.owner.user)
    tomorrow = timezone.now().astimezone(PRAGUE).date() + timedelta(days=1)
    # when: "tomorrow 10:00" in Prague
    url = reverse("schedule:follow-up", args=[screen.pk])
    page = client.post(url, {"starts_at": f"{tomorrow}T10:00", "note": "Refund?"}).content.decode()
    # then
    event = CalendarEvent.objects.get()
    assert event.starts_at == datetime.combine(tomorrow, datetime.min.time(), PRAGUE).replace(
        hour=10
    )
    assert (event.activity, event.remind, event.description) == (screen, True, "Refund?")
    assert "Follow-up set for" in page and "10:00\u201310:15" in page


def test_a_follow_up_in_the_past_is_refused_in_the_widget(client, screen):
    client.force_login(screen.owner.user)
    url = reverse("schedule:follow-up", args=[screen.pk])
    page = client.post(url, {"starts_at": "2020-01-01T10:00"}).content.decode()
    assert "A reminder needs a time to come." in page
    assert not CalendarEvent.objects.exists()


def test_the_module_lists_the_day_with_edit_and_delete_and_the_settings(client):
    alice = agent_in()
    event = event_of(alice, "Quarterly planning", at=timezone.now().replace(hour=9, minute=0))
    client.force_login(alice.user)
    page = client.get(reverse("schedule:calendar")).content.decode()
    assert "Quarterly planning" in page
    assert reverse("schedule:event-edit", args=[event.pk]) in page
    assert reverse("schedule:event-delete", args=[event.pk]) in page
    assert "Times in UTC." in page and "Create the feed's address" in page


def test_the_module_creates_edits_and_deletes_an_event_shared_with_a_queue(client):
    # given
    sales = QueueFactory(name="Sales")
    alice = agent_in(sales)
    client.force_login(alice.user)
    form = {"title": "Sales review", "starts_at": "2026-05-04T14:00", "ends_at": "2026-05-04T15:00",
            "queue": sales.pk, "description": ""}  # fmt: skip
    # when: created, then renamed
    page = client.post(reverse("schedule:event-new"), form).content.decode()
    event = CalendarEvent.objects.get()
    assert "Sales review" in page and "Monday 4 May" in page
    client.post(reverse("schedule:event-edit", args=[event.pk]), {**form, "title": "Review"})
    # then
    event.refresh_from_db()
    assert (event.title, event.queue, event.agent) == ("Review", sales, alice)
    # when: deleted
    page = client.post(reverse("schedule:event-delete", args=[event.pk])).content.decode()
    assert "Deleted Review." in page
    assert not CalendarEvent.objects.exists()


def test_the_module_refuses_an_event_ending_before_it_starts(client):
    alice = agent_in()
    client.force_login(alice.user)
    form = {"title": "X", "starts_at": "2026-05-04T14:00", "ends_at": "2026-05-04T13:00"}
    page = client.post(reverse("schedule:event-new"), form).content.decode()
    assert "An event cannot end before it starts." in page


def test_the_agent_sets_their_time_zone_and_resets_the_feeds_address(client):
    alice = agent_in()
    client.force_login(alice.user)
    page = client.post(reverse("schedule:settings"), {"time_zone": "Asia/Tokyo"}).content.decode()
    assert "Time zone saved." in page and "Times in Asia/Tokyo." in page
    page = client.post(reverse("schedule:feed-reset")).content.decode()
    assert "/calendar/feed/" in page and "Reset the feed's address" in page


def test_the_dashboard_card_lists_todays_events(client):
    alice = agent_in()
    now = timezone.now()
    event_of(alice, "Stand-up", at=now.replace(hour=0, minute=5))
    event_of(alice, "Tomorrow's", at=now.replace(hour=0, minute=5) + timedelta(days=1))
    client.force_login(alice.user)
    page = client.get(reverse("schedule:today")).content.decode()
    assert "Stand-up" in page and "Tomorrow&#x27;s" not in page


def _month_of_events(agent, count: int) -> None:
    """`count` events spread over this month, all on today among them."""
    now = timezone.now()
    for n in range(count):
        event_of(agent, f"Event {n}", at=now.replace(day=1 + n % 28, hour=n % 23))
    event_of(agent, "Today's", at=now.replace(hour=0, minute=1))


@pytest.mark.parametrize("count", [1, 200])
def test_the_widget_costs_the_same_queries_for_1_or_200_events(
    client, screen, django_assert_num_queries, count
):
    _month_of_events(screen.owner, count)
    client.force_login(screen.owner.user)
    # then: session, user, agent, memberships, the activity, who takes part; the settings,
    # the month's events, the day's events
    with django_assert_num_queries(9):
        widget(client, screen)


@pytest.mark.parametrize("count", [1, 200])
def test_the_module_costs_the_same_queries_for_1_or_200_events(
    client, django_assert_num_queries, count
):
    alice = agent_in(QueueFactory())
    _month_of_events(alice, count)
    client.force_login(alice.user)
    # then: session, user, agent, memberships, the settings row, the time zone, the month's
    # events, the day's events
    with django_assert_num_queries(8):
        client.get(reverse("schedule:calendar"))


@pytest.mark.parametrize("count", [1, 200])
def test_the_dashboard_card_costs_the_same_queries_for_1_or_200_events(
    client, django_assert_num_queries, count
):
    alice = agent_in()
    _month_of_events(alice, count)
    client.force_login(alice.user)
    with django_assert_num_queries(7):
        client.get(reverse("schedule:today"))


def test_the_activity_screen_with_the_calendar_widget_costs_a_fixed_number_of_queries(
    client, screen, django_assert_num_queries
):
    _month_of_events(screen.owner, 50)
    client.force_login(screen.owner.user)
    # then: session, user, agent, memberships, the activity, who takes part, the layout; the
    # calendar's settings, month and day; the message widget's templates, activity, messages,
    # events and statuses
    with django_assert_num_queries(15):
        client.get(reverse("activity-screen", args=[screen.pk]))
