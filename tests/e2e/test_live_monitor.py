"""The supervisors' live monitor in a browser: an agent's every change shows within a second
without a reload, a new customer raises the waiting count and its clock runs; and a chat
watched silently shows the customer's messages as they come."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from contactcenter.models import Activity, Offer, Participant
from contactcenter.services.activities import activity_take
from contactcenter.services.availability import agent_set_online, pause_start
from contactcenter.services.offers import offer_accept
from contactcenter.services.routing import activity_route
from messaging.models import Message
from tests.e2e.workspace import customer_writes
from tests.factories import (
    PASSWORD,
    AgentFactory,
    ChannelAccountFactory,
    CustomerActivityFactory,
    MembershipFactory,
    PauseReasonFactory,
    QueueFactory,
    SupervisorFactory,
)
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
SECOND = 1000  # ms: how soon a change must show


def supervisor_on(browser: Browser, base_url: str, path: str, width=1280, height=720) -> Page:
    staff = SupervisorFactory()
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{base_url}/admin/login/?next={path}")
    page.get_by_label("Username").fill(staff.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#monitor-connection")).to_have_text("Live")
    return page


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_the_monitor_follows_an_agent_and_a_new_customer(
    worker, browser, screenshots, width, height
):
    # given: Rita, offline, in Sales; the monitor open
    queue = QueueFactory(name="Sales", wait_warning_seconds=1, wait_alert_seconds=600)
    account = ChannelAccountFactory(queue=queue)
    rita = AgentFactory(display_name="Rita Kovac")
    MembershipFactory(agent=rita, queue=queue)
    page = supervisor_on(browser, worker, "/supervision/monitor/", width, height)
    row = page.get_by_role("row", name="Agent Rita Kovac")
    expect(row).to_contain_text("Offline")
    # when she comes online, is rung, accepts, pauses: each shows within a second
    agent_set_online(agent_id=rita.pk, online=True)
    expect(row).to_contain_text("Ready", timeout=SECOND)
    waiting = CustomerActivityFactory(state="waiting", owner=None, queue=queue)
    activity_route(activity_id=waiting.pk)
    expect(row).to_contain_text("Ringing", timeout=SECOND)
    offer_accept(offer_id=Offer.objects.get(activity=waiting).pk, agent=rita)
    expect(row).to_contain_text("Busy", timeout=SECOND)
    expect(row).to_contain_text("1 of 3")
    pause_start(agent=rita, reason_id=PauseReasonFactory(name="Lunch").pk)
    expect(row).to_contain_text("Paused · Lunch", timeout=SECOND)
    # when a new customer writes with nobody free: Waiting 1, and the longest wait runs
    tile = page.get_by_role("article", name=f"Queue {queue}")
    customer_writes(account, "Hello, anybody there?")
    expect(tile.locator(".monitor__figure", has_text="Waiting").locator("b")).to_have_text("1")
    clock = tile.locator(".monitor__wait .monitor__clock")
    expect(clock).to_have_text(re.compile(r"^[1-9] s$"), timeout=5 * SECOND)
    expect(tile.locator(".monitor__wait")).to_have_class(re.compile("monitor__tile--amber"))
    page.screenshot(path=screenshots / f"monitor-{width}x{height}.png")
    # when the supervisor ends Rita's pause from the monitor: she is back at work
    row.get_by_role("button", name="End pause").click()
    expect(row).not_to_contain_text("Paused", timeout=SECOND)


def test_a_watched_chat_shows_the_customers_messages_and_tells_nobody(worker, browser):
    # given: Alice's chat with a customer, watched by a supervisor
    queue = QueueFactory(name="Sales")
    account = ChannelAccountFactory(queue=queue)
    alice = AgentFactory(display_name="Alice Novak")
    MembershipFactory(agent=alice, queue=queue)
    customer_writes(account, "First question")
    chat = wait_for(lambda: Activity.objects.filter(channel_account=account).first())
    activity_take(activity_id=chat.pk, agent=alice)
    page = supervisor_on(browser, worker, f"/supervision/activities/{chat.pk}/")
    lines = page.get_by_role("list", name=re.compile("Chat with"))
    expect(lines).to_contain_text("First question")
    # when the customer writes again
    customer_writes(account, "Second question")
    # then it shows without a reload; nobody was told, nobody joined
    expect(lines).to_contain_text("Second question", timeout=5 * SECOND)
    assert not Message.objects.filter(activity=chat, direction="out").exists()
    assert list(Participant.objects.filter(activity=chat).values_list("agent", flat=True)) == [
        alice.pk
    ]
