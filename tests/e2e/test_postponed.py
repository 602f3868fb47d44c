"""A customer writing in a postponed chat is shown to its agent without bringing the chat
back, in real browsers against daphne, a real worker and the simulator's WhatsApp."""

import pytest
from playwright.sync_api import expect

from contactcenter.models import Activity, ActivityState
from tests.e2e.workspace import agent_browser, customer_writes, notification, tab
from tests.factories import AgentFactory, ChannelAccountFactory, MembershipFactory, QueueFactory

pytestmark = pytest.mark.django_db(transaction=True)

SLOW = 15_000


def test_a_customer_writing_in_a_postponed_chat_is_shown_without_resuming_it(
    worker, browser, screenshots
):
    # given: Alice has postponed her chat with Jana
    queue = QueueFactory(number=100, name="Sales", accept_timeout=60)
    account = ChannelAccountFactory(name="Shop", queue=queue)
    MembershipFactory(agent=AgentFactory(user__username="alice", display_name="Alice"), queue=queue)
    alice = agent_browser(browser, worker, "alice")
    customer_writes(account, "Call me later", name="Jana Dvořák")
    notification(alice, "Jana Dvořák").get_by_role("button", name="Accept").click(timeout=SLOW)
    alice.get_by_role("button", name="Postpone", exact=True).click()
    alice.get_by_role("dialog", name="Postpone activity").get_by_role(
        "button", name="Postpone", exact=True
    ).click()
    expect(tab(alice, "Jana Dvořák")).to_have_count(0)
    postponed = alice.get_by_role("button", name="Postponed activities")
    expect(postponed).not_to_have_accessible_name("Postponed activities, new message")
    # when: Jana writes again
    customer_writes(account, "I am free now", name="Jana Dvořák")
    # then: a toast says so, the Postponed button is marked, and so is her row; no tab opens
    expect(alice.get_by_role("status").filter(has_text="Jana Dvořák wrote in a postponed chat")
           ).to_be_visible(timeout=SLOW)  # fmt: skip
    expect(postponed).to_have_accessible_name("Postponed activities, new message")
    postponed.click()
    row = alice.locator("#postponed-list li").filter(has_text="Jana Dvořák")
    expect(row).to_contain_text("New message")
    expect(tab(alice, "Jana Dvořák")).to_have_count(0)
    assert Activity.objects.get().state == ActivityState.POSTPONED
    alice.set_viewport_size({"width": 1280, "height": 720})
    alice.screenshot(path=screenshots / "postponed-new-message.png")
    # when: she resumes it
    row.get_by_role("button", name="Resume").click()
    # then: the chat shows the message, and the mark is gone
    expect(tab(alice, "Jana Dvořák")).to_have_attribute("aria-current", "page")
    expect(postponed).to_have_accessible_name("Postponed activities")
