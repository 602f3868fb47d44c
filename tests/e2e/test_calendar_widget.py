"""The Calendar widget beside a chat, the Calendar module and a follow-up's reminder, in real
browsers against daphne (and a real worker for the reminder's timer)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contactcenter.models import QueueWidget, WidgetKind
from schedule.models import CalendarEvent
from schedule.services import calendar_settings_update, event_update
from tests.e2e.workspace import agent_browser, composer, tab
from tests.factories import (
    AgentFactory,
    ChannelAccountFactory,
    ContactFactory,
    CustomerActivityFactory,
    IdentityFactory,
    MembershipFactory,
    QueueFactory,
)
from tests.schedule.helpers import event_of

pytestmark = pytest.mark.django_db(transaction=True)

PRAGUE = ZoneInfo("Europe/Prague")
BLUE = "rgb(29, 95, 214)"
SLOW = 15_000
SIZES = [(1280, 720), (1920, 1080)]


@pytest.fixture
def vip():
    """Queue 300 VIP, its screen with the Calendar widget; Alice (in Prague) in it, in a chat
    with Jana Dvořák, a CRM contact."""
    queue = QueueFactory(number=300, name="VIP", accept_timeout=60)
    QueueWidget.objects.create(queue=queue, kind=WidgetKind.CALENDAR, position=0)
    account = ChannelAccountFactory(name="Shop", queue=queue)
    alice = AgentFactory(user__username="alice", display_name="Alice Novak")
    MembershipFactory(agent=alice, queue=queue)
    calendar_settings_update(agent=alice, time_zone="Europe/Prague")
    contact = ContactFactory(first_name="Jana", last_name="Dvořák")
    identity = IdentityFactory(channel_account=account, display_name="Jana Dvořák",
                               contact=contact, last_inbound_at=timezone.now())  # fmt: skip
    return CustomerActivityFactory(identity=identity, owner=alice, title="Jana Dvořák",
                                   contact=contact, accepted_at=timezone.now())  # fmt: skip


def local(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PRAGUE)


def calendar_widget(page):
    """The Calendar widget of the chat with Jana."""
    screen = page.get_by_role("region", name="Activity: Jana Dvořák")
    return screen.get_by_role("region", name="Calendar", exact=True)


def day_button(widget, day):
    return widget.get_by_role("button", name=day.strftime(f"%A {day.day} %B %Y"), exact=False)


def test_the_widget_shows_blue_days_a_bold_selected_day_and_its_events(
    asgi_server, browser, vip, screenshots
):
    # given: Alice's events on the 10th and 20th of this month (Prague), a colleague's
    # private one on the 15th
    today = timezone.now().astimezone(PRAGUE).date()
    tenth, fifteenth, twentieth = (today.replace(day=n) for n in (10, 15, 20))
    event_of(vip.owner, "Quarterly planning", at=local(tenth, 9, 30), minutes=60)
    event_of(vip.owner, "Call the courier", at=local(tenth, 14), minutes=15)
    event_of(vip.owner, "Dentist", at=local(twentieth, 8))
    event_of(AgentFactory(), "Bob's interview", at=local(fifteenth, 11))
    # when: Alice opens her chat
    alice = agent_browser(browser, asgi_server, "alice")
    tab(alice, "Jana Dvořák").click()
    widget = calendar_widget(alice)
    # then: this month, the days with events blue, the others not; today bold
    expect(widget).to_contain_text(today.strftime("%B %Y"))
    expect(day_button(widget, tenth)).to_have_css("color", BLUE)
    expect(day_button(widget, twentieth)).to_have_css("color", BLUE)
    expect(day_button(widget, fifteenth)).not_to_have_css("color", BLUE)
    expect(day_button(widget, today)).to_have_css("font-weight", "700")
    # when: she picks the 10th
    day_button(widget, tenth).click()
    # then: it is bold (and today no longer, unless it is the 10th), and its events listed
    expect(day_button(widget, tenth)).to_have_css("font-weight", "700")
    expect(day_button(widget, tenth)).to_have_attribute("aria-pressed", "true")
    events = widget.get_by_role("list", name=tenth.strftime(f"%A {tenth.day} %B"))
    expect(events.get_by_role("listitem")).to_have_count(2)
    expect(events).to_contain_text("09:30\u201310:30 Quarterly planning")
    expect(events).to_contain_text("14:00\u201314:15 Call the courier")
    for width, height in SIZES:
        alice.set_viewport_size({"width": width, "height": height})
        alice.screenshot(path=screenshots / f"calendar-widget-{width}x{height}.png")
    # when: the 15th, then the next month
    day_button(widget, fifteenth).click()
    expect(widget.get_by_role("list", name=fifteenth.strftime(f"%A {fifteenth.day} %B"))
           ).to_contain_text("No events.")  # fmt: skip
    widget.get_by_role("button", name="Next month").click()
    following = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    expect(widget).to_contain_text(following.strftime("%B %Y"))
    # and: the dashboard shows today's events (none of today here but a new one, live)
    event_of(vip.owner, "Stand-up", at=timezone.now() + timedelta(minutes=1))
    alice.get_by_role("link", name="Dashboard").click()
    expect(alice.get_by_role("list", name="Today's events")).to_contain_text("Stand-up")


def test_the_module_creates_an_event_that_the_widget_then_shows(
    asgi_server, browser, vip, screenshots
):
    # given
    alice = agent_browser(browser, asgi_server, "alice")
    today = timezone.now().astimezone(PRAGUE).date()
    # when: she adds an event for today in the Calendar module
    alice.get_by_role("link", name="Calendar", exact=True).click()
    alice.get_by_role("button", name="New event").click()
    form = alice.get_by_role("form", name="New event")
    form.get_by_label("Title").fill("Team lunch")
    form.get_by_label("Starts", exact=True).fill(f"{today.isoformat()}T12:00")
    form.get_by_label("Ends", exact=True).fill(f"{today.isoformat()}T13:00")
    form.get_by_label("Shared with").select_option(label="300 VIP")
    alice.screenshot(path=screenshots / "calendar-event-form.png")
    form.get_by_role("button", name="Save").click()
    # then: the module lists it on today, blue; and the chat's widget shows it too
    module = alice.locator('[data-screen="calendar"]')
    expect(module.get_by_role("list", name=today.strftime(f"%A {today.day} %B"))
           ).to_contain_text("12:00\u201313:00 Team lunch VIP")  # fmt: skip
    expect(day_button(module, today)).to_have_css("color", BLUE)
    event = CalendarEvent.objects.get()
    assert (event.queue, event.starts_at) == (vip.queue, local(today, 12))
    for width, height in SIZES:
        alice.set_viewport_size({"width": width, "height": height})
        alice.screenshot(path=screenshots / f"calendar-module-{width}x{height}.png")
    tab(alice, "Jana Dvořák").click()
    expect(calendar_widget(alice)).to_contain_text("Team lunch")


def test_a_follow_up_reminds_on_time_and_the_toast_opens_the_chat(
    worker, browser, vip, screenshots
):
    # given: Alice in her chat with Jana
    alice = agent_browser(browser, worker, "alice")
    tab(alice, "Jana Dvořák").click()
    widget = calendar_widget(alice)
    # when: she sets a follow-up for tomorrow 10:00 (Prague)
    tomorrow = timezone.now().astimezone(PRAGUE).date() + timedelta(days=1)
    widget.get_by_text("Follow up", exact=True).click()
    form = widget.get_by_role("form", name="Follow up")
    form.get_by_label("When").fill(f"{tomorrow.isoformat()}T10:00")
    form.get_by_label("Note").fill("Did the parcel arrive?")
    alice.screenshot(path=screenshots / "calendar-follow-up-form.png")
    form.get_by_role("button", name="Save follow-up").click()
    # then: the widget shows tomorrow with it
    expect(widget).to_contain_text("Follow-up set for")
    expect(widget).to_contain_text("10:00\u201310:15 Follow up: Jana Dvořák")
    expect(day_button(widget, tomorrow)).to_have_css("font-weight", "700")
    event = CalendarEvent.objects.get()
    assert (event.starts_at, event.activity, event.contact) == (
        local(tomorrow, 10), vip, vip.contact)  # fmt: skip
    # when: she moves it to a few seconds from now (the form takes whole minutes), and looks
    # at the dashboard
    due = timezone.now() + timedelta(seconds=5)
    event_update(event_id=event.pk, by=vip.owner, starts_at=due, ends_at=due)
    alice.get_by_role("link", name="Dashboard").click()
    # then: not before its time; at its time, the reminder
    toast = alice.locator("#toasts").get_by_role(
        "button", name="Follow up: Jana Dvořák \u2014 Did the parcel arrive?"
    )
    expect(toast).to_have_count(0)
    expect(toast).to_be_visible(timeout=SLOW)
    assert timezone.now() >= due
    assert CalendarEvent.objects.get().reminded_at is not None
    for width, height in SIZES:
        alice.set_viewport_size({"width": width, "height": height})
        alice.screenshot(path=screenshots / f"calendar-toast-{width}x{height}.png")
    # when: she clicks it
    toast.click()
    # then: the chat is on screen
    expect(tab(alice, "Jana Dvořák")).to_have_attribute("aria-current", "page")
    expect(composer(alice)).to_be_visible()


def test_the_reminder_of_a_closed_chat_starts_a_new_message_to_its_customer(worker, browser, vip):
    # given: Alice's chat with Jana is closed; its follow-up is due in a few seconds
    vip.state = "closed"
    vip.closed_at = timezone.now()
    vip.save()
    alice = agent_browser(browser, worker, "alice")
    due = timezone.now() + timedelta(seconds=4)
    event_of(vip.owner, "Follow up: Jana Dvořák", at=due, activity=vip, contact=vip.contact,
             remind=True)  # fmt: skip
    # when: the reminder comes, on time, and she clicks it
    toast = alice.locator("#toasts").get_by_role("button", name="Follow up: Jana Dvořák")
    expect(toast).to_be_visible(timeout=SLOW)
    assert timezone.now() >= due
    toast.click()
    # then: the Send new message window, to Jana on her WhatsApp
    dialog = alice.get_by_role("dialog")
    expect(dialog).to_contain_text("To Jana Dvořák")
