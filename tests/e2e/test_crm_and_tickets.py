"""Agents use the CRM and tickets beside their chats, and write first to customers who wrote
before, in real browsers against daphne, a real worker and the simulator's WhatsApp."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contactcenter.models import Activity, ActivityState, QueueWidget
from crm.models import Contact
from messaging.models import Direction, Message
from tests.e2e.workspace import (
    agent_browser,
    chat,
    customer_writes,
    notification,
    open_simulator,
    tab,
)
from tests.factories import (
    AccountFactory,
    AgentFactory,
    ChannelAccountFactory,
    ContactFactory,
    IdentityFactory,
    MembershipFactory,
    QueueFactory,
    SLAFactory,
    StatusFactory,
    TicketFactory,
)
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)

SLOW = 15_000


@pytest.fixture
def sales():
    """Queue 100 Sales on a WhatsApp number, its screen with the CRM and ticket widgets, and
    Alice in it."""
    queue = QueueFactory(number=100, name="Sales", accept_timeout=60)
    queue.statuses.add(StatusFactory(name="Resolved"))
    for position, kind in enumerate(["contact", "account", "ticket"]):
        QueueWidget.objects.create(queue=queue, kind=kind, position=position)
    ChannelAccountFactory(name="Shop", queue=queue)
    agent = AgentFactory(user__username="alice", display_name="Alice Novak")
    MembershipFactory(agent=agent, queue=queue)
    return queue


def known_customer(queue, *, hours_ago: float = 2) -> Contact:
    """A contact whose WhatsApp identity wrote `hours_ago` hours ago, in no open chat."""
    contact = ContactFactory(first_name="Jana", last_name="Dvořák", phones=["+420777123456"])
    IdentityFactory(
        channel_account=queue.channel_accounts.get(),
        provider_user_id="420777123456",
        phone="+420777123456",
        display_name="Jana D.",
        contact=contact,
        last_inbound_at=timezone.now() - timedelta(hours=hours_ago),
    )
    return contact


def alice_accepts(browser, worker, queue, text: str, *, name: str):
    """Alice's page, on which she accepts the chat that Jana's WhatsApp number starts with
    `text`, sent under `name`."""
    alice = agent_browser(browser, worker, "alice")
    customer_writes(queue.channel_accounts.get(), text, customer_id="420777123456", name=name)
    notification(alice, name).get_by_role("button", name="Accept").click(timeout=SLOW)
    return alice


def test_from_a_chat_the_agent_adds_the_contact_opens_a_ticket_and_sees_the_journey(
    worker, browser, sales, screenshots
):
    # given: a customer the CRM does not know writes, and Alice accepts
    alice = alice_accepts(browser, worker, sales, "My lid is broken", name="Jana Dvořák")
    contact_widget = alice.get_by_role("region", name="Contact")
    expect(contact_widget).to_contain_text("not in the CRM yet")
    # when: she adds the new contact, filled in from the chat
    contact_widget.get_by_role("button", name="Add new contact").click()
    form = alice.get_by_role("form", name="New contact")
    expect(form.get_by_label("First name")).to_have_value("Jana")
    expect(form.get_by_label("Phones")).to_have_value("+420777123456")
    form.get_by_label("Title").fill("Buyer")
    form.get_by_role("button", name="Save").click()
    # then: the CRM shows the contact, and back on the chat the widget shows it paired
    expect(alice.get_by_role("article", name="Contact Jana Dvořák")).to_be_visible()
    tab(alice, "Jana Dvořák").click()
    expect(contact_widget).to_contain_text("Buyer")
    expect(chat(alice)).to_contain_text("Paired with Jana Dvořák by Alice Novak")
    # when: she opens a ticket from the ticket widget
    ticket_widget = alice.get_by_role("region", name="Ticket")
    ticket_widget.get_by_role("button", name="New ticket").click()
    ticket_form = ticket_widget.get_by_role("form", name="New ticket")
    expect(ticket_form.get_by_label("Title")).to_have_value("Jana Dvořák: ")
    ticket_form.get_by_label("Title").fill("Jana Dvořák: broken lid")
    ticket_form.get_by_role("button", name="Create and assign").click()
    # then: the chat belongs to the ticket
    expect(ticket_widget).to_contain_text("broken lid")
    expect(chat(alice)).to_contain_text("Assigned to ticket")
    ticket = Ticket.objects.get()
    assert (ticket.contact.name, Activity.objects.get().ticket) == ("Jana Dvořák", ticket)
    # when: she looks at the customer journey
    ticket_widget.get_by_role("button", name="Customer journey").click()
    # then: the chat and the ticket on one timeline
    journey = ticket_widget.get_by_role("list", name="Customer journey")
    expect(journey).to_contain_text(f"Ticket #{ticket.pk} Jana Dvořák: broken lid")
    expect(journey).to_contain_text("WhatsApp · 100 Sales")
    alice.screenshot(path=screenshots / "crm-and-ticket-widgets.png")


def message_from_ticket(page, ticket) -> None:
    """The agent opens the ticket in the Tickets module and clicks its WhatsApp button."""
    page.get_by_role("link", name="Tickets").click()
    page.get_by_role("link", name=f"#{ticket.pk} {ticket.title}").click()
    page.get_by_role("article", name=f"Ticket #{ticket.pk}").get_by_role(
        "button", name="WhatsApp"
    ).first.click()


def test_a_chat_starts_from_a_crm_contact(worker, browser, sales, screenshots):
    # given: Jana wrote two hours ago; her chat was closed
    known_customer(sales)
    alice = agent_browser(browser, worker, "alice")
    # when: Alice finds her in the CRM and clicks her WhatsApp
    alice.get_by_role("link", name="CRM").click()
    alice.get_by_role("searchbox", name="Search contacts").fill("Dvořák")
    alice.get_by_role("link", name="Jana Dvořák").click()
    alice.get_by_role("article", name="Contact Jana Dvořák").get_by_role(
        "button", name="WhatsApp"
    ).click()
    # then: the window is for Jana, and starting the chat opens its tab
    dialog = alice.get_by_role("dialog")
    expect(dialog).to_contain_text("To Jana Dvořák")
    dialog.get_by_role("textbox", name="Message").fill("Hello Jana, news about your order.")
    alice.screenshot(path=screenshots / "send-new-message.png")
    dialog.get_by_role("button", name="Start chat").click()
    expect(tab(alice, "Jana D.")).to_have_attribute("aria-current", "page")
    expect(chat(alice)).to_contain_text("Hello Jana, news about your order.")
    expect(chat(alice)).to_contain_text("Started by Alice Novak")
    # and the message goes out: its ticks move on from "Sending"
    expect(chat(alice).locator(".msg--out")).not_to_have_class(re.compile("msg--queued"),
                                                               timeout=SLOW)  # fmt: skip
    assert Message.objects.filter(direction=Direction.OUT).count() == 1


def test_a_contact_opened_while_the_search_is_on_its_way_stays_open(worker, browser, sales):
    """The search runs a moment after the agent stops typing; a contact she opened meanwhile
    must not be replaced by the list when that search answers last (seen on a loaded server)."""
    # given: Alice in the CRM's contacts; the server answers only when the test lets it
    known_customer(sales)
    alice = agent_browser(browser, worker, "alice")
    alice.get_by_role("link", name="CRM").click()
    held = {}
    alice.route(re.compile(r"/crm/contacts/\d+/$"), lambda route: held.setdefault("contact", route))
    alice.route(re.compile(r"/crm/contacts/\?"), lambda route: held.setdefault("search", route))
    # when: she types a search and at once opens Jana from the list still shown
    alice.get_by_role("searchbox", name="Search contacts").fill("Dvořák")
    alice.get_by_role("link", name="Jana Dvořák").click()
    alice.wait_for_timeout(1000)  # the search's moment has passed
    # and the contact answers first, the search (if it was sent) last
    held.pop("contact").continue_()
    expect(alice.get_by_role("article", name="Contact Jana Dvořák")).to_be_visible()
    if "search" in held:
        held.pop("search").continue_()
    alice.wait_for_timeout(500)
    # then: Jana's contact is what she sees
    expect(alice.get_by_role("article", name="Contact Jana Dvořák")).to_be_visible()


def test_a_chat_starts_from_a_ticket(worker, browser, sales):
    # given: a ticket of Jana's
    contact = known_customer(sales)
    ticket = TicketFactory(contact=contact, title="Broken lid")
    alice = agent_browser(browser, worker, "alice")
    # when: Alice opens it in the Tickets module and clicks its WhatsApp button
    message_from_ticket(alice, ticket)
    dialog = alice.get_by_role("dialog")
    expect(dialog).to_contain_text("To Jana Dvořák")
    dialog.get_by_role("button", name="Start chat").click()
    # then
    expect(tab(alice, "Jana D.")).to_have_attribute("aria-current", "page")
    assert Activity.objects.get(state=ActivityState.OPEN).owner.display_name == "Alice Novak"


def test_a_chat_started_from_a_ticket_is_in_the_channels_queue_and_linked_to_the_ticket(
    worker, browser, sales, screenshots
):
    """#11 item 12."""
    # given: Alice is also in queue 50 General, her first; a ticket of Jana's
    MembershipFactory(
        agent=sales.memberships.get().agent, queue=QueueFactory(number=50, name="General")
    )
    ticket = TicketFactory(contact=known_customer(sales), title="Broken lid")
    alice = agent_browser(browser, worker, "alice")
    alice.set_viewport_size({"width": 1280, "height": 720})
    # when: she starts a WhatsApp chat from the ticket
    message_from_ticket(alice, ticket)
    # then: the window writes from Sales, the queue the WhatsApp number feeds
    dialog = alice.get_by_role("dialog")
    expect(dialog.get_by_label("Queue")).to_have_value(str(sales.pk))
    alice.screenshot(path=screenshots / "new-message-from-ticket.png")
    dialog.get_by_role("button", name="Start chat").click()
    # and the chat opens assigned to the ticket, which lists it
    expect(tab(alice, "Jana D.")).to_have_attribute("aria-current", "page")
    screen = alice.locator(".screen:not([hidden])")
    expect(screen.get_by_role("region", name="Ticket")).to_contain_text("Broken lid")
    alice.screenshot(path=screenshots / "chat-started-from-ticket.png")
    assert Activity.objects.get(state=ActivityState.OPEN).ticket == ticket


def test_send_and_close_from_the_panel_button_needs_a_status(worker, browser, page, sales):
    # given: Jana wrote two hours ago
    known_customer(sales)
    alice = agent_browser(browser, worker, "alice")
    # when: Alice clicks WhatsApp in the top bar and finds Jana
    alice.get_by_role("button", name="New WhatsApp message").click()
    dialog = alice.get_by_role("dialog")
    dialog.get_by_role("searchbox").fill("777123")
    dialog.get_by_role("button", name="Jana Dvořák").click()
    dialog.get_by_role("textbox", name="Message").fill("Your parcel left today.")
    # then: Send without a status is refused, with the reason
    dialog.get_by_role("button", name="Send", exact=True).click()
    expect(dialog.get_by_role("alert")).to_have_text("Choose a status to send and close.")
    assert not Activity.objects.exists()
    # when: with a status
    dialog.get_by_label(re.compile("^Status")).select_option(label="Resolved")
    dialog.get_by_role("button", name="Send", exact=True).click()
    # then: sent, closed, no tab; the customer gets it on their phone
    expect(dialog).to_be_hidden()
    expect(alice.get_by_text("the activity is closed")).to_be_visible()
    activity = Activity.objects.get()
    assert (activity.state, activity.status.name) == (ActivityState.CLOSED, "Resolved")
    open_simulator(page, worker)
    page.get_by_label("Channel account").select_option(label="WhatsApp · Shop")
    page.get_by_label("Customer id").fill("420777123456")
    page.get_by_label("Customer id").press("Tab")
    expect(page.locator(".bubble--agent")).to_contain_text("Your parcel left today.", timeout=SLOW)


def test_the_notification_names_a_known_customers_contact_and_company(worker, browser, sales):
    # given: Jana of Acme Ltd is in the CRM; she writes
    contact = known_customer(sales)
    contact.account = AccountFactory(name="Acme Ltd")
    contact.save()
    alice = agent_browser(browser, worker, "alice")
    customer_writes(sales.channel_accounts.get(), "Hello again", customer_id="420777123456",
                    name="Jana D.")  # fmt: skip
    card = notification(alice, "Jana D.")
    # then: the card names her and her company
    expect(card.get_by_role("button", name="Jana Dvořák")).to_be_visible(timeout=SLOW)
    # when: Alice clicks the company
    card.get_by_role("button", name="Acme Ltd").click()
    # then: the CRM opens on the account, the notification still ringing
    expect(alice.get_by_role("article", name="Account Acme Ltd")).to_be_visible()
    expect(card).to_be_visible()


def test_a_contact_edited_in_the_crm_shows_in_the_chats_widgets(
    worker, browser, sales, screenshots
):
    # given: Alice's chat with Jana, of Acme Ltd
    jana = known_customer(sales)
    jana.account = AccountFactory(name="Acme Ltd")
    jana.save()
    AccountFactory(name="Globex", sla=SLAFactory(name="Silver"))
    alice = alice_accepts(browser, worker, sales, "Hello", name="Jana D.")
    contact = alice.get_by_role("region", name="Contact")
    expect(contact).to_contain_text("Jana Dvořák")
    # when: she edits Jana in the CRM module: a new title, and Globex for her company
    contact.get_by_role("button", name="Edit").click()
    form = alice.get_by_role("form", name="Edit contact")
    form.get_by_label("Title").fill("Head buyer")
    form.get_by_label("Account").select_option(label="Globex")
    form.get_by_role("button", name="Save").click()
    expect(alice.get_by_role("article", name="Contact Jana Dvořák")).to_be_visible()
    tab(alice, "Jana D.").click()
    # then: back on the chat, the widgets show the new title, company and SLA
    expect(contact).to_contain_text("Head buyer", timeout=SLOW)
    account = alice.get_by_role("region", name="Account")
    expect(account).to_contain_text("Globex")
    expect(account).to_contain_text("Silver")
    alice.set_viewport_size({"width": 1280, "height": 720})
    alice.screenshot(path=screenshots / "widgets-after-contact-edit.png")


def test_open_in_background_waits_behind_the_home_button(worker, browser, sales, screenshots):
    # given: Alice chats with Jana, whom the CRM knows
    known_customer(sales)
    alice = alice_accepts(browser, worker, sales, "Hello", name="Jana D.")
    home = alice.get_by_role("button", name="Home", exact=True)
    expect(home).to_be_visible()
    # when: she opens Jana's CRM record in the background from the Contact widget
    contact = alice.get_by_role("region", name="Contact")
    contact.get_by_role("button", name="Open in background").click()
    # then: she stays on the chat; the Home button is marked and says why
    expect(alice.get_by_text("Opened in the background: click Home to view it.")).to_be_visible()
    expect(tab(alice, "Jana D.")).to_have_attribute("aria-current", "page")
    marked = alice.get_by_role("button", name="Home, a page opened in the background")
    expect(marked).to_be_visible()
    alice.set_viewport_size({"width": 1280, "height": 720})
    alice.screenshot(path=screenshots / "home-button-marked.png")
    # when: she clicks Home
    marked.click()
    # then: the CRM shows Jana's record, and the mark is gone
    expect(alice.get_by_role("article", name="Contact Jana Dvořák")).to_be_visible()
    expect(marked).to_have_count(0)
    expect(home).to_be_visible()
    alice.screenshot(path=screenshots / "home-button-shows-background.png")
