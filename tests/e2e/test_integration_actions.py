"""An integration account writes to customers through the API, and agents see in their chats
what it wrote, as the integration's: never as a colleague's. The server is daphne, the worker
a real Celery worker, the channel the simulator's WhatsApp."""

from datetime import timedelta

import httpx
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from messaging.services.conversations import conversation_start
from tests.e2e.workspace import (
    WHATSAPP_CUSTOMER,
    agent_browser,
    chat,
    composer,
    customer_writes,
    notification,
    open_simulator,
    tab,
)
from tests.factories import (
    AgentFactory,
    ApiTokenFactory,
    ChannelAccountFactory,
    CustomerActivityFactory,
    IdentityFactory,
    IntegrationAccountFactory,
    MembershipFactory,
    QueueFactory,
    StatusFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

SLOW = 15_000  # ms: through the worker and the simulator and back
ORDER_UPDATE = "Your order #1042 has shipped and arrives on Thursday."


@pytest.fixture
def sales():
    """Queue 100 Sales, fed by a WhatsApp number, closing with "Resolved"; Alice in it."""
    queue = QueueFactory(number=100, name="Sales", accept_timeout=60)
    queue.statuses.add(StatusFactory(name="Resolved"))
    ChannelAccountFactory(name="Shop", queue=queue)
    MembershipFactory(
        queue=queue, agent=AgentFactory(user__username="alice", display_name="Alice Novak")
    )
    return queue


def jana(queue):
    """A WhatsApp customer of the shop who wrote an hour ago."""
    return IdentityFactory(
        channel_account=queue.channel_accounts.get(),
        provider_user_id=WHATSAPP_CUSTOMER,
        display_name="Jana Dvořák",
        last_inbound_at=timezone.now() - timedelta(hours=1),
    )


def integration_message(chat_items):
    return chat_items.locator(".msg--out").filter(has_text=ORDER_UPDATE)


def test_an_integrations_message_reaches_the_customer_as_text_and_the_agent_as_the_integrations(
    worker, browser, page, sales, screenshots
):
    # given: Alice's open chat with Jana, on her screen; the CRM's integration account
    activity = CustomerActivityFactory(identity=jana(sales), owner=sales.memberships.get().agent)
    token = ApiTokenFactory(user=IntegrationAccountFactory(first_name="CRM sync"), scope="write")
    alice = agent_browser(browser, worker, "alice")
    tab(alice, "Jana Dvořák").click()
    expect(composer(alice)).to_be_visible()
    # when: the CRM posts into the chat through the API
    response = httpx.post(
        f"{worker}/api/v1/activities/{activity.pk}/messages/",
        json={"text": ORDER_UPDATE},
        headers={"Authorization": f"Bearer {token.plaintext}"},
        timeout=10,
    )
    # then: Alice sees it at once, named as the integration's, with no colleague's initials
    assert response.status_code == 201
    sent = integration_message(chat(alice))
    expect(sent).to_contain_text("CRM sync (integration)")
    expect(sent.locator(".msg__author--integration")).to_have_count(1)
    expect(sent.locator(".msg__author:not(.msg__author--integration)")).to_have_count(0)
    alice.screenshot(path=screenshots / "integration-message.png")
    # and Jana gets the text alone on her phone
    open_simulator(page, worker)
    page.get_by_label("Channel account").select_option(label="WhatsApp · Shop")
    bubble = page.locator(".bubble--agent")
    expect(bubble).to_contain_text(ORDER_UPDATE, timeout=SLOW)
    expect(bubble).not_to_contain_text("CRM sync")


def test_the_customers_answer_to_an_integrations_notice_opens_a_chat_that_shows_it(
    worker, browser, sales, screenshots
):
    # given: the CRM told Jana her order shipped, in a chat it closed at once
    identity = jana(sales)
    conversation_start(
        actor=IntegrationAccountFactory(first_name="CRM sync"),
        identity_id=identity.pk,
        text=ORDER_UPDATE,
        send=True,
        close_with_status=sales.statuses.get().pk,
    )
    alice = agent_browser(browser, worker, "alice")
    # when: Jana answers, and Alice accepts the new chat
    customer_writes(
        identity.channel_account, "Great, can it come on Friday instead?", name="Jana Dvořák"
    )
    card = notification(alice, "Jana Dvořák")
    expect(card).to_be_visible(timeout=SLOW)
    card.get_by_role("button", name="Accept").click()
    # then: the chat opens with the notice she answers above her answer, as the integration's
    items = chat(alice)
    expect(items).to_contain_text("Great, can it come on Friday instead?")
    expect(items.locator(".earlier")).to_contain_text("100 Sales")
    expect(integration_message(items)).to_contain_text("CRM sync (integration)")
    alice.screenshot(path=screenshots / "integration-notice-answered.png")
