"""Supervisors write articles in the admin too, through the same services: each change a
revision, searchable at once."""

import pytest
from django.urls import reverse

from contactcenter.demo import supervisors_group
from knowledgebase.models import Article
from knowledgebase.selectors import articles_for
from knowledgebase.services import article_update
from tests.factories import FolderFactory, QueueFactory, SupervisorFactory
from tests.knowledgebase.helpers import article

pytestmark = pytest.mark.django_db

INLINES = {
    f"{prefix}-{name}": value
    for prefix in ("revisions", "images")
    for name, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0), ("MAX_NUM_FORMS", 1000))
}


def test_an_article_written_and_changed_in_the_admin_is_revised_and_searchable(client):
    # given
    supervisor = SupervisorFactory()
    supervisor.groups.add(supervisors_group())
    client.force_login(supervisor)
    folder, queue = FolderFactory(), QueueFactory()
    form = {"title": "Opening hours", "folder": folder.pk, "body": "From *nine*.",
            "state": "published", "queues": [queue.pk], "tags": '["hours"]', **INLINES}  # fmt: skip
    # when: written, then changed
    added = client.post(reverse("admin:knowledgebase_article_add"), form)
    item = Article.objects.get()
    changed = client.post(
        reverse("admin:knowledgebase_article_change", args=[item.pk]),
        {**form, "body": "From *ten*.", "revisions-INITIAL_FORMS": 1,
         "revisions-TOTAL_FORMS": 1, "revisions-0-id": item.revisions.get().pk,
         "revisions-0-article": item.pk},
    )  # fmt: skip
    # then
    assert (added.status_code, changed.status_code) == (302, 302)
    item.refresh_from_db()
    assert item.body_html == "<p>From <em>ten</em>.</p>\n"
    assert list(item.queues.all()) == [queue] and item.tags == ["hours"]
    assert list(item.revisions.values_list("number", "author")) == [
        (2, supervisor.pk),
        (1, supervisor.pk),
    ]
    assert [found.pk for found in articles_for(supervisor, search_text="ten")] == [item.pk]


def test_a_revision_is_restored_in_the_admin_after_a_confirmation(client):
    # given: an article changed once
    supervisor = SupervisorFactory()
    supervisor.groups.add(supervisors_group())
    client.force_login(supervisor)
    item = article("Hours", "Nine.", author=supervisor)
    article_update(actor=supervisor, article_id=item.pk, body="Ten.")
    first = item.revisions.get(number=1)
    url = reverse("admin:knowledgebase_article_restore", args=[item.pk, first.pk])
    # when: the article's page links to the restore of each revision, which asks first
    change = client.get(reverse("admin:knowledgebase_article_change", args=[item.pk]))
    asked = client.get(url)
    # then
    assert url in change.content.decode()
    assert "Restore revision 1 of “Hours”?" in asked.content.decode()
    item.refresh_from_db()
    assert item.body == "Ten."
    # when: confirmed
    done = client.post(url)
    # then
    assert done.status_code == 302
    item.refresh_from_db()
    assert (item.body, item.revisions.count()) == ("Nine.", 3)
