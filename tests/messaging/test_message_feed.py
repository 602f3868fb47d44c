"""The organisation-wide message feed (`GET /api/v1/messages/`): every message once, in the
order stored, resumed from a cursor; and, on PostgreSQL, never past a message whose
transaction is still running."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests.api import api_for
from tests.factories import (
    AgentFactory,
    AttachmentFactory,
    CustomerActivityFactory,
    InboundMessageFactory,
    IntegrationAccountFactory,
    SupervisorFactory,
)

FEED = "/api/v1/messages/"


def outbound(activity, **fields):
    return InboundMessageFactory(
        activity=activity, direction="out", status="sent", author=activity.owner, **fields
    )


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.django_db
def test_the_feed_gives_every_message_once_in_order_and_resumes_where_it_stopped():
    # given: messages in two activities, in and out
    first, second = CustomerActivityFactory.create_batch(2)
    stored = [
        InboundMessageFactory(activity=first),
        outbound(first),
        InboundMessageFactory(activity=second),
    ]
    api = api_for(IntegrationAccountFactory())
    # when: pages of 2 to the end; later messages read from the last `resume`
    page_one = api.get(FEED, {"page_size": 2}).json()
    page_two = api.get(page_one["next"]).json()
    later = outbound(second, text="Your order shipped")
    after = api.get(FEED, {"cursor": page_two["resume"]}).json()
    # then
    seen = [row["id"] for row in page_one["results"] + page_two["results"]]
    assert seen == [message.pk for message in stored]
    assert page_two["next"] is None
    [row] = after["results"]
    assert (row["id"], row["activity"], row["direction"], row["text"]) == (
        later.pk,
        second.pk,
        "out",
        "Your order shipped",
    )
    assert row["author"] == second.owner.display_name


@pytest.mark.django_db
def test_an_empty_page_keeps_the_cursor_it_was_given():
    # given
    InboundMessageFactory()
    api = api_for(SupervisorFactory())
    resume = api.get(FEED).json()["resume"]
    # when
    again = api.get(FEED, {"cursor": resume}).json()
    # then
    assert again == {"next": None, "resume": resume, "results": []}


@pytest.mark.django_db
def test_the_feed_filters_by_activity_direction_and_time():
    # given
    activity = CustomerActivityFactory()
    old = InboundMessageFactory(activity=activity)
    old.created_at = timezone.now() - timedelta(days=2)
    old.save(update_fields=["created_at"])
    new_in = InboundMessageFactory(activity=activity)
    new_out = outbound(activity)
    InboundMessageFactory()  # another activity's
    api = api_for(IntegrationAccountFactory())
    yesterday = (timezone.now() - timedelta(days=1)).isoformat()
    # then
    assert ids(api.get(FEED, {"activity": activity.pk})) == [old.pk, new_in.pk, new_out.pk]
    assert ids(api.get(FEED, {"activity": activity.pk, "direction": "out"})) == [new_out.pk]
    assert ids(api.get(FEED, {"activity": activity.pk, "since": yesterday})) == [
        new_in.pk,
        new_out.pk,
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", [{"direction": "sideways"}, {"since": "last week"}, {"activity": "-1"}]
)
def test_a_bad_filter_answers_400(query):
    response = api_for(SupervisorFactory()).get(FEED, query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", ["garbage", "MTIz", "LTEuNQ"])  # "123", "-1.5"
def test_a_cursor_the_feed_did_not_give_answers_404(cursor):
    response = api_for(SupervisorFactory()).get(FEED, {"cursor": cursor})
    assert response.status_code == 404
    assert response.json()["code"] == "invalid_cursor"


@pytest.mark.django_db
def test_an_agent_is_refused_the_feed():
    response = api_for(AgentFactory().user).get(FEED)
    assert response.status_code == 403
    assert response.json()["code"] == "organisation_only"


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 6])
def test_the_feed_costs_the_same_queries_for_1_or_6_messages(django_assert_num_queries, rows):
    # given: customers' messages with files, agents' and an integration's
    activity = CustomerActivityFactory()
    integration = IntegrationAccountFactory()
    for index in range(rows):
        AttachmentFactory(message=InboundMessageFactory(activity=activity))
        if index % 2:
            outbound(activity)
        else:
            InboundMessageFactory(
                activity=activity, direction="out", status="sent", author_user=integration
            )
    api = api_for(SupervisorFactory())
    # then: the page, the files, the integration authors' groups
    with django_assert_num_queries(3):
        response = api.get(FEED, {"page_size": 500})
    assert len(response.json()["results"]) == rows * 2


@pytest.mark.django_db(transaction=True)
def test_the_feed_waits_for_a_message_whose_transaction_is_still_running():
    """Ids are taken when a row is written, not when it commits: a reader that paged past a
    later message while an earlier one was uncommitted would never see the earlier one."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one transaction write at a time: ids follow commits there")
    activity = CustomerActivityFactory()
    api = api_for(IntegrationAccountFactory())
    written, release = threading.Event(), threading.Event()
    slow: list = []

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                slow.append(InboundMessageFactory(activity=activity, text="written first"))
                written.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    try:
        assert written.wait(timeout=30)
        # when: a message written after it commits first
        quick = InboundMessageFactory(activity=activity, text="committed first")
        while_running = api.get(FEED).json()
    finally:
        release.set()
        writer.join(timeout=30)
    after = api.get(FEED, {"cursor": while_running["resume"]}).json()
    # then: neither shows while the first is running; then both, in the order written
    assert while_running["results"] == []
    assert [row["id"] for row in after["results"]] == [slow[0].pk, quick.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "since, found",
    [
        ("0563-12-01T22:28:26.8+18:30", True),  # an offset PostgreSQL refuses: read as UTC
        ("2999-01-01T00:00:00-15:00", False),
        ("0001-01-01T00:30:00+01:00", None),  # before the year 1 in UTC: invalid
    ],
)
def test_a_time_with_any_offset_is_read_as_utc_or_refused(since, found):
    """Found by the schema's fuzzing: PostgreSQL refused the offset, a server error."""
    message = InboundMessageFactory()
    response = api_for(SupervisorFactory()).get(FEED, {"since": since})
    if found is None:
        assert response.status_code == 400
        assert "since" in response.json()["detail"]
    else:
        assert ids(response) == ([message.pk] if found else [])
