"""A Messenger customer reaches us by id only: the agent sees the name they typed on their
phone (the simulator's profile API tells it), not the 16-digit id."""

import pytest
from playwright.sync_api import expect

from tests.e2e.workspace import agent_browser, customer_writes, notification, tab
from tests.factories import AgentFactory, ChannelAccountFactory, MembershipFactory, QueueFactory

pytestmark = pytest.mark.django_db(transaction=True)

SLOW = 15_000  # ms: through the worker, the simulator's profile API and back
PSID = "6483920175562104"


def test_the_agent_sees_a_messenger_customers_name_not_their_id(worker, browser, screenshots):
    # given: Alice rung by a Messenger page's queue
    queue = QueueFactory(number=100, name="Sales", accept_timeout=60)
    account = ChannelAccountFactory(messenger=True, name="Shop page", queue=queue)
    MembershipFactory(agent=AgentFactory(user__username="alice"), queue=queue)
    alice = agent_browser(browser, worker, "alice")
    # when: a customer writes on Messenger, their name typed on their phone
    customer_writes(account, "Is it in stock?", customer_id=PSID, name="Jana Dvořák")
    # then: the notification names them
    card = notification(alice, "Jana Dvořák")
    expect(card).to_be_visible(timeout=SLOW)
    expect(card.locator(".notification__customer")).to_contain_text("Jana Dvořák")
    expect(card).not_to_contain_text(PSID)
    alice.screenshot(path=screenshots / "messenger-name.png")
    # and so does the Waiting list
    alice.get_by_role("button", name="Waiting activities", exact=True).click()
    expect(alice.locator("#waiting-list")).to_contain_text("Jana Dvořák")
    alice.keyboard.press("Escape")
    # when: she accepts, the tab and the chat's header name them too
    card.get_by_role("button", name="Accept").click()
    expect(tab(alice, "Jana Dvořák")).to_have_attribute("aria-current", "page")
    header = alice.locator(".screen:not([hidden]) .widget__customer")
    expect(header).to_have_text("Jana Dvořák")
