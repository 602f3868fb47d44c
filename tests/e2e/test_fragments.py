"""The workspace loads its server-rendered parts with htmx: an activity's screen or widget the
server refuses, fails or never answers changes nothing outside that screen's own section, and
never replaces the workspace."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from contactcenter.events import ACTIVITY_UPDATED, activity_changed, publish_rollback_unsafe
from contactcenter.events.transport import agent_streams
from contactcenter.events.workspace import ActivityChanged
from contactcenter.models import Offer, QueueWidget, WidgetKind
from contactcenter.selectors import activities_in_detail
from contactcenter.serializers import ActivityDetailSerializer
from contactcenter.services.availability import pause_start
from contactcenter.services.offers import offer_accept
from contactcenter.services.routing import activity_route
from contactcenter.services.sharing import activity_invite, activity_leave
from tests.e2e.workspace import agent_browser, notification, tab
from tests.factories import (
    AgentFactory,
    CustomerActivityFactory,
    MembershipFactory,
    OnlineAgentFactory,
    PauseReasonFactory,
    QueueFactory,
    StatusFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

SCREEN = re.compile(r"/workspace/activities/\d+/$")
NOT_LOADED = "This activity could not be loaded; reload the page."


def test_a_screen_the_server_no_longer_gives_the_agent_closes_quietly(asgi_server, browser):
    # given: Alice's chat with Jana, whose screen the server answers with 404 (the chat was
    # closed or transferred a moment ago)
    alice = AgentFactory(user__username="alice", display_name="Alice Novak")
    CustomerActivityFactory(owner=alice, identity__display_name="Jana Dvořák")
    page = agent_browser(browser, asgi_server, "alice")
    page.route(SCREEN, lambda route: route.fulfill(status=404, body="<h1>Not Found</h1>"))
    # when: she opens its tab
    with page.expect_request(SCREEN):
        tab(page, "Jana Dvořák").click()
    # then: she is back where she was, and nothing of the answer is on the page
    expect(page).to_have_url(re.compile(r"#dashboard$"))
    expect(page.get_by_role("region", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("region", name="Activity: Jana Dvořák")).to_have_count(0)
    expect(page.get_by_text("Not Found")).to_have_count(0)
    expect(page.get_by_text(NOT_LOADED)).to_have_count(0)
    expect(page.locator("#connection-state")).to_have_text("Connected")


def test_a_screen_that_cannot_be_loaded_says_so_in_its_own_section(asgi_server, browser):
    # given: two chats of Alice's; the server fails Jana's screen, Petr's gets no answer
    alice = AgentFactory(user__username="alice", display_name="Alice Novak")
    jana = CustomerActivityFactory(owner=alice, identity__display_name="Jana Dvořák")
    petr = CustomerActivityFactory(owner=alice, identity__display_name="Petr Novák")
    page = agent_browser(browser, asgi_server, "alice")
    page.route(
        f"**/workspace/activities/{jana.pk}/",
        lambda route: route.fulfill(status=500, body="<h1>Server Error (500)</h1>"),
    )
    page.route(f"**/workspace/activities/{petr.pk}/", lambda route: route.abort())
    # when: she opens Jana's tab
    tab(page, "Jana Dvořák").click()
    # then: the screen says so in its own section, the error page is nowhere
    expect(page.get_by_role("region", name="Activity: Jana Dvořák")).to_have_text(NOT_LOADED)
    expect(tab(page, "Jana Dvořák")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("Server Error")).to_have_count(0)
    # when: she opens Petr's
    tab(page, "Petr Novák").click()
    # then: the same, and the workspace around the screens is as it was
    expect(page.get_by_role("region", name="Activity: Petr Novák")).to_have_text(NOT_LOADED)
    expect(tab(page, "Petr Novák")).to_have_attribute("aria-current", "page")
    expect(page.locator("#activity-tabs").get_by_role("button")).to_have_count(2)
    expect(page.locator("#connection-state")).to_have_text("Connected")


def with_side_widgets(queue) -> None:
    """The queue's screens show the contact and ticket widgets beside the chat: both are drawn
    again, each by a request of its own, whenever the activity changes."""
    QueueWidget.objects.create(queue=queue, kind=WidgetKind.CONTACT, position=1)
    QueueWidget.objects.create(queue=queue, kind=WidgetKind.TICKET, position=2)


def janas_chat_with_widgets(asgi_server, browser) -> tuple[Page, list[str], Locator]:
    """Alice's page, its script errors from now on, and her chat with Jana on screen with the
    contact and ticket widgets beside it."""
    alice = AgentFactory(user__username="alice", display_name="Alice Novak")
    activity = CustomerActivityFactory(owner=alice, identity__display_name="Jana Dvořák")
    with_side_widgets(activity.queue)
    page = agent_browser(browser, asgi_server, "alice")
    errors = page_errors(page)
    tab(page, "Jana Dvořák").click()
    return page, errors, page.get_by_role("region", name="Activity: Jana Dvořák")


def page_errors(page: Page) -> list[str]:
    """The uncaught script errors of the page, from now on."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def assert_workspace_intact(page: Page, errors: list[str]) -> None:
    """The workspace is still there, live, and nothing threw."""
    expect(page.get_by_role("navigation", name="Open activities")).to_be_attached()
    expect(page.locator("#connection-state")).to_have_text("Connected")
    expect(page.get_by_text("Not Found")).to_have_count(0)
    assert errors == []


def test_leaving_right_after_a_colleague_joins_never_replaces_the_workspace(asgi_server, browser):
    """#11 item 2: the owner chooses a status and leaves as the colleague joins, while the
    widgets beside the chat are being drawn again; ten times over."""
    # given: Alice owns ten chats in a queue with side widgets; Bob is online
    queue = QueueFactory()
    queue.statuses.add(StatusFactory(name="Resolved"))
    with_side_widgets(queue)
    alice = AgentFactory(user__username="alice", display_name="Alice Novak", max_open_chats=10)
    bob = OnlineAgentFactory(display_name="Bob Horvat", max_open_chats=10)
    chats = [
        CustomerActivityFactory(
            owner=alice,
            identity__channel_account__queue=queue,
            identity__display_name=f"Customer {n}",
        )
        for n in range(10)
    ]
    page = agent_browser(browser, asgi_server, "alice")
    errors = page_errors(page)
    workspace_url = page.url.split("#")[0]
    for n, chat in enumerate(chats):
        tab(page, f"Customer {n}").click()
        screen = page.get_by_role("region", name=f"Activity: Customer {n}")
        expect(screen.locator(".widget--ticket")).to_be_visible()
        # when: Bob accepts her invitation, and within moments she picks a status and leaves
        activity_invite(activity_id=chat.pk, agent=alice, to_agent_id=bob.pk)
        offer_accept(offer_id=Offer.objects.get(activity=chat).pk, agent=bob)
        leave = screen.get_by_role("button", name="Leave")
        expect(leave).to_be_visible()
        screen.get_by_label("Status").select_option(label="Resolved")
        leave.click()
        # then: her tab closes, and the workspace stays as it was
        expect(tab(page, f"Customer {n}")).to_have_count(0)
        assert page.url.split("#")[0] == workspace_url
        assert_workspace_intact(page, errors)


def test_news_of_a_chat_she_left_that_arrives_late_never_brings_its_tab_back(asgi_server, browser):
    """#11 item 2, as CI met it: her status change and her Leave run side by side on the
    server, and the status change's news, read before or after her Leave, can be numbered
    after it."""
    # given: Alice's chat with Jana, shared with Bob, on her screen
    alice = AgentFactory(user__username="alice", display_name="Alice Novak")
    bob = OnlineAgentFactory(display_name="Bob Horvat")
    chat = CustomerActivityFactory(owner=alice, identity__display_name="Jana Dvořák")
    activity_invite(activity_id=chat.pk, agent=alice, to_agent_id=bob.pk)
    offer_accept(offer_id=Offer.objects.get(activity=chat).pk, agent=bob)
    page = agent_browser(browser, asgi_server, "alice")
    errors = page_errors(page)
    tab(page, "Jana Dvořák").click()
    expect(page.get_by_role("button", name="Leave")).to_be_visible()
    read_before = ActivityDetailSerializer(activities_in_detail().get(pk=chat.pk)).data
    # when: she leaves, then hears of the chat as it was before she left, and as it is after
    activity_leave(activity_id=chat.pk, agent=alice)
    expect(tab(page, "Jana Dvořák")).to_have_count(0)
    stale = ActivityChanged(type=ACTIVITY_UPDATED, activity=read_before)
    publish_rollback_unsafe(agent_streams([alice.pk]), stale)
    activity_changed(ACTIVITY_UPDATED, chat.pk, [alice.pk])
    pause_start(agent=alice, reason_id=PauseReasonFactory(name="Lunch").pk)
    # then: once the news after them has shown, her tab is still gone
    expect(page.locator("#pause-button")).to_have_text("Paused · Lunch")
    expect(tab(page, "Jana Dvořák")).to_have_count(0)
    expect(page.get_by_role("region", name="Dashboard")).to_be_visible()
    assert_workspace_intact(page, errors)


def test_a_widget_the_server_no_longer_gives_the_agent_closes_its_screen_quietly(
    asgi_server, browser
):
    # given: Alice's chat with Jana on screen; the server now answers its widgets 404 (she
    # left or closed it a moment ago, her page has not heard yet)
    page, errors, screen = janas_chat_with_widgets(asgi_server, browser)
    expect(screen.locator(".widget--ticket")).to_be_visible()
    page.route("**/widgets/**", lambda route: route.fulfill(status=404, body="<h1>Not Found</h1>"))
    # when: the activity changes, so the widgets are drawn again
    with page.expect_request("**/widgets/**"):
        screen.get_by_role("button", name="Important").click()
    # then: she is back on the dashboard, with nothing of the answer on the page
    expect(page.get_by_role("region", name="Dashboard")).to_be_visible()
    expect(screen).to_have_count(0)
    assert_workspace_intact(page, errors)


@pytest.mark.parametrize("status", [403, 500])
def test_a_widget_the_server_refuses_or_fails_stays_as_it_was(asgi_server, browser, status):
    # given: Alice's chat with Jana on screen; the server now refuses or fails its widgets
    page, errors, screen = janas_chat_with_widgets(asgi_server, browser)
    ticket = screen.locator(".widget--ticket")
    expect(ticket).to_be_visible()
    page.route("**/widgets/**", lambda route: route.fulfill(status=status, body="<h1>Error</h1>"))
    # when: the activity changes, so the widgets are drawn again
    with page.expect_response("**/widgets/**"):
        screen.get_by_role("button", name="Important").click()
    # then: the chat and its widgets stay as they were
    expect(screen.get_by_role("button", name="Important")).to_have_attribute("aria-pressed", "true")
    expect(ticket).to_be_visible()
    expect(page.get_by_text("Error", exact=True)).to_have_count(0)
    expect(tab(page, "Jana Dvořák")).to_have_attribute("aria-current", "page")
    assert_workspace_intact(page, errors)


def test_a_part_of_the_panel_gone_from_the_page_stops_no_notification(asgi_server, browser):
    """A fragment that took a part of the workspace's place (the Postponed list here) must not
    stop the rest from being drawn: the static panel skips what is not there."""
    # given: Alice in her queue, her Postponed list gone from the page
    queue = QueueFactory()
    alice = AgentFactory(user__username="alice", display_name="Alice Novak")
    MembershipFactory(agent=alice, queue=queue)
    page = agent_browser(browser, asgi_server, "alice")
    errors = page_errors(page)
    page.locator("#postponed-list").evaluate("(list) => list.remove()")
    # when: a customer's chat rings her
    waiting = CustomerActivityFactory(
        state="waiting",
        owner=None,
        identity__channel_account__queue=queue,
        identity__display_name="Jana Dvořák",
    )
    activity_route(activity_id=waiting.pk)
    # then: the notification shows, and nothing threw
    expect(notification(page, "Jana Dvořák")).to_be_visible()
    assert_workspace_intact(page, errors)
