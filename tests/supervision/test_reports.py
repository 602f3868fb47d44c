"""The report's figures against a day of chats whose figures were worked out by hand.

The day is 15 and 16 January 2026 in Prague (UTC+1): one chat arrives at half past midnight on
the 16th, which is still the 15th in UTC; one was transferred from Sales to Support; one an
agent started herself; one arrives after the range.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from contactcenter.models import Activity, Offer
from messaging.models import Message
from supervision.reports import report_build
from tests.factories import (
    AgentFactory,
    ChannelAccountFactory,
    CustomerActivityFactory,
    InboundMessageFactory,
    OfferFactory,
    PauseFactory,
    PauseReasonFactory,
    QueueFactory,
    StatusFactory,
    SupervisorFactory,
)

pytestmark = pytest.mark.django_db

PRAGUE = ZoneInfo("Europe/Prague")
JAN_15, JAN_16 = date(2026, 1, 15), date(2026, 1, 16)


def at(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    """A time on that January day in Prague."""
    return datetime(2026, 1, day, hour, minute, second, tzinfo=PRAGUE)


def chat(queue, agent, provider="whatsapp", **times) -> Activity:
    """A customer's chat in `queue`, owned by `agent` (None: never accepted), with its times."""
    account = ChannelAccountFactory(queue=queue, provider=provider)
    closed_at = times.pop("closed_at", None)
    activity = CustomerActivityFactory(
        identity__channel_account=account,
        queue=queue,
        owner=agent,
        state="closed" if closed_at else ("open" if agent else "waiting"),
        closed_at=closed_at,
    )
    Activity.objects.filter(pk=activity.pk).update(**times)
    return activity


def written(activity: Activity, when: datetime, author=None) -> None:
    message = InboundMessageFactory(
        activity=activity,
        direction="out" if author else "in",
        status="sent" if author else "received",
        author=author,
    )
    Message.objects.filter(pk=message.pk).update(created_at=when)


def offered(activity: Activity, agent, outcome: str, when: datetime, kind="route") -> None:
    offer = OfferFactory(
        activity=activity, agent=agent, outcome=outcome, kind=kind, decided_at=when
    )
    Offer.objects.filter(pk=offer.pk).update(created_at=when)


@pytest.fixture
def two_days():
    sales = QueueFactory(name="Sales", service_level_seconds=60)
    support = QueueFactory(name="Support", service_level_seconds=30)
    alice = AgentFactory(display_name="Alice Novak")
    bob = AgentFactory(display_name="Bob Horvat")
    resolved, spam = StatusFactory(name="Resolved"), StatusFactory(name="Spam")
    # Sales: answered in 40 s, first reply after 120 s, handled for 600 s, resolved
    one = chat(
        sales, alice,
        queued_at=at(15, 9, 0), first_accepted_at=at(15, 9, 0, 40),
        accepted_at=at(15, 9, 0, 40), first_customer_message_at=at(15, 9, 0),
        first_reply_at=at(15, 9, 2), closed_at=at(15, 9, 10, 40), status=resolved,
    )  # fmt: skip
    written(one, at(15, 9, 0))
    written(one, at(15, 9, 2), author=alice)
    # Sales on Messenger: Alice missed it, Bob answered after 120 s and replied after 180 s
    two = chat(
        sales, bob, provider="messenger",
        queued_at=at(15, 9, 30), first_accepted_at=at(15, 9, 32), accepted_at=at(15, 9, 32),
        first_customer_message_at=at(15, 9, 30), first_reply_at=at(15, 9, 33),
    )  # fmt: skip
    offered(two, alice, "expired", at(15, 9, 30))
    offered(two, bob, "accepted", at(15, 9, 31))
    written(two, at(15, 9, 30))
    written(two, at(15, 9, 33), author=bob)
    # Sales, late at night: Bob rejected it, the customer gave up before anyone accepted
    three = chat(sales, None, queued_at=at(15, 23, 30), closed_at=at(15, 23, 50))
    offered(three, bob, "rejected", at(15, 23, 30, 5))
    # 00:30 in Prague on the 16th (the 15th in UTC): Alice answered in 20 s in Sales, wrote
    # after 5 minutes, transferred it to Support, where Bob accepted and closed it as spam
    four = chat(
        support, bob,
        queued_at=at(16, 0, 30), first_accepted_at=at(16, 0, 30, 20),
        accepted_at=at(16, 0, 40), first_customer_message_at=at(16, 0, 30),
        first_reply_at=at(16, 0, 35), closed_at=at(16, 0, 50, 20), status=spam,
    )  # fmt: skip
    offered(four, bob, "rejected", at(16, 0, 36), kind="invite")  # invitations do not count
    written(four, at(16, 0, 30))
    written(four, at(16, 0, 35), author=alice)
    written(four, at(16, 0, 45), author=bob)
    # Support: still waiting; the notification to Alice ran out
    seven = chat(support, None, queued_at=at(16, 10, 0))
    offered(seven, alice, "expired", at(16, 10, 0))
    # Not offered: Alice wrote first; and one that arrives after the range
    chat(sales, alice, queued_at=at(15, 12, 0), started_by_agent=True)
    chat(sales, None, queued_at=at(17, 0, 0, 10))
    # Pauses: Alice's unpaid one from before midnight counts from midnight (30 min); Bob's
    # unpaid one still runs at the range's end (10 min); a paid pause never counts
    unpaid = PauseReasonFactory(name="Missed notification", paid=False)
    PauseFactory(agent=alice, reason=unpaid, started_at=at(14, 23, 0), ended_at=at(15, 0, 30))
    PauseFactory(agent=bob, reason=unpaid, started_at=at(16, 23, 50), ended_at=None)
    PauseFactory(agent=bob, started_at=at(15, 12, 0), ended_at=at(15, 13, 0))
    return {"sales": sales, "support": support, "alice": alice, "bob": bob}


def report(by: str):
    return report_build(start=JAN_15, end=JAN_16, by=by, tz=PRAGUE)


def seconds(value) -> float | None:
    return None if value is None else value.total_seconds()


def test_by_queue(two_days):
    rows = {row.label: row for row in report("queue").rows}
    sales, support = rows[str(two_days["sales"])], rows[str(two_days["support"])]
    assert len(rows) == 2
    assert (sales.offered, sales.accepted, sales.unanswered) == (3, 2, 1)
    assert (sales.rejected, sales.missed) == (1, 1)
    assert sales.service_level == 33.3  # 1 of 3 within 60 s
    assert seconds(sales.asa) == 80  # (40 + 120) / 2
    assert seconds(sales.first_response) == 150  # (120 + 180) / 2
    assert seconds(sales.handle_time) == 600  # only the closed of the accepted
    assert (sales.messages_in, sales.messages_out) == (2, 2)
    # the transferred chat counts in Support, against Support's 30 s
    assert (support.offered, support.accepted, support.unanswered) == (2, 1, 1)
    assert (support.rejected, support.missed) == (0, 1)
    assert support.service_level == 50.0
    assert seconds(support.asa) == 20
    assert seconds(support.first_response) == 300
    assert seconds(support.handle_time) == 1200  # from the first acceptance, not the last
    assert (support.messages_in, support.messages_out) == (1, 2)


def test_the_total_weighs_every_chat_alike(two_days):
    total = report("queue").total
    assert (total.offered, total.accepted, total.unanswered) == (5, 3, 2)
    assert total.service_level == 40.0  # 2 of 5
    assert seconds(total.asa) == 60  # (40 + 120 + 20) / 3, not the mean of 80 and 20
    assert seconds(total.first_response) == 200  # (120 + 180 + 300) / 3
    assert seconds(total.handle_time) == 900  # (600 + 1200) / 2
    assert (total.rejected, total.missed, total.messages_in, total.messages_out) == (1, 2, 3, 4)


def test_by_day_in_the_supervisors_time_zone(two_days):
    rows = {row.label: row for row in report("day").rows}
    assert list(rows) == ["2026-01-15", "2026-01-16"]
    assert rows["2026-01-15"].offered == 3
    assert rows["2026-01-16"].offered == 2  # the 00:30 chat is the 16th's, as in Prague
    assert rows["2026-01-16"].messages_out == 2
    utc = report_build(start=JAN_15, end=JAN_15, by="day", tz=ZoneInfo("UTC"))
    assert [(row.label, row.offered) for row in utc.rows] == [("2026-01-15", 4)]


def test_by_hour(two_days):
    rows = {row.label: row.offered for row in report("hour").rows if row.offered}
    assert rows == {
        "2026-01-15 09:00": 2,
        "2026-01-15 23:00": 1,
        "2026-01-16 00:00": 1,
        "2026-01-16 10:00": 1,
    }


def test_by_agent(two_days):
    rows = {row.label: row for row in report("agent").rows}
    alice, bob, nobody = rows["Alice Novak"], rows["Bob Horvat"], rows["Not accepted"]
    assert list(rows) == ["Alice Novak", "Bob Horvat", "Not accepted"]
    assert (alice.offered, alice.accepted, alice.missed, alice.rejected) == (1, 1, 2, 0)
    assert (bob.offered, bob.accepted, bob.missed, bob.rejected) == (2, 2, 0, 1)
    assert (nobody.offered, nobody.accepted, nobody.unanswered) == (2, 0, 2)
    # her replies count for her; customers' messages for the chat's owner
    assert (alice.messages_in, alice.messages_out) == (1, 2)
    assert (bob.messages_in, bob.messages_out) == (2, 2)
    assert seconds(alice.unpaid_pause) == 30 * 60
    assert seconds(bob.unpaid_pause) == 10 * 60


def test_by_channel_and_the_statuses_chosen(two_days):
    built = report("channel")
    rows = {row.label: row.offered for row in built.rows}
    assert rows == {"Facebook Messenger": 1, "WhatsApp": 4}
    assert built.statuses == [("Resolved", 1), ("Spam", 1)]


def test_an_empty_range(two_days):
    empty = report_build(start=date(2025, 1, 1), end=date(2025, 1, 31), by="queue", tz=PRAGUE)
    assert empty.rows == []
    assert (empty.total.offered, empty.total.service_level, empty.total.asa) == (0, None, None)


def test_a_constant_number_of_queries_whatever_the_range(two_days, django_assert_num_queries):
    for by, queries in [("queue", 5), ("agent", 6), ("day", 4)]:
        with django_assert_num_queries(queries):
            report(by)


def test_the_page_shows_the_figures_with_their_definitions(two_days, client):
    client.force_login(SupervisorFactory())
    page = client.get("/supervision/reports/?start=2026-01-15&end=2026-01-16&by=queue"
                      "&tz=Europe/Prague")  # fmt: skip
    assert page.status_code == 200
    text = page.content.decode()
    assert "1:20" in text  # Sales' ASA, 80 s
    assert "33.3%" in text and "Below the queue's target of 80%" in text
    assert "Average speed of answer (ASA)" in text
    assert client.get("/admin/").content.decode().count('href="/supervision/reports/"') == 1


def test_every_table_exports_as_csv(two_days, client):
    client.force_login(SupervisorFactory())
    query = "start=2026-01-15&end=2026-01-16&by=agent&tz=Europe/Prague"
    figures = client.get(f"/supervision/reports/?{query}&export=figures")
    lines = figures.content.decode().splitlines()
    assert figures["Content-Type"] == "text/csv; charset=utf-8"
    assert lines[0].startswith("agent,offered,accepted,unanswered,rejected,missed,")
    assert lines[1] == "Alice Novak,1,1,0,0,2,100.0,40,120,600,1,2,1800"
    assert lines[-1].startswith("Total,5,3,2,1,2,40.0,60,200,900,3,4,2400")
    statuses = client.get(f"/supervision/reports/?{query}&export=statuses")
    assert statuses.content.decode().splitlines() == ["status,chats", "Resolved,1", "Spam,1"]


def test_the_api_returns_the_same_figures_to_supervisors_only(two_days, client):
    url = "/api/v1/reports/?start=2026-01-15&end=2026-01-16&by=day&tz=Europe/Prague"
    client.force_login(AgentFactory().user)
    assert client.get(url).status_code == 403
    client.force_login(SupervisorFactory())
    body = client.get(url).json()
    assert [(row["key"], row["offered"]) for row in body["rows"]] == [
        ("2026-01-15", 3),
        ("2026-01-16", 2),
    ]
    assert body["total"]["asa_seconds"] == 60
    assert body["total"]["service_level_percent"] == 40.0


def test_a_range_that_ends_before_it_starts_is_refused(client):
    client.force_login(SupervisorFactory())
    refused = client.get("/api/v1/reports/?start=2026-01-16&end=2026-01-15")
    assert refused.status_code == 400
    assert "ends before it starts" in refused.content.decode()
    page = client.get("/supervision/reports/?start=2026-01-16&end=2026-01-15")
    assert "The range ends before it starts." in page.content.decode()


def test_agents_find_no_such_page_and_strangers_are_sent_to_log_in(client):
    assert client.get("/supervision/reports/").url.startswith("/admin/login/")
    client.force_login(AgentFactory().user)
    assert client.get("/supervision/reports/").status_code == 404


def test_a_name_a_spreadsheet_would_run_is_exported_as_text(client):
    # given: an agent whose name is a formula, with a chat
    agent = AgentFactory(display_name='=HYPERLINK("http://evil.example")')
    chat(QueueFactory(), agent, queued_at=at(15, 9, 0), first_accepted_at=at(15, 9, 1))
    client.force_login(SupervisorFactory())
    # when
    exported = client.get("/supervision/reports/?start=2026-01-15&end=2026-01-15&by=agent"
                          "&tz=Europe/Prague&export=figures")  # fmt: skip
    # then: the cell is text, not a formula
    assert exported.content.decode().splitlines()[1].startswith("\"'=HYPERLINK(")
