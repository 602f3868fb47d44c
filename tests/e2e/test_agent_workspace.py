"""Agents answer customers in real browsers: a customer writes on the simulator, a notification
rings, the agent accepts, chats and closes; notifications move between agents' browsers; the
top bar stays live. The server is daphne, the worker a real Celery worker, the channel the
simulator's WhatsApp."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contactcenter.models import Activity, ActivityState, Pause, PauseReason, ReminderMode
from contactcenter.services.sharing import activity_transfer
from messaging.models import Direction, Message
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
    ChannelAccountFactory,
    CustomerActivityFactory,
    IdentityFactory,
    MembershipFactory,
    ParticipantFactory,
    QueueFactory,
    StatusFactory,
    TemplateFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

SLOW = 15_000  # ms: through the worker and the simulator and back


@pytest.fixture
def sales():
    """Queue 100 Sales, fed by a WhatsApp number, closing with "Resolved" or "Spam"."""
    queue = QueueFactory(number=100, name="Sales", accept_timeout=60)
    queue.statuses.add(StatusFactory(name="Resolved"), StatusFactory(name="Spam"))
    ChannelAccountFactory(name="Shop", queue=queue)
    return queue


def agent_in(queue, username: str, display_name: str, *, logged_in: bool = True):
    agent = AgentFactory(user__username=username, display_name=display_name)
    MembershipFactory(agent=agent, queue=queue, logged_in=logged_in)
    return agent


def test_a_customer_writes_the_agent_accepts_chats_and_closes(
    worker, browser, page, sales, screenshots
):
    # given: Alice in her workspace; a customer on their phone (the simulator)
    agent_in(sales, "alice", "Alice Novak")
    greeting = "Hello {customer.first_name}, this is {agent.first_name}."
    TemplateFactory(name="Greeting", text=greeting, whatsapp_name="")
    alice = agent_browser(browser, worker, "alice")
    open_simulator(page, worker)
    page.get_by_label("Channel account").select_option(label="WhatsApp · Shop")
    page.get_by_label("Name").fill("Jana Dvořák")
    # when: the customer writes, markup included
    page.get_by_label("Message").fill("<script>alert('x')</script> Is it in stock?")
    page.get_by_label("Message").press("Enter")
    # then: Alice's notification names the customer and the queue, and counts down
    card = notification(alice, "Jana Dvořák")
    expect(card).to_be_visible(timeout=SLOW)
    expect(card).to_contain_text("100 Sales")
    expect(card.locator(".notification__countdown")).to_have_text(re.compile(r"^\d+ s$"))
    alice.screenshot(path=screenshots / "notification.png")
    # when: she accepts
    card.get_by_role("button", name="Accept").click()
    # then: a tab opens on the chat, the customer's markup shown as the text they typed
    expect(alice.get_by_role("button", name="Jana Dvořák")).to_have_attribute(
        "aria-current", "page"
    )
    expect(chat(alice)).to_contain_text("<script>alert('x')</script> Is it in stock?")
    expect(alice.locator(".chat__items script")).to_have_count(0)
    # when: she replies with Enter, writes two lines, inserts a template and an emoji
    box = composer(alice)
    box.fill("Yes, 3 left.")
    box.press("Enter")
    expect(box).to_have_value("")
    box.press_sequentially("Line one")
    box.press("Shift+Enter")
    box.press_sequentially("Line two")
    box.press("Enter")
    alice.get_by_label("Insert template").select_option(label="Greeting")
    expect(box).to_have_value("Hello Jana, this is Alice.")
    alice.get_by_role("button", name="Emoji").click()
    alice.get_by_label("Search emoji").fill("thumbs up")
    alice.get_by_role("option", name="thumbs up", exact=True).click()
    box.press("Enter")
    # and drops a file on the grey area, then sends it
    drop = alice.evaluate_handle(
        "() => { const data = new DataTransfer();"
        " data.items.add(new File(['%PDF-1.4 offer'], 'offer.pdf', {type: 'application/pdf'}));"
        " return data; }"
    )
    alice.dispatch_event(".screen:not([hidden]) .composer__drop", "drop", {"dataTransfer": drop})
    expect(alice.get_by_role("list", name="Files to send")).to_contain_text("offer.pdf")
    alice.get_by_role("button", name="Send", exact=True).click()
    # then: the customer sees all of it on their phone
    replies = page.locator(".bubble--agent")
    expect(replies).to_have_count(4, timeout=SLOW)
    expect(replies.nth(0)).to_contain_text("Yes, 3 left.")
    expect(replies.nth(1).locator(".bubble__text")).to_have_text("Line one\nLine two")
    expect(replies.nth(2)).to_contain_text("Hello Jana, this is Alice.👍")
    expect(replies.nth(3)).to_contain_text("offer.pdf")
    expect(chat(alice).locator(".msg--out")).to_have_count(4)
    alice.screenshot(path=screenshots / "activity.png")
    page.screenshot(path=screenshots / "simulator-customer.png")
    # when: she closes without a status
    alice.get_by_role("button", name="Close").click()
    # then: the button explains instead of closing
    expect(alice.get_by_role("alert").filter(has_text="Choose a status")).to_be_visible()
    alice.screenshot(path=screenshots / "close-refused.png")
    activity = Activity.objects.get()
    assert activity.state == ActivityState.OPEN
    # when: with a status, it closes
    alice.get_by_label("Status").select_option(label="Resolved")
    alice.get_by_role("button", name="Close").click()
    # then
    expect(tab(alice, "Jana Dvořák")).to_have_count(0)
    activity.refresh_from_db()
    assert (activity.state, activity.status.name) == (ActivityState.CLOSED, "Resolved")


def test_a_rejected_notification_rings_the_next_agent(worker, browser, sales):
    # given: Alice and Bob both ready in Sales
    agent_in(sales, "alice", "Alice Novak")
    agent_in(sales, "bob", "Bob Horvat")
    alice = agent_browser(browser, worker, "alice")
    bob = agent_browser(browser, worker, "bob")
    customer_writes(sales.channel_accounts.get(), "Hello?", name="Jana Dvořák")
    expect(notification(alice, "Jana Dvořák")).to_be_visible(timeout=SLOW)
    expect(notification(bob, "Jana Dvořák")).to_have_count(0)
    # when
    notification(alice, "Jana Dvořák").get_by_role("button", name="Reject").click()
    # then
    expect(notification(alice, "Jana Dvořák")).to_have_count(0)
    expect(notification(bob, "Jana Dvořák")).to_be_visible(timeout=SLOW)


def test_a_missed_deadline_puts_the_agent_on_the_unpaid_pause(worker, browser, sales, screenshots):
    # given: two seconds to answer
    sales.accept_timeout = 2
    sales.save()
    agent_in(sales, "alice", "Alice Novak")
    alice = agent_browser(browser, worker, "alice")
    customer_writes(sales.channel_accounts.get(), "Anyone?", name="Jana Dvořák")
    expect(notification(alice, "Jana Dvořák")).to_be_visible(timeout=SLOW)
    # when: she lets it run out
    # then: the notification goes and her page shows the unpaid pause
    expect(notification(alice, "Jana Dvořák")).to_have_count(0, timeout=SLOW)
    pause_button = alice.locator("#pause-button")
    expect(pause_button).to_have_text("Paused · Missed notification")
    expect(pause_button).to_have_class(re.compile("agent-state--unpaid"))
    alice.screenshot(path=screenshots / "missed-notification-pause.png")
    assert Pause.objects.get(ended_at=None).reason == PauseReason.objects.get(is_missed_offer=True)
    # when: she ends the pause from the menu
    pause_button.click()
    alice.get_by_role("button", name="End pause: I am ready").click()
    # then
    expect(pause_button).to_have_text("Ready")


def test_an_agent_logged_out_of_the_queue_accepts_from_waiting_activities(
    worker, browser, sales, screenshots
):
    # given: Alice is logged out of Sales, so nothing rings her
    agent_in(sales, "alice", "Alice Novak", logged_in=False)
    alice = agent_browser(browser, worker, "alice")
    customer_writes(sales.channel_accounts.get(), "Hi there", name="Jana Dvořák")
    badge = alice.locator("#waiting-count")
    expect(badge).to_have_text("1", timeout=SLOW)
    expect(notification(alice, "Jana Dvořák")).to_have_count(0)
    # when
    alice.get_by_role("button", name=re.compile("Waiting activities")).click()
    waiting = alice.locator("#waiting-list")
    expect(waiting).to_contain_text("Jana Dvořák")
    alice.screenshot(path=screenshots / "waiting-activities.png")
    waiting.get_by_role("button", name="Accept").click()
    # then
    expect(alice.get_by_role("button", name="Jana Dvořák")).to_have_attribute(
        "aria-current", "page"
    )
    expect(chat(alice)).to_contain_text("Hi there")
    expect(badge).to_have_text("0")


def test_invite_then_transfer_between_two_agents_and_the_customer_sees_who_joins_and_leaves(
    worker, browser, page, sales, screenshots
):
    # given: Alice chats with the customer; Bob is ready
    agent_in(sales, "alice", "Alice Novak")
    agent_in(sales, "bob", "Bob Horvat")
    alice = agent_browser(browser, worker, "alice")
    open_simulator(page, worker)
    page.get_by_label("Channel account").select_option(label="WhatsApp · Shop")
    page.get_by_label("Name").fill("Jana Dvořák")
    page.get_by_label("Message").fill("I need an expert")
    page.get_by_label("Message").press("Enter")
    notification(alice, "Jana Dvořák").get_by_role("button", name="Accept").click(timeout=SLOW)
    bob = agent_browser(browser, worker, "bob")
    # when: Alice invites Bob
    alice.get_by_role("button", name="Invite").click()
    dialog = alice.get_by_role("dialog", name="Invite to activity")
    dialog.get_by_label(re.compile("Bob Horvat")).check()
    alice.screenshot(path=screenshots / "invite-dialog.png")
    dialog.get_by_role("button", name="Invite").click()
    # then: Bob is invited, accepts, and the customer is told someone joined
    invitation = notification(bob, "Jana Dvořák")
    expect(invitation).to_contain_text("Invitation from Alice Novak", timeout=SLOW)
    invitation.get_by_role("button", name="Accept").click()
    expect(chat(bob)).to_contain_text("I need an expert")
    joined = page.locator(".bubble--agent").filter(has_text="Another agent has joined")
    expect(joined).to_be_visible(timeout=SLOW)
    # when: Alice leaves the shared chat (her Close reads Leave)
    alice.get_by_role("button", name="Leave").click()
    # then: her tab closes, Bob keeps the chat, the customer is told an agent left
    expect(tab(alice, "Jana Dvořák")).to_have_count(0)
    expect(page.locator(".bubble--agent").filter(has_text="An agent has left")).to_be_visible(
        timeout=SLOW
    )
    expect(bob.get_by_role("button", name="Close")).to_be_visible()
    # when: Bob transfers it back to Alice
    bob.get_by_role("button", name="Transfer").click()
    dialog = bob.get_by_role("dialog", name="Transfer activity")
    dialog.get_by_label(re.compile("Alice Novak")).check()
    dialog.get_by_role("button", name="Transfer").click()
    # then: Bob's tab closes and Alice is rung
    expect(tab(bob, "Jana Dvořák")).to_have_count(0)
    transfer = notification(alice, "Jana Dvořák")
    expect(transfer).to_contain_text("Transferred by Bob Horvat", timeout=SLOW)
    transfer.get_by_role("button", name="Accept").click()
    expect(chat(alice)).to_contain_text("Transferred by Bob Horvat to Alice Novak")
    alice.screenshot(path=screenshots / "after-transfer.png")


def test_a_tab_flashes_and_a_reminder_pops_when_its_customer_writes_while_another_is_shown(
    worker, browser, sales, screenshots
):
    # given: a queue that reminds on every message; Alice has two chats and looks at the second
    sales.reminder_mode = ReminderMode.EVERY_MESSAGE
    sales.save()
    agent_in(sales, "alice", "Alice Novak")
    alice = agent_browser(browser, worker, "alice")
    account = sales.channel_accounts.get()
    for customer_id, name in ((WHATSAPP_CUSTOMER, "Jana Dvořák"), ("420777123456", "Petr Novák")):
        customer_writes(account, "Hello", customer_id=customer_id, name=name)
        notification(alice, name).get_by_role("button", name="Accept").click(timeout=SLOW)
        expect(tab(alice, name)).to_have_attribute("aria-current", "page")
    jana_tab = tab(alice, "Jana Dvořák")
    # when: Jana writes again
    customer_writes(account, "Are you there?", name="Jana Dvořák")
    # then: her tab flashes, and a reminder says she wrote
    expect(jana_tab).to_have_class(re.compile("tab--flash"), timeout=SLOW)
    reminder = alice.get_by_role("button", name="New message from Jana Dvořák")
    expect(reminder).to_be_visible()
    alice.screenshot(path=screenshots / "tab-flashing.png")
    # when: she clicks the reminder
    reminder.click()
    # then: her chat opens and the tab stops flashing
    expect(jana_tab).to_have_attribute("aria-current", "page")
    expect(jana_tab).not_to_have_class(re.compile("tab--flash"))
    expect(chat(alice)).to_contain_text("Are you there?")
    assert Message.objects.filter(direction=Direction.IN).count() == 3


def test_a_minimised_notification_waits_in_waiting_activities_and_the_stack_keeps_its_place(
    worker, browser, sales
):
    # given: a notification rings Alice
    agent_in(sales, "alice", "Alice Novak")
    alice = agent_browser(browser, worker, "alice")
    customer_writes(sales.channel_accounts.get(), "Hello?", name="Jana Dvořák")
    card = notification(alice, "Jana Dvořák")
    expect(card).to_be_visible(timeout=SLOW)
    # when: she drags it to the left, then reloads the page
    grip = card.locator(".notification__grip").bounding_box()
    alice.mouse.move(grip["x"] + 20, grip["y"] + 10)
    alice.mouse.down()
    alice.mouse.move(grip["x"] - 380, grip["y"] + 210, steps=5)
    alice.mouse.up()
    moved = card.bounding_box()
    alice.reload()
    # then: it comes back where she put it
    expect(card).to_be_visible()
    assert card.bounding_box()["x"] == pytest.approx(moved["x"], abs=2)
    assert card.bounding_box()["y"] == pytest.approx(moved["y"], abs=2)
    # when: she minimises it with the arrow
    card.get_by_role("button", name="Minimise into Waiting activities").click()
    # then: it waits in Waiting activities, from where she accepts it
    expect(card).to_have_count(0)
    alice.get_by_role("button", name=re.compile("Waiting activities")).click()
    row = alice.locator("#waiting-list li").filter(has_text="Ringing you")
    expect(row).to_contain_text("Jana Dvořák")
    row.get_by_role("button", name="Accept").click()
    expect(tab(alice, "Jana Dvořák")).to_have_attribute("aria-current", "page")


def test_postpone_parks_the_chat_in_postponed_activities_until_resumed(worker, browser, sales):
    # given: Alice chats with a customer
    agent_in(sales, "alice", "Alice Novak")
    alice = agent_browser(browser, worker, "alice")
    customer_writes(sales.channel_accounts.get(), "Call me later", name="Jana Dvořák")
    notification(alice, "Jana Dvořák").get_by_role("button", name="Accept").click(timeout=SLOW)
    # when: she postpones it without a time
    alice.get_by_role("button", name="Postpone", exact=True).click()
    dialog = alice.get_by_role("dialog", name="Postpone activity")
    dialog.get_by_role("button", name="Postpone", exact=True).click()
    # then: the tab goes, the Postponed badge counts it
    expect(tab(alice, "Jana Dvořák")).to_have_count(0)
    expect(alice.locator("#postponed-count")).to_have_text("1")
    # when: she resumes it from the list
    alice.get_by_role("button", name=re.compile("Postponed activities")).click()
    alice.locator("#postponed-list").get_by_role("button", name="Resume").click()
    # then
    expect(tab(alice, "Jana Dvořák")).to_have_attribute("aria-current", "page")
    expect(chat(alice)).to_contain_text("Postponed by Alice Novak")
    expect(alice.locator("#postponed-count")).to_have_text("0")


def test_the_waiting_and_postponed_lists_close_once_their_activity_opens(worker, browser, sales):
    # given: a customer waits in Sales, where Alice is logged out (nothing rings her)
    agent_in(sales, "alice", "Alice Novak", logged_in=False)
    alice = agent_browser(browser, worker, "alice")
    customer_writes(sales.channel_accounts.get(), "Hello?", name="Jana Dvořák")
    waiting = alice.get_by_role("button", name="Waiting activities", exact=True)
    expect(alice.locator("#waiting-count")).to_have_text("1", timeout=SLOW)
    # when: she accepts it from Waiting activities
    waiting.click()
    alice.locator("#waiting-list").get_by_role("button", name="Accept").click()
    # then: the chat opens and the list closes
    expect(tab(alice, "Jana Dvořák")).to_have_attribute("aria-current", "page")
    expect(alice.locator("#waiting-list")).to_be_hidden()
    expect(waiting).to_have_attribute("aria-expanded", "false")
    # when: she postpones it, then resumes it from Postponed activities
    alice.get_by_role("button", name="Postpone", exact=True).click()
    dialog = alice.get_by_role("dialog", name="Postpone activity")
    dialog.get_by_role("button", name="Postpone", exact=True).click()
    expect(tab(alice, "Jana Dvořák")).to_have_count(0)
    postponed = alice.get_by_role("button", name="Postponed activities", exact=True)
    postponed.click()
    alice.locator("#postponed-list").get_by_role("button", name="Resume").click()
    # then: the chat is back and that list closes too
    expect(tab(alice, "Jana Dvořák")).to_have_attribute("aria-current", "page")
    expect(alice.locator("#postponed-list")).to_be_hidden()
    expect(postponed).to_have_attribute("aria-expanded", "false")


def test_an_invited_agent_is_shown_only_the_controls_they_may_use(worker, browser, sales):
    # given: Alice's chat, to which Bob was invited
    alice_agent = agent_in(sales, "alice", "Alice Novak")
    bob_agent = agent_in(sales, "bob", "Bob Marek")
    identity = IdentityFactory(
        channel_account=sales.channel_accounts.get(), display_name="Jana Dvořák"
    )
    activity = CustomerActivityFactory(identity=identity, owner=alice_agent)
    ParticipantFactory(activity=activity, agent=bob_agent)
    alice = agent_browser(browser, worker, "alice")
    bob = agent_browser(browser, worker, "bob")
    # when: both open it
    for page in (alice, bob):
        tab(page, "Jana Dvořák").click()
        expect(page.get_by_role("region", name="Chat")).to_be_visible()
    # then: the owner has Status, Transfer and Postpone; Bob only what an invited agent may do
    owned = ("Transfer", "Postpone")
    expect(alice.get_by_label("Status")).to_be_visible()
    for name in owned:
        expect(alice.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(bob.get_by_label("Status")).to_be_hidden()
    for name in owned:
        expect(bob.get_by_role("button", name=name, exact=True)).to_be_hidden()
    expect(bob.get_by_role("button", name="Invite", exact=True)).to_be_visible()
    expect(bob.get_by_role("button", name="Leave", exact=True)).to_be_visible()
    # when: Alice leaves, Bob owns the chat, and is shown its controls without a reload
    alice.get_by_role("button", name="Leave", exact=True).click()
    expect(bob.get_by_label("Status")).to_be_visible()
    expect(bob.get_by_role("button", name="Postpone", exact=True)).to_be_visible()


def chat_with_a_follow_up_template(sales, *, hours_ago: float) -> None:
    """Alice's WhatsApp chat with Jana, who last wrote `hours_ago` hours ago, in a queue with
    the approved template "Follow-up" ({{1}} the customer's first name, {{2}} an order)."""
    alice = agent_in(sales, "alice", "Alice Novak")
    TemplateFactory(
        name="Follow-up",
        text="Hello {{1}}, news about {{2}}.",
        whatsapp_name="follow_up",
        whatsapp_parameters=["customer.first_name", "order"],
    )
    identity = IdentityFactory(
        channel_account=sales.channel_accounts.get(),
        provider_user_id=WHATSAPP_CUSTOMER,
        display_name="Jana Dvořák",
        last_inbound_at=timezone.now() - timedelta(hours=hours_ago),
    )
    CustomerActivityFactory(identity=identity, owner=alice)


def send_follow_up(alice, screenshot) -> None:
    """In the approved template's form, the customer's name is filled in: Alice adds the order,
    sends, and sees the template go out with both."""
    picker = alice.get_by_role("group", name="Approved WhatsApp template")
    expect(picker.get_by_label("customer.first_name")).to_have_value("Jana")
    alice.screenshot(path=screenshot)
    picker.get_by_label("order").fill("#1234")
    picker.get_by_role("button", name="Send template").click()
    expect(chat(alice).locator(".msg--out")).to_contain_text("Jana · #1234")


def test_after_24_hours_the_whatsapp_composer_offers_only_approved_templates(
    worker, browser, page, sales, screenshots
):
    # given: Alice's chat with a customer who last wrote 30 hours ago
    chat_with_a_follow_up_template(sales, hours_ago=30)
    alice = agent_browser(browser, worker, "alice")
    # when: she opens the chat
    tab(alice, "Jana Dvořák").click()
    # then: free text is blocked with the reason, and the template picker is offered
    expect(alice.get_by_text("only an approved template")).to_be_visible()
    expect(composer(alice)).to_be_hidden()
    send_follow_up(alice, screenshots / "template-only.png")
    # then: it goes out as WhatsApp's template message, seen on the customer's phone
    open_simulator(page, worker)
    page.get_by_label("Channel account").select_option(label="WhatsApp · Shop")
    expect(page.locator(".bubble--agent")).to_contain_text("follow_up", timeout=SLOW)


def test_an_approved_template_chosen_in_the_window_asks_for_its_parameters(
    worker, browser, sales, screenshots
):
    """#11 item 9: the approved template is never inserted as raw {{1}}/{{2}}."""
    # given: Alice's WhatsApp chat with Jana, who wrote an hour ago; a canned text and an
    # approved template in the queue
    TemplateFactory(name="Thanks", text="Thank you for waiting.", whatsapp_name="")
    chat_with_a_follow_up_template(sales, hours_ago=1)
    alice = agent_browser(browser, worker, "alice")
    alice.set_viewport_size({"width": 1280, "height": 720})
    tab(alice, "Jana Dvořák").click()
    # when: she chooses the approved template under Templates
    alice.get_by_label("Insert template").select_option(label="Follow-up")
    # then: nothing raw is inserted; its parameters are asked for, and it goes out as itself
    expect(composer(alice)).to_have_value("")
    send_follow_up(alice, screenshots / "approved-template-parameters.png")
    # and the free-text composer is back
    expect(alice.get_by_role("group", name="Approved WhatsApp template")).to_be_hidden()
    alice.get_by_label("Insert template").select_option(label="Thanks")
    expect(composer(alice)).to_have_value("Thank you for waiting.")


def test_an_approved_template_is_not_offered_where_the_channel_cannot_send_it(
    worker, browser, sales
):
    """#11 item 9: Viber sends no approved templates."""
    # given: Alice's Viber chat in a queue with an approved WhatsApp template
    alice_agent = agent_in(sales, "alice", "Alice Novak")
    TemplateFactory(name="Thanks", text="Thank you for waiting.", whatsapp_name="")
    TemplateFactory(name="Follow-up", text="Hello {{1}}.", whatsapp_name="follow_up",
                    whatsapp_parameters=["customer.first_name"])  # fmt: skip
    identity = IdentityFactory(
        channel_account=ChannelAccountFactory(name="Viber", queue=sales, viber=True),
        display_name="Jana Dvořák",
        last_inbound_at=timezone.now(),
    )
    CustomerActivityFactory(identity=identity, owner=alice_agent)
    alice = agent_browser(browser, worker, "alice")
    # when: she opens the chat's templates
    tab(alice, "Jana Dvořák").click()
    # then: only the canned text is offered
    templates = alice.get_by_label("Insert template").locator("option")
    expect(templates).to_have_text(["Templates…", "Thanks"])


def test_a_customer_whose_transfer_was_missed_and_rejected_rings_the_agent_ready_again(
    worker, browser, sales
):
    """#11 item 3: declines never strand a customer while an agent is free."""
    # given: four seconds to answer; Carol's chat with Jana is transferred to Alice
    sales.accept_timeout = 4
    sales.save()
    alice_agent = agent_in(sales, "alice", "Alice Novak")
    agent_in(sales, "bob", "Bob Horvat")
    carol = AgentFactory(user__username="carol", display_name="Carol Kral", is_online=True)
    activity = CustomerActivityFactory(
        owner=carol,
        identity__channel_account=sales.channel_accounts.get(),
        identity__display_name="Jana Dvořák",
    )
    alice = agent_browser(browser, worker, "alice")
    bob = agent_browser(browser, worker, "bob")
    activity_transfer(activity_id=activity.pk, agent=carol, to_agent_id=alice_agent.pk)
    # when: Alice misses it (and is paused), then Bob, rung next, rejects it
    expect(notification(alice, "Jana Dvořák")).to_contain_text("Transferred by Carol Kral")
    expect(alice.locator("#pause-button")).to_have_text(
        "Paused · Missed notification", timeout=SLOW
    )
    notification(bob, "Jana Dvořák").get_by_role("button", name="Reject").click(timeout=SLOW)
    expect(notification(bob, "Jana Dvořák")).to_have_count(0)
    # and Alice ends her pause
    alice.locator("#pause-button").click()
    alice.get_by_role("button", name="End pause: I am ready").click()
    # then: Jana rings Alice, who accepts and chats
    notification(alice, "Jana Dvořák").get_by_role("button", name="Accept").click(timeout=SLOW)
    expect(tab(alice, "Jana Dvořák")).to_have_attribute("aria-current", "page")
    expect(notification(bob, "Jana Dvořák")).to_have_count(0)
