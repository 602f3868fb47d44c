"""The Waiting activities list follows what rings: it stops naming a colleague once their
notification is gone, in real browsers against daphne, a real worker and the simulator."""

import pytest
from playwright.sync_api import expect

from tests.e2e.workspace import agent_browser, customer_writes, notification
from tests.factories import AgentFactory, ChannelAccountFactory, MembershipFactory, QueueFactory

pytestmark = pytest.mark.django_db(transaction=True)

SLOW = 15_000
JANA = "420777123456"


@pytest.fixture
def sales():
    """Queue 100 Sales on a WhatsApp number, and Alice in it."""
    queue = QueueFactory(number=100, name="Sales", accept_timeout=60)
    ChannelAccountFactory(name="Shop", queue=queue)
    MembershipFactory(agent=AgentFactory(user__username="alice", display_name="Alice"), queue=queue)
    return queue


def test_the_waiting_list_stops_naming_a_colleague_who_rejected(
    worker, browser, sales, screenshots
):
    # given: Bob, logged out of Sales, watches its waiting list while Jana's chat rings Alice
    bob = AgentFactory(user__username="bob", display_name="Bob")
    MembershipFactory(agent=bob, queue=sales, logged_in=False)
    alice = agent_browser(browser, worker, "alice")
    bob_page = agent_browser(browser, worker, "bob")
    customer_writes(sales.channel_accounts.get(), "Hello", customer_id=JANA, name="Jana D.")
    bob_page.get_by_role("button", name="Waiting activities").click()
    waiting = bob_page.locator("#waiting-list")
    expect(waiting).to_contain_text("ringing Alice", timeout=SLOW)
    # when: Alice rejects, and nobody else can be rung
    notification(alice, "Jana D.").get_by_role("button", name="Reject").click()
    # then: Bob sees Jana waiting, ringing nobody
    expect(waiting).to_contain_text("Jana D.")
    expect(waiting).not_to_contain_text("ringing", timeout=SLOW)
    bob_page.set_viewport_size({"width": 1280, "height": 720})
    bob_page.screenshot(path=screenshots / "waiting-after-reject.png")
