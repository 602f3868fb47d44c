"""An agent signs in with a real browser and the workspace connects over the websocket."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.servers import daphne, free_port
from tests.e2e.workspace import sign_in
from tests.factories import PASSWORD, AgentFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agent_signs_in_and_the_workspace_is_connected(asgi_server, page, screenshots):
    # given
    agent = AgentFactory(display_name="Alice Novak", user__username="alice")
    MembershipFactory(agent=agent, queue__number=200, queue__name="Support")
    # when
    page.goto(f"{asgi_server}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.screenshot(path=screenshots / "login.png")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # then
    expect(page.locator("#agent-name")).to_have_text("Alice Novak")
    expect(page.get_by_role("status")).to_have_text("Connected")
    expect(page.get_by_role("region", name="Dashboard")).to_contain_text("200 Support logged in")
    page.screenshot(path=screenshots / "workspace.png")


def test_after_logging_out_the_workspace_asks_for_a_login_again(asgi_server, page):
    # given
    agent = AgentFactory(user__username="bob")
    sign_in(page, asgi_server, "bob")
    expect(page.locator("#agent-name")).to_have_text(agent.display_name)
    # when
    page.get_by_role("button", name="Log out").click()
    # then
    expect(page).to_have_url(re.compile(r"/login/$"))
    page.goto(f"{asgi_server}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))


def test_the_workspace_says_when_its_connection_drops_and_reconnects_by_itself(
    django_db_setup, redis_url, page, tmp_path
):
    # given: an agent connected to a server of this test's own
    agent = AgentFactory(user__username="carol")
    port, log = free_port(), tmp_path / "daphne.log"
    with daphne(port, redis_url, log) as url:
        sign_in(page, url, "carol")
        expect(page.get_by_role("status")).to_have_text("Connected")
    # when: the server is gone
    expect(page.get_by_role("status")).to_contain_text("Disconnected, retrying in")
    # then: it comes back, and so does the page, without a reload
    with daphne(port, redis_url, log):
        expect(page.get_by_role("status")).to_have_text("Connected", timeout=20_000)
        expect(page.locator("#agent-name")).to_have_text(agent.display_name)
