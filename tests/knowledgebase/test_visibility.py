"""An article for queue A is never found by an agent only in queue B: not through the API, the
module or the Articles widget; drafts and archived articles are read only by editors."""

import pytest
from django.urls import reverse

from contactcenter.models import QueueWidget, WidgetKind
from knowledgebase.models import ArticleState
from tests.api import api_for
from tests.factories import InboundMessageFactory, QueueFactory
from tests.knowledgebase.helpers import agent_in, article, editor
from tests.messaging.helpers import customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_queues():
    """Queue A with its article, queue B with its own, one article for every queue, and a
    draft for A; Bob is only in B, in a chat there whose customer asks about refunds."""
    queue_a, queue_b = QueueFactory(name="A"), QueueFactory(name="B")
    article("Refund rules for A", "Refunds for A only.", queues=[queue_a])
    article("Refund rules for B", "Refunds for B only.", queues=[queue_b])
    article("Refund basics", "Refunds for everyone.")
    article("Refund draft", "Refunds soon.", queues=[queue_a], state=ArticleState.DRAFT)
    activity = customer()
    activity.queue = queue_b
    activity.save()
    QueueWidget.objects.create(queue=queue_b, kind=WidgetKind.ARTICLES)
    InboundMessageFactory(activity=activity, text="How do refunds work?")
    bob = agent_in(queue_b)
    activity.owner = bob
    activity.save()
    activity.participants.update(agent=bob)
    return bob, activity


READABLE_BY_BOB = ["Refund basics", "Refund rules for B"]


def shows_only_bobs(*pages: str) -> None:
    for page in pages:
        assert "Refund rules for B" in page and "Refund basics" in page
        assert "Refund rules for A" not in page and "Refund draft" not in page


def test_the_api_finds_only_bobs_queues_articles(two_queues):
    bob, _ = two_queues
    client = api_for(bob.user)
    # when
    listed = client.get("/api/v1/kb/articles/").json()["results"]
    searched = client.get("/api/v1/kb/articles/", {"search": "refunds"}).json()["results"]
    # then
    assert sorted(item["title"] for item in listed) == READABLE_BY_BOB
    assert sorted(item["title"] for item in searched) == READABLE_BY_BOB


def test_the_api_answers_404_for_an_article_of_another_queue(two_queues):
    bob, _ = two_queues
    other = article("Secret of A", "x", queues=[QueueFactory()])
    assert api_for(bob.user).get(f"/api/v1/kb/articles/{other.pk}/").status_code == 404


def test_the_module_finds_only_bobs_queues_articles(client, two_queues):
    bob, _ = two_queues
    client.force_login(bob.user)
    # when
    listed = client.get(reverse("kb:home")).content.decode()
    searched = client.get(reverse("kb:home"), {"q": "refunds"}).content.decode()
    # then
    shows_only_bobs(listed, searched)


def test_the_module_has_no_page_for_an_article_of_another_queue(client, two_queues):
    bob, _ = two_queues
    other = article("Secret of A", "x", queues=[QueueFactory()])
    client.force_login(bob.user)
    assert client.get(reverse("kb:article", args=[other.pk])).status_code == 404


def test_the_widget_lists_searches_and_suggests_only_bobs_queues_articles(client, two_queues):
    bob, activity = two_queues
    url = reverse("activity-widget", args=[activity.pk, "articles"])
    client.force_login(bob.user)
    # when
    listed = client.get(url).content.decode()
    searched = client.get(url, {"q": "refunds"}).content.decode()
    # then: suggestions ("refunds" from the customer) and lists hold B's and everyone's only
    assert "Suggested for this chat" in listed
    shows_only_bobs(listed, searched)


def test_the_widget_does_not_open_an_article_of_another_queue(client, two_queues):
    bob, activity = two_queues
    other = article("Secret of A", "Secret words.", queues=[QueueFactory()])
    client.force_login(bob.user)
    page = client.get(
        reverse("activity-widget", args=[activity.pk, "articles"]), {"article": other.pk}
    ).content.decode()
    assert "Secret words" not in page
    assert "Refund basics" in page  # the list instead


def test_editors_read_every_state():
    reader = editor()
    client = api_for(reader)
    titles = [item["title"] for item in client.get("/api/v1/kb/articles/").json()["results"]]
    assert titles == []  # none yet
    article("Draft", "", state=ArticleState.DRAFT)
    article("Archived", "", state=ArticleState.ARCHIVED)
    titles = [item["title"] for item in client.get("/api/v1/kb/articles/").json()["results"]]
    assert titles == ["Archived", "Draft"]
