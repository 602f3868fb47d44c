"""The Articles widget in a real browser: the agent reads the knowledge base beside the chat,
gets suggestions from what the customer wrote, searches, reads an article in place and goes
Back, opens it in the Knowledge base module, and inserts it into the reply the customer then
receives; Markdown that tries to run script stays inert."""

import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from contactcenter.models import QueueWidget
from knowledgebase.services import folder_create
from tests.e2e.workspace import agent_browser, chat, composer, notification, open_simulator, tab
from tests.factories import (
    AgentFactory,
    ChannelAccountFactory,
    MembershipFactory,
    QueueFactory,
    StatusFactory,
)
from tests.knowledgebase.helpers import article, editor
from tests.knowledgebase.test_services import PNG

pytestmark = pytest.mark.django_db(transaction=True)

SLOW = 15_000
SIZES = [(1280, 720), (1920, 1080)]
UNSAFE = (
    "Careful.\n\n<script>window.pwned = 'script'</script>\n\n"
    "[a trap](javascript:window.pwned='link') and <a href=\"javascript:window.pwned='a'\">"
    'another</a>\n\n<img src="/missing.png" onerror="window.pwned=\'onerror\'" alt="broken">'
    "\n\n<p onmouseover=\"window.pwned='hover'\">Hover me</p>"
)


@pytest.fixture
def support():
    """Queue 200 Support on a WhatsApp number, its screen with the Articles widget, Alice in
    it; articles for Support, for every queue, and one for Sales only."""
    queue = QueueFactory(number=200, name="Support", accept_timeout=60)
    queue.statuses.add(StatusFactory(name="Resolved"))
    QueueWidget.objects.create(queue=queue, kind="articles", position=0)
    ChannelAccountFactory(name="Shop", queue=queue)
    agent = AgentFactory(user__username="alice", display_name="Alice Novak")
    MembershipFactory(agent=agent, queue=queue)
    sales = QueueFactory(number=100, name="Sales")
    author = editor()
    orders = folder_create(actor=author, name="Orders and delivery")
    returns = folder_create(actor=author, name="Returns and refunds", parent=orders)
    folder_create(actor=author, name="Products")
    article("Returning an order", "Customers may return any item within **30 days**.\n\n"
            "The refund is paid within 5 working days.", queues=[queue], public=True,
            author=author, folder=returns)  # fmt: skip
    article("Delivery times", "| Destination | Delivery |\n|---|---|\n| EU | 3-5 days |\n\n"
            "Parcels leave the warehouse daily.", author=author, folder=orders)  # fmt: skip
    article("Discounts for resellers", "Only Sales offers discounts; refund rules differ.",
            queues=[sales], author=author)  # fmt: skip
    return queue


def customer_page(page: Page, base_url: str, text: str) -> None:
    """The customer on their phone (the simulator) writes `text` as Jana."""
    open_simulator(page, base_url)
    page.get_by_label("Channel account").select_option(label="WhatsApp · Shop")
    page.get_by_label("Name").fill("Jana Dvořák")
    page.get_by_label("Message").fill(text)
    page.get_by_label("Message").press("Enter")


def test_the_agent_reads_searches_opens_and_inserts_an_article_the_customer_receives(
    worker, browser, page, support, screenshots
):
    # given: Jana asks about returning her order; Alice accepts
    alice = agent_browser(browser, worker, "alice")
    customer_page(page, worker, "Hello, can I return my order and get a refund?")
    notification(alice, "Jana Dvořák").get_by_role("button", name="Accept").click(timeout=SLOW)
    widget = alice.get_by_role("region", name="Articles", exact=True)
    # then: the widget suggests the return article from what she wrote, and lists the articles
    # of Support and of every queue, never Sales's
    suggested = widget.get_by_role("list", name="Suggested articles")
    expect(suggested.get_by_role("listitem").first).to_contain_text("Returning an order")
    expect(suggested.locator("mark").first).to_be_visible()
    listed = widget.get_by_role("list", name="Articles", exact=True)
    expect(listed.get_by_role("link")).to_have_text(["Delivery times", "Returning an order"])
    expect(widget).not_to_contain_text("Discounts for resellers")
    for width, height in SIZES:
        alice.set_viewport_size({"width": width, "height": height})
        alice.screenshot(path=screenshots / f"articles-widget-{width}x{height}.png")
    # when: she searches
    widget.get_by_role("searchbox", name="Search articles").fill("parcels warehouse")
    # then: the match, with its words highlighted
    results = widget.get_by_role("list", name="Search results")
    expect(results.get_by_role("link")).to_have_text(["Delivery times"])
    expect(results.locator("mark").first).to_have_text(
        re.compile("parcels|warehouse", re.IGNORECASE)
    )
    # when: she reads it in the widget, then goes Back
    results.get_by_role("link", name="Delivery times").click()
    reading = widget.get_by_role("article", name="Article: Delivery times")
    expect(reading.get_by_role("table")).to_contain_text("3-5 days")
    for width, height in SIZES:
        alice.set_viewport_size({"width": width, "height": height})
        alice.screenshot(path=screenshots / f"articles-widget-article-{width}x{height}.png")
    widget.get_by_role("button", name="Back").click()
    expect(widget.get_by_role("list", name="Suggested articles")).to_be_visible()
    # when: she opens the return article in the Knowledge base module
    widget.get_by_role("link", name="Returning an order").first.click()
    widget.get_by_role("button", name="Open in Knowledge base").click()
    # then: the module shows it, in its folder tree
    module = alice.locator('[data-screen="knowledge-base"]')
    expect(module.get_by_role("article", name="Article: Returning an order")).to_contain_text(
        "30 days"
    )
    expect(module.get_by_role("navigation", name="Folders")).to_be_visible()
    # when: back on the chat she inserts the article's link, then its text, and sends
    tab(alice, "Jana Dvořák").click()
    box = composer(alice)
    box.fill("See: ")
    widget.get_by_role("button", name="Insert link into reply").click()
    expect(box).to_have_value(re.compile(r"^See: http://127\.0\.0\.1:\d+/kb/p/[0-9a-f-]{36}/$"))
    link = box.input_value().removeprefix("See: ")
    box.press("Enter")
    expect(box).to_have_value("")
    widget.get_by_role("button", name="Insert text into reply").click()
    expect(box).to_have_value(
        "Returning an order\n\nCustomers may return any item within 30 days.\n"
        "The refund is paid within 5 working days."
    )
    alice.get_by_role("button", name="Send", exact=True).click()
    # then: Jana receives both on her phone, and the link opens the article for her
    replies = page.locator(".bubble--agent")
    expect(replies).to_have_count(2, timeout=SLOW)
    expect(replies.nth(0)).to_contain_text(link)
    expect(replies.nth(1)).to_contain_text("Customers may return any item within 30 days.")
    expect(chat(alice).locator(".msg--out")).to_have_count(2)
    page.goto(link)
    expect(page.get_by_role("heading", name="Returning an order")).to_be_visible()


def test_the_module_lists_folders_searches_with_snippets(worker, browser, support, screenshots):
    # given
    alice = agent_browser(browser, worker, "alice")
    # when: she opens the Knowledge base and searches
    alice.get_by_role("link", name="Knowledge base").click()
    module = alice.locator('[data-screen="knowledge-base"]')
    expect(
        module.get_by_role("list", name="Articles", exact=True).get_by_role("link")
    ).to_have_text(["Delivery times", "Returning an order"])
    module.get_by_role("searchbox", name="Search articles").fill("refund")
    # then: only Support's article matches for her (Sales's mentions a refund too)
    results = module.get_by_role("list", name="Search results")
    expect(results.get_by_role("link")).to_have_text(["Returning an order"])
    expect(results.locator("mark")).to_have_text(["refund"])
    for width, height in SIZES:
        alice.set_viewport_size({"width": width, "height": height})
        alice.screenshot(path=screenshots / f"kb-module-search-{width}x{height}.png")
    results.get_by_role("link", name="Returning an order").click()
    expect(module.get_by_role("article", name="Article: Returning an order")).to_be_visible()
    for width, height in SIZES:
        alice.set_viewport_size({"width": width, "height": height})
        alice.screenshot(path=screenshots / f"kb-module-article-{width}x{height}.png")


def test_markdown_that_tries_to_run_script_is_inert(worker, browser, page, support):
    # given: an article whose Markdown carries a script, javascript: links and event handlers
    article("Unsafe article", UNSAFE)
    alice = agent_browser(browser, worker, "alice")
    customer_page(page, worker, "Hello")
    notification(alice, "Jana Dvořák").get_by_role("button", name="Accept").click(timeout=SLOW)
    widget = alice.get_by_role("region", name="Articles", exact=True)
    # when: she reads it in the widget, hovers and clicks everything in it
    widget.get_by_role("link", name="Unsafe article").click()
    reading = widget.get_by_role("article", name="Article: Unsafe article")
    expect(reading).to_contain_text("Careful.")
    reading.get_by_text("Hover me").hover()
    reading.get_by_text("another").click()
    reading.get_by_text("a trap").click()
    # and in the module
    widget.get_by_role("button", name="Open in Knowledge base").click()
    module = alice.locator('[data-screen="knowledge-base"]')
    expect(module.get_by_role("article", name="Article: Unsafe article")).to_be_visible()
    module.get_by_text("Hover me").hover()
    # then: nothing ran, and nothing that could run is on the page
    assert alice.evaluate("() => window.pwned") is None
    assert alice.locator(".kb-body script, .kb-body [onerror], .kb-body [onmouseover]").count() == 0
    assert alice.locator('.kb-body a[href^="javascript" i]').count() == 0
    expect(alice.locator(".kb-body img[alt=broken]").first).to_be_attached()


def test_an_agent_with_the_permission_writes_illustrates_and_publishes_an_article(
    worker, browser, support, screenshots, tmp_path
):
    # given: Alice keeps the knowledge base
    alice_user = AgentFactory._meta.model.objects.get(display_name="Alice Novak").user
    alice_user.user_permissions.add(Permission.objects.get(codename="change_article"))
    alice = agent_browser(browser, worker, "alice")
    alice.get_by_role("link", name="Knowledge base").click()
    module = alice.locator('[data-screen="knowledge-base"]')
    # when: she writes a draft for Support
    module.get_by_role("button", name="New article").click()
    form = module.get_by_role("form", name="New article")
    form.get_by_label("Title").fill("Opening hours")
    form.get_by_label("Folder").select_option(label="Products")
    form.get_by_label("Text").fill("We are open from **nine** to five.")
    form.get_by_label("Queues").select_option(label=str(support))
    form.get_by_role("button", name="Save").click()
    # then: its page, a draft, with Publish
    page = module.get_by_role("article", name="Article: Opening hours")
    expect(page.locator(".kb-body strong")).to_have_text("nine")
    expect(page.locator(".pill")).to_have_text("Draft")
    # when: she adds a picture and puts it into the text
    page.get_by_role("button", name="Edit").click()
    picture = tmp_path / "shop.png"
    picture.write_bytes(PNG)
    module.get_by_label("Picture", exact=True).set_input_files(picture)
    module.get_by_role("button", name="Upload").click()
    markdown = module.get_by_role("status").locator("code")
    expect(markdown).to_have_text(re.compile(r"^!\[shop\.png\]\(/kb/images/\d+/\)$"))
    text = module.get_by_label("Text", exact=True)
    text.fill(text.input_value() + "\n\n" + markdown.inner_text())
    for width, height in SIZES:
        alice.set_viewport_size({"width": width, "height": height})
        alice.screenshot(path=screenshots / f"kb-module-edit-{width}x{height}.png")
    module.get_by_role("button", name="Save").click()
    # and publishes it
    module.get_by_role("button", name="Publish").click()
    # then: published, the picture shown, and two revisions kept
    expect(page.locator(".pill")).to_have_text("Published")
    image = page.locator(".kb-body img[alt='shop.png']")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 1
    expect(page.get_by_role("list", name="Revisions").get_by_role("listitem")).to_have_count(2)
    for width, height in SIZES:
        alice.set_viewport_size({"width": width, "height": height})
        alice.screenshot(path=screenshots / f"kb-module-editor-{width}x{height}.png")
