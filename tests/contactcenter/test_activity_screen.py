"""The activity screen as the workspace loads it: its widgets in the queue's layout, the chat so
far as data for the page's script, the composer's rules, at a fixed number of queries."""

import json
import re

import pytest
from django.urls import reverse

from contactcenter.models import QueueWidget, WidgetKind
from tests.factories import AgentFactory, InboundMessageFactory, StatusFactory, TemplateFactory
from tests.messaging.helpers import customer

pytestmark = pytest.mark.django_db


def screen(client, activity, user=None):
    client.force_login(user or activity.owner.user)
    return client.get(reverse("activity-screen", args=[activity.pk]))


def page_data(response) -> dict:
    """What the message widget hands its script: the JSON in the page."""
    found = re.search(r'<script type="application/json">(.*?)</script>', response.content.decode())
    return json.loads(found[1])


def test_the_owner_gets_the_chat_with_the_history_and_the_queues_statuses(client):
    # given: a customer whose name and message carry markup
    activity = customer(display_name="<b>Jana</b>")
    activity.queue.statuses.add(StatusFactory(name="Resolved"))
    InboundMessageFactory(activity=activity, text="<script>alert(1)</script>")
    # when
    response = screen(client, activity)
    # then: the markup is text in the page, and the message is there for the script
    page = response.content.decode()
    assert response.status_code == 200
    assert "&lt;b&gt;Jana&lt;/b&gt;" in page
    assert "<script>alert(1)" not in page
    assert [m["text"] for m in page_data(response)["history"]["messages"]] == [
        "<script>alert(1)</script>"
    ]
    assert ">Resolved</option>" in page


def test_an_agent_outside_the_activity_gets_404(client):
    activity = customer()
    assert screen(client, activity, AgentFactory().user).status_code == 404


def test_the_widgets_beside_the_chat_follow_the_queues_layout(client):
    # given: a page in an iframe placed before the contact
    activity = customer()
    QueueWidget.objects.create(
        queue=activity.queue, kind=WidgetKind.IFRAME, url="https://example.com/?q=1", position=0
    )
    QueueWidget.objects.create(queue=activity.queue, kind=WidgetKind.CONTACT, position=1)
    # when
    page = screen(client, activity).content.decode()
    # then: the chat first, then the others in the layout's order
    chat, iframe = page.index("widget--message"), page.index('class="widget widget--iframe"')
    assert chat < iframe < page.index('class="widget widget--contact"')
    assert 'src="https://example.com/?q=1"' in page


def test_templates_come_with_the_customers_and_agents_names_filled_in(client):
    # given
    activity = customer(display_name="Jana Dvořák")
    activity.owner.display_name = "Alice Novak"
    activity.owner.save()
    greeting = "Hello {customer.first_name}, I am {agent.name}. {x.y}"
    TemplateFactory(name="Greeting", text=greeting, whatsapp_name="")  # a canned text
    # when
    data = page_data(screen(client, activity))
    # then: known placeholders filled, unknown ones left as written
    assert [t["text"] for t in data["templates"]] == ["Hello Jana, I am Alice Novak. {x.y}"]


def test_the_composer_knows_the_window_and_the_channels_limits(client):
    # given: a WhatsApp customer who wrote 30 hours ago
    activity = customer(hours_ago=30)
    TemplateFactory(whatsapp_name="follow_up", whatsapp_language="en_US",
                    whatsapp_parameters=["customer.first_name", "order"])  # fmt: skip
    # when
    composer = page_data(screen(client, activity))["composer"]
    # then
    assert composer["window"]["template_required"] is True
    assert composer["window"]["free_text"] is False
    assert composer["attachment_rules"]["image"] == {
        "max_bytes": 5 * 1024 * 1024,
        "content_types": ["image/jpeg", "image/png"],
    }
    [template] = composer["whatsapp_templates"]
    first_name = activity.identity.display_name.split(" ")[0]
    assert template["parameters"] == [
        {"name": "customer.first_name", "value": first_name},
        {"name": "order", "value": ""},
    ]


@pytest.mark.parametrize("messages", [1, 30])
def test_the_screen_costs_the_same_queries_for_a_short_or_long_chat(
    client, django_assert_num_queries, messages
):
    # given
    activity = customer()
    InboundMessageFactory.create_batch(messages, activity=activity)
    client.force_login(activity.owner.user)
    # then: session, user, agent, memberships, activity, participants, layout, statuses,
    # templates, messages, attachments, events, earlier chat
    with django_assert_num_queries(13):
        client.get(reverse("activity-screen", args=[activity.pk]))
