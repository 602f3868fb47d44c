"""Driving the agent workspace in tests: signing agents in, each in a browser of their own, and
customers writing through the simulator's real webhooks."""

from playwright.sync_api import Browser, Page, expect

from messaging.models import ChannelAccount
from simulator.customers import customer_message_send
from tests.factories import PASSWORD, SupervisorFactory

VIEWPORT = {"width": 1400, "height": 900}
WHATSAPP_CUSTOMER = "16505551234"


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_in_to_admin(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def open_simulator(page: Page, base_url: str) -> None:
    """The simulator's customer page, signed in as it requires: as staff."""
    staff = SupervisorFactory()
    page.goto(f"{base_url}/login/?next=/simulator/")
    page.get_by_label("Username").fill(staff.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Provider simulator")).to_be_visible()


def agent_browser(browser: Browser, base_url: str, username: str) -> Page:
    """A browser window of its own, signed in, with the workspace connected."""
    page = browser.new_context(viewport=VIEWPORT).new_page()
    sign_in(page, base_url, username)
    expect(page.locator("#connection-state")).to_have_text("Connected")
    return page


def customer_writes(
    account: ChannelAccount, text: str, *, customer_id: str = WHATSAPP_CUSTOMER, name: str = ""
) -> None:
    """The customer sends `text` on the account's channel: the simulator posts the provider's
    signed webhook to the server, through the worker."""
    customer_message_send(account=account, customer_id=customer_id, name=name, text=text)


def notification(page: Page, customer: str):
    return page.get_by_role("article", name=f"Notification: {customer}")


def chat(page: Page):
    """The chat history of the activity on screen."""
    return page.locator(".screen:not([hidden]) .chat__items")


def composer(page: Page):
    return page.locator(".screen:not([hidden])").get_by_role("textbox", name="Message")


def tab(page: Page, customer: str):
    """The activity's tab in the static panel."""
    return page.locator("#activity-tabs").get_by_role("button", name=customer)
