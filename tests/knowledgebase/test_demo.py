"""The demo's knowledge base: folders and published articles for Sales, Support and every
queue, loaded any number of times."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from contactcenter.models import Agent
from knowledgebase.models import Article, Folder
from knowledgebase.selectors import articles_for, folder_tree

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_the_demo_knowledge_base_is_loaded_once_and_read_by_queue():
    # when: the demo is loaded twice
    call_command("demo")
    call_command("demo")
    # then: the folders nested once, each article once with one revision
    tree = [(folder.name, depth) for folder, depth in folder_tree(Folder.objects.all())]
    assert tree == [("Getting started", 0), ("Orders and delivery", 0),
                    ("Returns and refunds", 1), ("Products", 0)]  # fmt: skip
    assert {article.revisions.count() for article in Article.objects.all()} == {1}
    # and Bob (Support) reads Support's and every queue's, never Sales's only
    bob = Agent.objects.get(user__username="bob").user
    titles = {article.title for article in articles_for(bob)}
    assert "Returning an order" in titles and "Warranty" in titles
    assert "Discounts for larger orders" not in titles
    assert articles_for(bob, search_text="return").first().title == "Returning an order"
