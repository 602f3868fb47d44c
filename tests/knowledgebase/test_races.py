"""Editors changing one article at the same moment, on PostgreSQL (SQLite serialises writers
and ignores row locks): no change is lost, and each new text is its own revision, numbered in
turn. Fails without the article's row lock (tried): an editor who read the article before
another's change was saved wrote the old values back over it."""

import pytest
from django.db import connection

from knowledgebase.models import ArticleRevision, ArticleState
from knowledgebase.services import article_update, folder_create
from tests.contactcenter.test_routing_races import at_once
from tests.knowledgebase.helpers import article, editor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="races are tested on PostgreSQL")
def test_editors_changing_one_article_at_once_lose_nothing():
    # given
    author = editor()
    item = article("Hours", "Nine.", author=author, state=ArticleState.DRAFT)
    folder = folder_create(actor=author, name="Shop")
    changes = [
        {"title": "Opening hours"},
        {"body": "Nine to five."},
        {"tags": ["hours"]},
        {"public": True},
        {"state": ArticleState.PUBLISHED},
        {"folder": folder},
    ]
    # when: six editors each change one field at once
    results = at_once(
        [lambda change=change: article_update(actor=author, article_id=item.pk, **change)
         for change in changes]
    )  # fmt: skip
    # then: every change holds; the two new texts are revisions 2 and 3
    assert None not in results
    item.refresh_from_db()
    assert (item.title, item.body, item.tags, item.public, item.state, item.folder) == (
        "Opening hours", "Nine to five.", ["hours"], True, ArticleState.PUBLISHED, folder
    )  # fmt: skip
    numbers = list(ArticleRevision.objects.order_by("number").values_list("number", flat=True))
    assert numbers == [1, 2, 3]
