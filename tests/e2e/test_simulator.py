"""A person plays the customer on the simulator page in a real browser: what they type reaches
the agent's activity, and the agent's reply shows up on their "phone" and is reported read."""

import pytest
from playwright.sync_api import expect

from messaging.models import DeliveryStatus, Direction, Message
from messaging.services.outbound import message_send
from tests.e2e.workspace import open_simulator
from tests.factories import ChannelAccountFactory
from tests.messaging.helpers import customer
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

PAGE_DEFAULT_PSID = "6483920175562104"  # what the page prefills for a Messenger customer


def test_the_customer_writes_and_sees_the_agents_reply_and_markup_stays_text(
    worker, page, screenshots
):
    # given: a Messenger page whose customer already talks to an agent
    account = ChannelAccountFactory(messenger=True, name="Shop page")
    activity = customer(channel_account=account, provider_user_id=PAGE_DEFAULT_PSID)
    open_simulator(page, worker)
    page.get_by_label("Channel account").select_option(label="Facebook Messenger · Shop page")
    expect(page.get_by_label("Customer id")).to_have_value(PAGE_DEFAULT_PSID)
    # when: they type markup and press Enter
    page.get_by_label("Message").fill("<b>Is it in stock?</b>")
    page.get_by_label("Message").press("Enter")
    # then: shown as the text they typed, delivered to our webhook, stored in the activity
    bubble = page.locator(".bubble--customer")
    expect(bubble.locator(".bubble__text")).to_have_text("<b>Is it in stock?</b>")
    expect(bubble.locator("b")).to_have_count(0)
    expect(bubble.locator(".bubble__meta")).to_contain_text("Delivered")
    # the webhook is acknowledged before a worker applies it: wait as the agent would
    received = wait_for(lambda: Message.objects.filter(direction=Direction.IN).first())
    assert (received.text, received.activity_id) == ("<b>Is it in stock?</b>", activity.pk)
    # when: the agent replies
    [reply] = message_send(activity=activity, author=activity.owner, text="Yes, 3 left.")
    # then: the customer sees it, and we learn it was read
    agent_bubble = page.locator(".bubble--agent")
    expect(agent_bubble.locator(".bubble__text")).to_have_text("Yes, 3 left.")
    expect(agent_bubble.locator(".bubble__meta")).to_contain_text("Seen")
    wait_for(lambda: Message.objects.filter(pk=reply.pk, status=DeliveryStatus.READ).exists())
    page.screenshot(path=screenshots / "simulator.png")
