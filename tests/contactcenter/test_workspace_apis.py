"""What the workspace asks besides the snapshot: colleagues to transfer to, earlier chats with
the customer, new lines of an activity's history, emoji, and the queue's admin URL."""

import pytest

from contactcenter.models import Activity
from contactcenter.placeholders import fill, fill_url
from contactcenter.services.activities import activity_set_important
from tests.api import api_for
from tests.factories import (
    AgentFactory,
    InboundMessageFactory,
    MembershipFactory,
    OnlineAgentFactory,
    PauseFactory,
)
from tests.messaging.helpers import customer

pytestmark = pytest.mark.django_db


def test_colleagues_come_available_first_with_their_state():
    # given
    me = AgentFactory()
    AgentFactory(display_name="Olga Offline")
    paused = OnlineAgentFactory(display_name="Paul Paused")
    PauseFactory(agent=paused, reason__name="Lunch")
    ready = OnlineAgentFactory(display_name="Rita Ready", max_open_chats=4)
    MembershipFactory(agent=ready, queue__number=300)
    # when
    rows = api_for(me.user).get("/api/v1/colleagues/").json()["results"]
    # then
    assert [(r["display_name"], r["state"], r["paused_for"]) for r in rows] == [
        ("Rita Ready", "available", None),
        ("Paul Paused", "paused", "Lunch"),
        ("Olga Offline", "offline", None),
    ]
    assert (rows[0]["load"], rows[0]["max_open_chats"], rows[0]["queues"]) == (0, 4, [300])


@pytest.mark.parametrize("count", [1, 20])
def test_the_colleagues_list_costs_the_same_queries_for_few_or_many(
    django_assert_num_queries, count
):
    me = AgentFactory()
    MembershipFactory.create_batch(count)
    client = api_for(me.user)
    # then: the agent with their queues (2), count, page, their queues
    with django_assert_num_queries(5):
        assert client.get("/api/v1/colleagues/").json()["count"] == count


def test_the_transfer_dialog_lists_only_available_colleagues_as_choices(client):
    # given
    me = AgentFactory()
    OnlineAgentFactory(display_name="Rita Ready")
    AgentFactory(display_name="Olga Offline")
    client.force_login(me.user)
    # when
    page = client.get("/workspace/transfer-targets/").content.decode()
    # then
    rita, olga = page.index("Rita Ready"), page.index("Olga Offline")
    assert "disabled" not in page[page.rindex("<input", 0, rita) : rita]
    assert "disabled" in page[page.rindex("<input", 0, olga) : olga]


def test_the_earlier_chat_comes_with_its_messages_and_says_if_there_are_more():
    # given: two earlier chats of the same customer, then today's
    activity = customer()
    earlier = [
        Activity.objects.create(
            queue=activity.queue,
            channel_account=activity.channel_account,
            identity=activity.identity,
            state="closed",
            closed_at=activity.queued_at,
            queued_at=activity.queued_at.replace(year=year),
        )
        for year in (2024, 2025)
    ]
    InboundMessageFactory(activity=earlier[1], text="Last year's question")
    client = api_for(activity.owner.user)
    url = f"/api/v1/activities/{activity.pk}/earlier/"
    # when
    last_year = client.get(url).json()
    before_that = client.get(url, {"before": earlier[1].pk}).json()
    nothing = client.get(url, {"before": earlier[0].pk}).json()
    # then
    assert (last_year["activity"]["id"], last_year["has_more"]) == (earlier[1].pk, True)
    assert [m["text"] for m in last_year["messages"]] == ["Last year's question"]
    assert (before_that["activity"]["id"], before_that["has_more"]) == (earlier[0].pk, False)
    assert (nothing["activity"], nothing["messages"]) == (None, [])


def test_earlier_chats_are_404_for_an_agent_outside_the_activity():
    activity = customer()
    response = api_for(AgentFactory().user).get(f"/api/v1/activities/{activity.pk}/earlier/")
    assert response.status_code == 404


def test_an_activitys_history_can_be_asked_for_the_lines_after_one():
    # given
    activity = customer()
    for important in (True, False, True):
        activity_set_important(activity_id=activity.pk, agent=activity.owner, important=important)
    client = api_for(activity.owner.user)
    url = f"/api/v1/activities/{activity.pk}/events/"
    first = client.get(url).json()["results"][0]["id"]
    # when
    after = client.get(url, {"after": first}).json()["results"]
    # then
    assert [line["data"] for line in after] == [{"important": False}, {"important": True}]


def test_the_emoji_list_comes_from_the_emoji_package_faces_first(client):
    client.force_login(AgentFactory().user)
    emoji = client.get("/workspace/emoji.json").json()["emoji"]
    assert emoji[0] == ["😀", "grinning face"]
    assert ["👍", "thumbs up"] in emoji
    assert not any("skin tone" in name for _, name in emoji)


def test_placeholders_fill_what_is_known_and_leave_the_rest():
    values = {"customer.name": "Jana", "activity.id": "7"}
    assert fill("Hi {customer.name} ({activity.id}) {customer.__class__}", values) == (
        "Hi Jana (7) {customer.__class__}"
    )


def test_a_url_template_gets_encoded_values_and_only_http_links_come_out():
    values = {"customer.name": "Jana & Co/?"}
    assert fill_url("https://crm.example.com/find?q={customer.name}", values) == (
        "https://crm.example.com/find?q=Jana%20%26%20Co%2F%3F"
    )
    assert fill_url("javascript:alert('{customer.name}')", values) == ""


def test_activities_carry_their_queues_admin_url():
    activity = customer(provider_user_id="16505551234")
    activity.queue.admin_url_template = "https://crm.example.com/a/{activity.id}?p={customer.phone}"
    activity.queue.save()
    activity.identity.phone = "+16505551234"
    activity.identity.save()
    [row] = api_for(activity.owner.user).get("/api/v1/activities/").json()["results"]
    assert row["admin_url"] == f"https://crm.example.com/a/{activity.pk}?p=%2B16505551234"
