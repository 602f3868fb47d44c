"""Search: the same cases on SQLite (FTS5) and PostgreSQL (full text); run the file with
DATABASE_URL set to a PostgreSQL database for the second."""

import pytest
from django.db import connection

from knowledgebase.search import fts_query, highlighted, postgres
from knowledgebase.selectors import articles_for
from knowledgebase.services import article_delete, article_update
from tests.knowledgebase.helpers import article, editor

pytestmark = pytest.mark.django_db


def titles(user, text: str) -> list[str]:
    return [found.title for found in articles_for(user, search_text=text)]


def test_a_title_match_ranks_above_a_match_in_the_text():
    # given: the word in one title, and three times in another's text
    reader = editor()
    article("Shipping fees", "Costs by country.")
    article("Delivery", "Our shipping partners: shipping is free; shipping takes a day.")
    article("Warranty", "Two years.")
    # then
    assert titles(reader, "shipping") == ["Shipping fees", "Delivery"]


def test_words_are_stemmed_and_stop_words_ignored():
    reader = editor()
    article("Returning an order", "Customers return items within 30 days.")
    article("Refunds", "Refunded to the card.")
    # then: "returns" finds "return"/"returning"; "how to" asks for nothing
    assert titles(reader, "how to returns") == ["Returning an order"]
    assert titles(reader, "refund") == ["Refunds"]


def test_web_search_syntax_phrases_exclusions_and_or():
    reader = editor()
    article("Card payments", "Pay by credit card at checkout.")
    article("Gift cards", "A gift card is paid by bank transfer.")
    article("Invoices", "Companies pay by bank transfer.")
    # then
    assert titles(reader, '"credit card"') == ["Card payments"]
    assert set(titles(reader, "card -gift")) == {"Card payments"}
    assert set(titles(reader, "invoices or gift")) == {"Invoices", "Gift cards"}
    assert set(titles(reader, "bank transfer")) == {"Gift cards", "Invoices"}


def test_the_snippet_marks_the_matched_words_and_escapes_the_rest():
    reader = editor()
    article("Parcels", "Wrap it well. <b>Never</b> send a damaged parcel back; keep it.")
    # when
    found = articles_for(reader, search_text="damaged").get()
    # then
    assert "damaged" in found.snippet.replace("\ue000", "").replace("\ue001", "")
    html = str(highlighted(found.snippet))
    assert "<mark>damaged</mark>" in html
    assert "<b>" not in html


def test_search_follows_every_change_and_deletion():
    author = editor()
    item = article("Opening hours", "We open at nine.", author=author)
    # when: its text changes
    article_update(actor=author, article_id=item.pk, body="We open at eight.")
    # then
    assert titles(author, "nine") == []
    assert titles(author, "eight") == ["Opening hours"]
    # when: it is deleted
    article_delete(actor=author, article_id=item.pk)
    # then
    assert titles(author, "eight") == []


def test_search_input_is_never_query_syntax():
    reader = editor()
    article("Colons: and stars*", 'Quotes " and NEAR(a b) and AND OR NOT.')
    # then: nothing raises, and the words are found
    for text in ['"', "NEAR(", "a:b", "*", "-", "AND", "title:stars", "((", "'; drop"]:
        titles(reader, text)
    assert titles(reader, "stars") == ["Colons: and stars*"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 translation")
def test_the_fts5_query_quotes_every_term():
    assert fts_query('refund "credit card" -gift or cash') == (
        '"refund" AND "credit card" NOT "gift" OR "cash"'
    )
    assert fts_query("the and") == ""
    assert not postgres()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's index")
def test_postgresql_serves_the_search_from_its_gin_index():
    reader = editor()
    article("Delivery", "Parcels leave the same day.")
    searched = articles_for(reader, search_text="parcels")
    # when: the planner may not scan the table
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = searched.explain()
    # then
    assert "kb_article_search" in plan
