"""An agent makes an API token on the API tokens page, sees it once, calls the API with it,
revokes it, and the token is refused from then on; on a laptop and on a wide screen. A
supervisor does the same for an integration account in the admin."""

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.workspace import sign_in, sign_in_to_admin
from tests.factories import AgentFactory, ApiTokenFactory, GroupSupervisorFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_an_agent_makes_uses_and_revokes_a_token(
    asgi_server, browser: Browser, screenshots, width, height
):
    # given: Alice in her workspace, with a token she made earlier
    agent = AgentFactory(display_name="Alice Novak", user__username="alice")
    ApiTokenFactory(user=agent.user, name="Reports export")
    context = browser.new_context(viewport={"width": width, "height": height})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    errors: list[str] = []  # in any page: script errors, refusals by the policy
    context.on("weberror", lambda error: errors.append(str(error.error)))
    context.on("console", lambda message: message.type == "error" and errors.append(message.text))
    workspace = context.new_page()
    sign_in(workspace, asgi_server, "alice")
    # when: she opens API tokens from the workspace's menu (in a tab of its own, so that the
    # workspace keeps ringing) and makes a read-and-write token
    menu = workspace.get_by_role("navigation", name="Main menu")
    with context.expect_page() as opened:
        menu.get_by_role("link", name="API tokens").click()
    page = opened.value
    # a tab just opened: its scripts (htmx, which sends the form) run before its load event
    page.wait_for_load_state("load")
    page.get_by_label("Name").fill("Nightly CRM sync")
    page.get_by_label("Scope").select_option(label="Read and write")
    page.get_by_role("button", name="Make token").click()
    # then: the token, once, with a Copy button that copies it
    new_token = page.get_by_label("The new token")
    expect(page.get_by_text("it will not be shown again")).to_be_visible()
    plaintext = new_token.input_value()
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied to the clipboard.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == plaintext
    page.screenshot(path=screenshots / f"api-tokens-new-{width}x{height}.png")
    # and it calls the API as Alice
    me = httpx.get(f"{asgi_server}/api/v1/me/", headers={"Authorization": f"Bearer {plaintext}"})
    assert (me.status_code, me.json()["username"]) == (200, "alice")
    # when: she comes back to the page, the token is listed by its first characters only
    page.reload()
    expect(new_token).to_have_count(0)
    row = page.get_by_role("row").filter(has_text="Nightly CRM sync")
    expect(row).to_contain_text(f"{plaintext[:12]}…")
    expect(row).to_contain_text("Read and write")
    expect(row).to_contain_text("active")
    page.screenshot(path=screenshots / f"api-tokens-list-{width}x{height}.png")
    # and revokes it, confirming in the dialog
    row.get_by_role("button", name="Revoke").click()
    dialog = page.get_by_role("dialog", name="Revoke token")
    expect(dialog).to_contain_text("Nightly CRM sync")
    dialog.get_by_role("button", name="Revoke").click()
    # then: revoked, and refused by the API
    expect(page.get_by_role("status")).to_contain_text("Revoked “Nightly CRM sync”")
    expect(row).to_contain_text("revoked")
    refused = httpx.get(
        f"{asgi_server}/api/v1/me/", headers={"Authorization": f"Bearer {plaintext}"}
    )
    assert (refused.status_code, refused.json()["code"]) == (401, "token_revoked")
    assert errors == []


def test_a_supervisor_makes_an_integration_account_and_its_token_in_the_admin(
    asgi_server, browser: Browser, screenshots
):
    # given: a supervisor in the back office
    staff = GroupSupervisorFactory()
    page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in_to_admin(page, asgi_server, staff.username)
    # when: she adds an integration account, then a read-and-write token for it
    page.get_by_role("row", name="Integration accounts").get_by_role("link", name="Add").click()
    page.get_by_label("Username").fill("erp")
    page.get_by_label("Name:", exact=True).fill("ERP")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("link", name="erp", exact=True).first.click()
    make_token = page.get_by_role("link", name="Make an API token for it")
    expect(make_token).to_be_visible()
    page.screenshot(path=screenshots / "admin-integration-account-1280x720.png")
    make_token.click()
    page.get_by_label("Name:", exact=True).fill("Orders import")
    page.get_by_label("Scope").select_option(label="Read and write")
    page.screenshot(path=screenshots / "admin-api-token-add-1280x720.png")
    page.get_by_role("button", name="Save", exact=True).click()
    # then: the token, once; it calls the API as the account
    expect(page.get_by_text("it will not be shown again")).to_be_visible()
    plaintext = page.get_by_label("The new token").input_value()
    page.screenshot(path=screenshots / "admin-api-token-made-1280x720.png")
    me = httpx.get(f"{asgi_server}/api/v1/me/", headers={"Authorization": f"Bearer {plaintext}"})
    assert (me.status_code, me.json()["username"]) == (200, "erp")
    # when: she revokes it from the list
    page.get_by_role("link", name="Back to the API tokens").click()
    row = page.get_by_role("row").filter(has_text="Orders import")
    expect(row).to_contain_text(f"{plaintext[:12]}…")
    expect(page.get_by_text(plaintext)).to_have_count(0)
    row.get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Revoke the selected tokens")
    page.get_by_role("button", name="Go").click()
    # then
    expect(page.get_by_text("Revoked 1 token.")).to_be_visible()
    expect(row).to_contain_text("revoked")
    page.screenshot(path=screenshots / "admin-api-tokens-1280x720.png")
    refused = httpx.get(
        f"{asgi_server}/api/v1/me/", headers={"Authorization": f"Bearer {plaintext}"}
    )
    assert refused.status_code == 401
    assert errors == []
