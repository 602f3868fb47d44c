"""A supervisor opens the Reports page from the back office: the chart and the figures of a
week's chats, on a laptop and on a wide screen."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from contactcenter.demo import load_demo
from tests.factories import PASSWORD, SupervisorFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_a_supervisor_reads_the_weeks_figures(
    asgi_server, browser: Browser, screenshots, width, height
):
    # given: the demo's week of chats, and a supervisor in the back office
    load_demo()
    staff = SupervisorFactory()
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{asgi_server}/admin/")
    page.get_by_label("Username").fill(staff.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # when: she opens Reports, by day
    page.get_by_role("link", name="Reports").click()
    page.get_by_label("Group by").select_option("day")
    page.get_by_role("button", name="Show").click()
    # then: a row for each day of the range that had chats (the demo's end yesterday), the total
    table = page.get_by_role("region", name="Figures by day").get_by_role("table")
    today = timezone.localdate()
    days = [str(today - timedelta(days=n)) for n in range(6, 0, -1)]
    expect(table.locator("tbody th")).to_have_text(days)
    expect(table.locator("tfoot th")).to_have_text("Total")
    # the chart drawn: Chart.js sizes its canvas to the box the page gives it
    expect(page.locator("#report-chart")).to_have_css("height", "320px")
    page.screenshot(path=screenshots / f"report-{width}x{height}.png", full_page=False)
    assert errors == []
