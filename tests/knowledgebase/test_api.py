"""/api/v1/kb/: agents read, editors write; filters by search, folder and queue."""

import pytest

from knowledgebase.models import Article
from knowledgebase.services import folder_create
from tests.api import api_for
from tests.factories import GroupSupervisorFactory, QueueFactory
from tests.knowledgebase.helpers import agent_in, article, editor

pytestmark = pytest.mark.django_db


def test_an_editor_writes_and_an_agent_may_not():
    # given
    supervisor = GroupSupervisorFactory()
    queue = QueueFactory()
    agent = agent_in(queue)
    folder = api_for(supervisor).post("/api/v1/kb/folders/", {"name": "Orders"}, format="json")
    # when: the supervisor writes an article
    made = api_for(supervisor).post(
        "/api/v1/kb/articles/",
        {"title": "Returns", "body": "Within **30** days.", "state": "published",
         "folder": folder.json()["id"], "queues": [queue.pk], "tags": ["returns", " "]},
        format="json",
    )  # fmt: skip
    # then
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["body_html"] == "<p>Within <strong>30</strong> days.</p>\n"
    assert body["tags"] == ["returns"] and body["queues"] == [queue.pk]
    assert body["author"] == supervisor.pk
    # and the agent reads it, but may not change it
    client = api_for(agent.user)
    assert client.get(f"/api/v1/kb/articles/{body['id']}/").json()["title"] == "Returns"
    refused = client.patch(f"/api/v1/kb/articles/{body['id']}/", {"title": "x"}, format="json")
    assert refused.status_code == 403
    assert client.post("/api/v1/kb/folders/", {"name": "x"}, format="json").status_code == 403


def test_filters_combine_and_search_gives_highlighted_snippets():
    # given
    author = editor()
    orders = folder_create(actor=author, name="Orders")
    queue = QueueFactory()
    article("Parcel returns", "Send the parcel back.", folder=orders, queues=[queue])
    article("Parcel sizes", "The parcel may weigh 30 kg.", queues=[queue])
    article("Parcels abroad", "A parcel abroad takes a week.", folder=orders)
    other = QueueFactory()
    article("Parcel for the other queue", "parcel", folder=orders, queues=[other])
    client = api_for(author)
    # when
    found = client.get(
        "/api/v1/kb/articles/", {"search": "parcel", "folder": orders.pk, "queue": queue.pk}
    ).json()["results"]
    # then: the folder's articles serving the queue or every queue, with snippets
    assert [item["title"] for item in found] == ["Parcel returns", "Parcels abroad"]
    assert "<mark>parcel</mark>" in found[0]["snippet"]
    plain = client.get("/api/v1/kb/articles/").json()["results"]
    assert {item["snippet"] for item in plain} == {None}


def test_revisions_are_listed_and_restored_through_the_api():
    author = GroupSupervisorFactory()
    item = article("Hours", "Nine.", author=author)
    client = api_for(author)
    client.patch(f"/api/v1/kb/articles/{item.pk}/", {"body": "Ten."}, format="json")
    revisions = client.get(f"/api/v1/kb/articles/{item.pk}/revisions/").json()
    assert [(r["number"], r["body"]) for r in revisions] == [(2, "Ten."), (1, "Nine.")]
    restored = client.post(f"/api/v1/kb/articles/{item.pk}/revisions/{revisions[1]['id']}/restore/")
    assert restored.json()["body"] == "Nine."
    assert Article.objects.get().revisions.count() == 3


def test_deleting_through_the_api_takes_it_out_of_search():
    author = GroupSupervisorFactory()
    item = article("Hours", "Nine.", author=author)
    client = api_for(author)
    assert client.delete(f"/api/v1/kb/articles/{item.pk}/").status_code == 204
    assert client.get("/api/v1/kb/articles/", {"search": "nine"}).json()["results"] == []
