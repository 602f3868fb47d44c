"""#11 item 11: a notification says how the chat comes to the agent (a new message, a colleague's
transfer or invitation), the queue it rings for, and how long the customer has waited."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contactcenter.models import Activity
from contactcenter.services.sharing import activity_invite, activity_transfer
from tests.e2e.workspace import agent_browser, notification
from tests.factories import (
    ChannelAccountFactory,
    CustomerActivityFactory,
    OnlineAgentFactory,
    QueueFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def chat_in_sales():
    """Alice's chat in queue 100 Sales with Jana, who has waited four minutes for an answer;
    Bob works in queue 200 Returns."""
    sales = QueueFactory(number=100, name="Sales", accept_timeout=60)
    returns = QueueFactory(number=200, name="Returns", accept_timeout=60)
    alice = OnlineAgentFactory(user__username="alice", display_name="Alice Novak", queue=sales)
    OnlineAgentFactory(user__username="bob", display_name="Bob Horvat", queue=returns)
    chat = CustomerActivityFactory(
        owner=alice,
        identity__channel_account=ChannelAccountFactory(name="Shop", queue=sales),
        identity__display_name="Jana Dvořák",
        queued_at=timezone.now() - timedelta(hours=2),
    )
    Activity.objects.filter(pk=chat.pk).update(
        awaiting_reply_since=timezone.now() - timedelta(minutes=4)
    )
    return chat, alice, returns


def facts(card) -> dict[str, str]:
    terms = card.locator("dt").all_inner_texts()
    return dict(zip(terms, card.locator("dd").all_inner_texts(), strict=True))


def transfer_to(chat, alice, queue) -> None:
    activity_transfer(activity_id=chat.pk, agent=alice, to_queue_id=queue.pk)


def invite(chat, alice, queue) -> None:
    activity_invite(activity_id=chat.pk, agent=alice, to_queue_id=queue.pk)


@pytest.mark.parametrize(
    ("hand_on", "heading"),
    [(transfer_to, "Transferred by Alice Novak"), (invite, "Invitation from Alice Novak")],
)
def test_a_chat_handed_to_a_queue_says_who_sent_it_the_queue_and_the_customers_wait(
    worker, browser, chat_in_sales, screenshots, hand_on, heading
):
    # given: Bob's workspace on a laptop
    chat, alice, returns = chat_in_sales
    bob = agent_browser(browser, worker, "bob")
    bob.set_viewport_size({"width": 1280, "height": 720})
    # when: Alice transfers her chat to queue 200 Returns, or invites that queue
    hand_on(chat, alice, returns)
    # then: Bob is told who sent it, for which queue, and how long Jana has waited
    card = notification(bob, "Jana Dvořák")
    expect(card).to_contain_text(heading)
    shown = facts(card)
    assert shown["Queue"] == "200 Returns"
    assert shown["Customer waits"].startswith("4:")
    bob.screenshot(path=screenshots / f"notification-{hand_on.__name__}-queue.png")
