"""The Knowledge base module's pages and the Articles widget, as the workspace loads them: the
same number of queries for 1 article as for 200; editors write, publish and restore there;
pictures served to readers only; the public page."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contactcenter.models import QueueWidget, WidgetKind
from knowledgebase.models import Article, ArticleState
from knowledgebase.services import article_image_add, folder_create
from tests.factories import InboundMessageFactory, MembershipFactory, QueueFactory
from tests.knowledgebase.helpers import agent_in, article, editor
from tests.knowledgebase.test_services import PNG
from tests.messaging.helpers import customer

pytestmark = pytest.mark.django_db


def articles(count: int, queue) -> None:
    """`count` published articles, half for `queue`, half for every queue, in two folders."""
    author = editor()
    folders = [folder_create(actor=author, name=name) for name in ("Orders", "Products")]
    for n in range(count):
        article(f"Delivery {n}", f"Parcels leave daily. Note {n}.", author=author,
                folder=folders[n % 2], queues=[queue] if n % 2 else [])  # fmt: skip


@pytest.fixture
def chat():
    """An open chat whose customer asked about delivery, with the Articles widget, its agent
    in its queue."""
    activity = customer()
    QueueWidget.objects.create(queue=activity.queue, kind=WidgetKind.ARTICLES)
    InboundMessageFactory(activity=activity, text="When does my parcel arrive?")
    agent = activity.owner
    MembershipFactory(agent=agent, queue=activity.queue)
    return activity


@pytest.mark.parametrize("rows", [1, 200])
def test_the_widget_costs_the_same_queries_for_1_or_200(
    client, chat, django_assert_num_queries, rows
):
    articles(rows, chat.queue)
    client.force_login(chat.owner.user)
    url = reverse("activity-widget", args=[chat.pk, "articles"])
    first = Article.objects.first().pk
    # then: session, user, agent, memberships, activity, its participants, can_edit (2: the
    # user's and groups' permissions), the customer's words, suggestions, the list
    with django_assert_num_queries(11):
        listed = client.get(url)
    assert "Suggested for this chat" in listed.content.decode()
    # a search: the matches in place of the words, suggestions and list
    with django_assert_num_queries(9):
        client.get(url, {"q": "parcels"})
    # an article: the article in their place
    with django_assert_num_queries(9):
        client.get(url, {"article": first})


@pytest.mark.parametrize("rows", [1, 200])
def test_the_module_costs_the_same_queries_for_1_or_200(
    client, chat, django_assert_num_queries, rows
):
    articles(rows, chat.queue)
    client.force_login(chat.owner.user)
    first = Article.objects.first().pk
    # then: session, user, agent, memberships, can_edit (2), count, page, folders
    with django_assert_num_queries(9):
        client.get(reverse("kb:home"))
    with django_assert_num_queries(9):
        client.get(reverse("kb:home"), {"q": "parcels"})
    # and the article page: + the article, its queues, folders
    with django_assert_num_queries(9):
        client.get(reverse("kb:article", args=[first]))


def test_an_agent_with_the_permission_writes_publishes_and_restores_in_the_module(client):
    # given: an agent who keeps the knowledge base
    queue = QueueFactory()
    keeper = agent_in(queue)
    keeper.user.user_permissions.add(Permission.objects.get(codename="change_article"))
    client.force_login(keeper.user)
    # when: she writes a draft, then publishes it
    written = {"title": "Hours", "body": "Open at *nine*.", "state": "draft",
               "queues": [queue.pk], "tags": "hours, shop"}  # fmt: skip
    page = client.post(reverse("kb:article-new"), written).content.decode()
    item = Article.objects.get()
    assert "<em>nine</em>" in page and "Publish" in page
    client.post(reverse("kb:article-state", args=[item.pk]), {"action": "publish"})
    # and changes the text, then restores the first revision
    client.post(reverse("kb:article-edit", args=[item.pk]), {"title": "Hours", "body": "Ten.",
                                                            "state": "published",
                                                            "tags": "hours, shop"})  # fmt: skip
    first = item.revisions.get(number=1)
    page = client.post(reverse("kb:article-restore", args=[item.pk, first.pk])).content.decode()
    # then
    item.refresh_from_db()
    assert (item.state, item.body, item.tags) == (ArticleState.PUBLISHED, "Open at *nine*.",
                                                  ["hours", "shop"])  # fmt: skip
    assert "Restored revision 1" in page


def test_an_agent_without_the_permission_has_no_editor(client):
    agent = agent_in(QueueFactory())
    item = article("Hours", "Nine.")
    client.force_login(agent.user)
    assert client.get(reverse("kb:article-new")).status_code == 404
    assert "Edit" not in client.get(reverse("kb:article", args=[item.pk])).content.decode()
    client.post(reverse("kb:article-state", args=[item.pk]), {"action": "archive"})
    item.refresh_from_db()
    assert item.state == ArticleState.PUBLISHED


def test_a_picture_is_served_to_readers_of_its_article_only(client, settings, tmp_path):
    # given: a picture of an article for queue A
    settings.MEDIA_ROOT = tmp_path
    queue_a = QueueFactory()
    item = article("Parcel", "", queues=[queue_a])
    image = article_image_add(actor=editor(), article=item,
                              upload=SimpleUploadedFile("p.png", PNG, "image/png"))  # fmt: skip
    url = reverse("kb:image", args=[image.pk])
    # then: an agent of A sees it, inert; one of B does not; nor anyone signed out
    client.force_login(agent_in(queue_a).user)
    shown = client.get(url)
    assert shown["Content-Type"] == "image/png" and shown["X-Content-Type-Options"] == "nosniff"
    assert b"".join(shown.streaming_content) == PNG
    client.force_login(agent_in(QueueFactory()).user)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_the_public_page_shows_only_published_public_articles(client):
    shared = article("Delivery", "Two *days*.", public=True)
    internal = article("Discounts", "Secret.")
    draft = article("Soon", "x", public=True, state=ArticleState.DRAFT)
    page = client.get(reverse("kb:public", args=[shared.public_key]))
    assert "Two <em>days</em>." in page.content.decode()
    for hidden in (internal, draft):
        assert client.get(reverse("kb:public", args=[hidden.public_key])).status_code == 404
