"""The workspace loads its server-rendered parts with htmx: an activity's screen the server
refuses, fails or never answers changes nothing outside that screen's own section."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.workspace import agent_browser, tab
from tests.factories import AgentFactory, CustomerActivityFactory

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
