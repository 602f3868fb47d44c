"""The Content-Security-Policy in a real browser: the workspace, with a chat open over its
websocket, the admin and the API docs run under it without one violation, and a script that
slipped into a page would not run."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.workspace import (
    VIEWPORT,
    chat,
    composer,
    customer_writes,
    notification,
    sign_in,
)
from tests.factories import (
    AgentFactory,
    ChannelAccountFactory,
    MembershipFactory,
    QueueFactory,
    SupervisorFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

SLOW = 15_000  # ms: through the worker and the simulator and back
# Every violation a page reports, kept in the page for the test to read.
WATCH_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI} at ${where}`);
});
"""
# An inline script as an injection would add it; resolves with whether it ran.
INJECT_SCRIPT = """
() => new Promise((resolve) => {
  const answer = (directive) => resolve({ ran: window.injected === true, directive });
  document.addEventListener("securitypolicyviolation", (e) => answer(e.effectiveDirective));
  setTimeout(() => answer(null), 2000);
  const script = document.createElement("script");
  script.textContent = "window.injected = true";
  document.body.append(script);
})
"""


def watched_page(browser: Browser) -> tuple[Page, list[str]]:
    """A page of its own that records policy violations, and its console's errors about them."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    return page, console


def violations(page: Page, console: list[str]) -> list[str]:
    reported = page.evaluate("() => window.cspViolations")
    return reported + [line for line in console if "Content Security Policy" in line]


def test_a_workspace_with_an_open_chat_raises_no_violation_and_blocks_an_injected_script(
    worker, browser
):
    # given: Alice in her workspace, connected over the websocket
    queue = QueueFactory(number=100, name="Sales", accept_timeout=60)
    account = ChannelAccountFactory(name="Shop", queue=queue)
    agent = AgentFactory(user__username="alice", display_name="Alice Novak")
    MembershipFactory(agent=agent, queue=queue)
    alice, console = watched_page(browser)
    sign_in(alice, worker, "alice")
    expect(alice.locator("#connection-state")).to_have_text("Connected")
    # when: a customer writes, she accepts, the chat opens and she answers
    customer_writes(account, "Is it in stock?", name="Jana Dvořák")
    card = notification(alice, "Jana Dvořák")
    expect(card).to_be_visible(timeout=SLOW)
    card.get_by_role("button", name="Accept").click()
    expect(chat(alice)).to_contain_text("Is it in stock?")
    composer(alice).fill("Yes, 3 left.")
    composer(alice).press("Enter")
    expect(chat(alice)).to_contain_text("Yes, 3 left.")
    # then: nothing of the page's own was blocked
    assert violations(alice, console) == []
    expect(alice.locator("#connection-state")).to_have_text("Connected")
    # and: a script slipped into it would be blocked, and reported
    assert alice.evaluate(INJECT_SCRIPT) == {"ran": False, "directive": "script-src-elem"}


def test_the_admin_and_the_api_docs_work_under_the_policy(asgi_server, browser):
    # given: a superuser; pages with inlines, related-object widgets, a two-box selector
    SupervisorFactory(username="root", is_superuser=True)
    queue = QueueFactory(name="Sales")
    agent = MembershipFactory(queue=queue).agent
    page, console = watched_page(browser)
    sign_in(page, asgi_server, "root")
    # when
    page.goto(f"{asgi_server}/admin/")
    expect(page.get_by_role("heading", name="Configuration and live state")).to_be_visible()
    page.goto(f"{asgi_server}/admin/contactcenter/queue/{queue.pk}/change/")
    expect(page.locator("#id_statuses_from")).to_be_visible()
    page.get_by_text("Add another Queue membership").click()
    page.goto(f"{asgi_server}/admin/contactcenter/agent/{agent.pk}/change/")
    expect(page.locator(".select2-container").first).to_be_visible()
    page.goto(f"{asgi_server}/admin/messaging/channelaccount/add/")
    expect(page.get_by_label("Access token")).to_be_visible()
    page.goto(f"{asgi_server}/api/docs/")
    # Swagger UI draws the whole schema (600 KB, every resource) first: seconds on a busy machine
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Contact center API", timeout=SLOW
    )
    expect(page.get_by_text("/api/v1/queues/").first).to_be_visible()
    # then
    assert violations(page, console) == []
    assert page.evaluate(INJECT_SCRIPT) == {"ran": False, "directive": "script-src-elem"}
