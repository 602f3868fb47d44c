"""Guessing a password in a real browser, on the real server: after a few tries the login page
refuses even the right one, and says how long to wait and what else to do."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.workspace import sign_in
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_after_the_failure_limit_the_login_page_says_how_long_to_wait(asgi_server, page):
    # given: someone guessed Dave's password as often as the limit allows
    AgentFactory(user__username="dave")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        page.goto(f"{asgi_server}/login/")
        page.get_by_label("Username").fill("dave")
        page.get_by_label("Password").fill(f"guess-{attempt}")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_be_visible()
    # when: Dave comes with the right one
    sign_in(page, asgi_server, "dave")
    # then
    expect(page.get_by_role("alert")).to_have_text(
        "Too many failed sign-ins for this username from your address. "
        f"Try again in {settings.LOGIN_LOCKOUT_MINUTES} minutes, "
        "or ask an administrator to unlock your account."
    )
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_label("Username")).to_have_value("dave")
