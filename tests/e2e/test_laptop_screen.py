"""#11 item 13: the activity screen on a laptop (1280x720). Every time reads in one format, the
agent's own; nothing below the chat hides its latest message; lower widgets scroll beside the
chat; a chat read from the CRM keeps the CRM's menu."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from contactcenter.models import QueueWidget
from tests.e2e.workspace import chat, sign_in, tab
from tests.factories import (
    ContactFactory,
    CustomerActivityFactory,
    InboundMessageFactory,
    OnlineAgentFactory,
    QueueFactory,
    StatusFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Chromium's de-DE format of Intl's day, short month, year, hour and minute: "3. März 2026, 15:05".
GERMAN_DATE_TIME = re.compile(r"^\d{1,2}\. \w+\.? \d{4}, \d{2}:\d{2}$")


@pytest.fixture
def jana():
    """Alice's open chat with Jana, thirty messages long, in a queue with a status to close
    with and the contact, account, ticket and a page's widgets beside the chat; an earlier
    chat of Jana's, three days ago, closed."""
    queue = QueueFactory(number=100, name="Sales")
    queue.statuses.add(StatusFactory(name="Resolved"))
    for position, kind in enumerate(["contact", "account", "ticket"]):
        QueueWidget.objects.create(queue=queue, kind=kind, position=position)
    QueueWidget.objects.create(queue=queue, kind="iframe", position=3, url="http://127.0.0.1:9/")
    alice = OnlineAgentFactory(user__username="alice", display_name="Alice Novak", queue=queue)
    contact = ContactFactory(first_name="Jana", last_name="Dvořák")
    activity = CustomerActivityFactory(
        owner=alice, queue=queue, contact=contact, identity__display_name="Jana Dvořák",
        identity__last_inbound_at=timezone.now(), identity__channel_account__queue=queue,
        identity__contact=contact,
    )  # fmt: skip
    for n in range(30):
        InboundMessageFactory(activity=activity, text=f"Message {n + 1}")
    CustomerActivityFactory(
        state="closed", owner=None, queue=queue, contact=contact, identity=activity.identity,
        queued_at=timezone.now() - timedelta(days=3), closed_at=timezone.now() - timedelta(days=3),
    )  # fmt: skip
    return activity


def laptop(browser: Browser, base_url: str) -> Page:
    """Alice's workspace at 1280x720, in German, with Jana's chat on screen."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 720}, locale="de-DE", timezone_id="Europe/Prague"
    )
    page = context.new_page()
    sign_in(page, base_url, "alice")
    tab(page, "Jana Dvořák").click()
    expect(chat(page).get_by_text("Message 30", exact=True)).to_be_visible()
    return page


def latest(page: Page):
    """The latest message, with its time."""
    return chat(page).locator(".msg").last


def test_a_refusal_to_close_leaves_the_latest_message_in_view(
    asgi_server, browser, jana, screenshots
):
    # given: the chat on screen, scrolled to its latest message
    page = laptop(browser, asgi_server)
    # when: Alice closes it without a status
    page.get_by_role("button", name="Close", exact=True).click()
    # then: she is told why, and the latest message is still in view
    expect(page.get_by_text("Choose a status before closing.")).to_be_visible()
    expect(latest(page)).to_be_in_viewport(ratio=1)
    page.screenshot(path=screenshots / "close-refused-1280x720.png")


def test_the_lower_widgets_scroll_beside_the_chat(asgi_server, browser, jana, screenshots):
    # given: the chat on screen
    page = laptop(browser, asgi_server)
    # when: Alice scrolls down to the last widget
    page.locator(".widget--iframe").scroll_into_view_if_needed()
    expect(page.locator(".widget--iframe")).to_be_in_viewport()
    # then: the chat, from its header to its latest message and controls, is still in view
    expect(
        page.locator(".screen:not([hidden]) .widget--message .widget__header")
    ).to_be_in_viewport(ratio=1)
    expect(latest(page)).to_be_in_viewport(ratio=1)
    expect(page.locator(".screen:not([hidden]) .controls__close")).to_be_in_viewport(ratio=1)
    page.screenshot(path=screenshots / "lower-widgets-1280x720.png")


def test_times_read_in_the_agents_format_and_a_transcript_keeps_the_crm_menu(
    asgi_server, browser, jana, screenshots
):
    # given: the chat on screen, for an agent whose browser speaks German
    page = laptop(browser, asgi_server)
    # when: she opens Jana's earlier chat from the contact's activities
    page.get_by_role("link", name="CRM").click()
    page.get_by_role("searchbox", name="Search contacts").fill("Dvořák")
    page.get_by_role("link", name="Jana Dvořák").click()
    rows = page.locator('[data-screen="crm"] .activity-history a')
    expect(rows.last.locator("time")).to_have_text(GERMAN_DATE_TIME)
    rows.last.click()
    # then: the transcript's time reads like the rest, and the CRM's menu stays
    transcript = page.get_by_role("article", name=re.compile("^Activity"))
    expect(transcript.locator("h2 time")).to_have_text(GERMAN_DATE_TIME)
    expect(
        page.get_by_role("navigation", name="CRM").get_by_role("link", name="Contacts")
    ).to_be_visible()
    page.screenshot(path=screenshots / "transcript-crm-menu-1280x720.png")
