"""#11 item 1: the most common agent screens are laptops (1366x768, 1280x720). Every open chat
stays reachable there with a pause shown: the tabs keep readable names, those that do not fit
are listed under a More control, and that control flashes when a chat it lists has news."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from messaging.services.webhooks import webhook_delivery_receive, webhook_event_process
from tests.e2e.workspace import sign_in, tab
from tests.factories import (
    AgentFactory,
    CustomerActivityFactory,
    PauseFactory,
    PauseReasonFactory,
)
from tests.messaging import payloads

pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMERS = [
    "Jana Dvořáková",
    "Petr Novák",
    "Marie Svobodová",
    "Tomáš Procházka",
    "Lucie Černá",
    "Martin Kučera",
]
READABLE = 96  # px: the channel's dot and about eight letters of the name
FLASHING = re.compile(r"\bflash\b|--flash\b")


@pytest.fixture
def six_chats_and_a_pause():
    """Alice owns six open chats (oldest first, as her tabs show them) and is on the unpaid
    missed-notification pause, the longest label the pause button shows."""
    alice = AgentFactory(user__username="alice", display_name="Alice Novak", max_open_chats=6)
    chats = [
        CustomerActivityFactory(owner=alice, identity__display_name=name) for name in CUSTOMERS
    ]
    PauseFactory(agent=alice, reason=PauseReasonFactory(name="Missed notification", paid=False))
    return chats


def workspace_at(browser: Browser, base_url: str, width: int, height: int) -> Page:
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    sign_in(page, base_url, "alice")
    expect(page.locator("#connection-state")).to_have_text("Connected")
    expect(page.locator("#pause-button")).to_have_text("Paused · Missed notification")
    return page


def more_button(page: Page):
    return page.get_by_role("button", name=re.compile(r"more open chats"))


def more_list(page: Page):
    return page.get_by_role("list", name="More open chats")


def shown_tabs(page: Page) -> list[str]:
    """The customers whose tabs are on screen, each checked to be readable: wide enough for
    its name and wholly inside the window."""
    strip = page.locator("#activity-tabs").bounding_box()
    names = []
    tabs = page.locator("#activity-tabs").get_by_role("button")
    for n in range(tabs.count()):
        box = tabs.nth(n).bounding_box()
        assert box["width"] >= READABLE, tabs.nth(n).inner_text()
        assert strip["x"] <= box["x"] and box["x"] + box["width"] <= strip["x"] + strip["width"]
        names.append(tabs.nth(n).inner_text().strip())
    return names


def customer_writes(chat, text: str) -> None:
    """The chat's customer writes on WhatsApp: the webhook as the worker applies it."""
    body = payloads.encode(
        payloads.whatsapp_text(
            chat.channel_account.provider_account_id,
            f"wamid.{chat.pk}.{text}",
            text,
            wa_id=chat.identity.provider_user_id,
            name=chat.identity.display_name,
        )
    )
    event = webhook_delivery_receive(
        account=chat.channel_account, headers={}, body=body, verified=True
    )
    webhook_event_process(event_id=event.pk)


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1366, 768)])
def test_on_a_laptop_every_open_chat_stays_reachable_and_its_flash_visible(
    asgi_server, browser, six_chats_and_a_pause, screenshots, width, height
):
    # given: Alice's workspace on a laptop screen, six chats open and the pause shown
    page = workspace_at(browser, asgi_server, width, height)
    # then: the tabs that fit are readable; the More control lists the rest
    expect(more_button(page)).to_be_visible()
    shown = shown_tabs(page)
    assert len(shown) >= 2
    more_button(page).click()
    listed = more_list(page).get_by_role("button").all_inner_texts()
    assert [name.strip() for name in listed] == CUSTOMERS[len(shown) :]
    assert shown == CUSTOMERS[: len(shown)]
    page.screenshot(path=screenshots / f"tabs-{width}x{height}-more-open.png")
    page.keyboard.press("Escape")
    page.screenshot(path=screenshots / f"tabs-{width}x{height}.png")
    # when: the customer of the last chat, listed under More, writes
    customer_writes(six_chats_and_a_pause[-1], "Are you there?")
    # then: the More control flashes
    expect(more_button(page)).to_have_class(FLASHING)
    page.screenshot(path=screenshots / f"tabs-{width}x{height}-flashing.png")
    # when: she opens the chat from the list
    more_button(page).click()
    more_list(page).get_by_role("button", name=CUSTOMERS[-1]).click()
    # then: its tab is on screen, shown, and nothing flashes any more
    expect(tab(page, CUSTOMERS[-1])).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("Are you there?")).to_be_visible()
    assert CUSTOMERS[-1] in shown_tabs(page)
    expect(more_button(page)).not_to_have_class(FLASHING)
    expect(page.locator(".tab--flash")).to_have_count(0)
    page.screenshot(path=screenshots / f"tabs-{width}x{height}-opened-from-more.png")


def test_on_a_wide_screen_all_six_tabs_are_shown(
    asgi_server, browser, six_chats_and_a_pause, screenshots
):
    # given: Alice's workspace on a 1920x1080 screen, six chats open and the pause shown
    page = workspace_at(browser, asgi_server, 1920, 1080)
    # then: every tab is on screen and readable, and nothing is listed under More
    expect(tab(page, CUSTOMERS[-1])).to_be_visible()
    assert shown_tabs(page) == CUSTOMERS
    expect(more_button(page)).to_be_hidden()
    page.screenshot(path=screenshots / "tabs-1920x1080.png")
