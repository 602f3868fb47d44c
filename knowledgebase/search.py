"""Full-text search of articles, one interface on both database back ends.

PostgreSQL: a weighted `tsvector` of the title (A) and the plain text (B), matched with
`websearch_to_tsquery`, ranked by `ts_rank`, snippets by `ts_headline`; an expression GIN index
(made in the migrations, from `VECTOR` itself) serves the match.

SQLite: an FTS5 table (`knowledgebase_article_fts`, rowid = the article's id, made in the
migrations) that the services keep in step on every save and delete (`index_sync`,
`index_drop`); ranked by `bm25` with the title weighted above the text, snippets by
`snippet()`. The web-search syntax (words, "phrases", -exclusions, or) is translated to FTS5's.

Both drop the same English stop words and stem alike (PostgreSQL's english configuration,
FTS5's porter tokenizer), so one query finds the same articles on either. A title match ranks
above a match in the text on both.
"""

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, FloatField, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

CONFIG = "english"
FTS_TABLE = "knowledgebase_article_fts"
TITLE_WEIGHT = 10.0  # bm25's weight of the title against the text's 1
# Around the matched words of a snippet, in place of markup: the snippet is escaped, then these
# become <mark> (characters of Unicode's private use area, which no article contains).
START, STOP = "\ue000", "\ue001"
SNIPPET_WORDS = 16
VECTOR = SearchVector("title", weight="A", config=CONFIG) + SearchVector(
    "body_text", weight="B", config=CONFIG
)
# PostgreSQL's english stop words (its snowball list), dropped from FTS5 queries as
# websearch_to_tsquery drops them.
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom this
    that these those am is are was were be been being have has had having do does did doing a an
    the and but if or because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no nor not
    only own same so than too very s t can will just don should now""".split()  # noqa: SIM905
)
_TOKEN = re.compile(r'-?"[^"]*"|\S+')
_WORD = re.compile(r"\w+")


def postgres() -> bool:
    return connection.vendor == "postgresql"


def ranked(articles: QuerySet, query: str, *, any_word: bool = False) -> QuerySet:
    """The articles matching `query` (web-search syntax; `any_word`: any of its words), best
    first, each with `rank` and `snippet` (the text around the match, see `highlighted`)."""
    if postgres():
        return _ranked_postgres(articles, query, any_word=any_word)
    match = fts_query(query, any_word=any_word)
    if not match:
        return articles.none()
    return _ranked_sqlite(articles, match)


def _ranked_postgres(articles: QuerySet, query: str, *, any_word: bool) -> QuerySet:
    if any_word:
        query = " or ".join(_words(query))
    if not query.strip():
        return articles.none()
    search = SearchQuery(query, search_type="websearch", config=CONFIG)
    return (
        articles.alias(search=VECTOR)
        .filter(search=search)
        .annotate(
            rank=SearchRank(VECTOR, search),
            snippet=SearchHeadline(
                "body_text",
                search,
                config=CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=SNIPPET_WORDS,
                min_words=SNIPPET_WORDS // 2,
            ),
        )
        .order_by("-rank", "title", "id")
    )


def _ranked_sqlite(articles: QuerySet, match: str) -> QuerySet:
    # bm25 is lower for a better match; negated, higher is better as on PostgreSQL.
    correlated = f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid = knowledgebase_article.id"
    rank = RawSQL(
        f"SELECT -bm25({FTS_TABLE}, {TITLE_WEIGHT}, 1.0) {correlated}",
        [match],
        output_field=FloatField(),
    )
    snippet = RawSQL(
        f"SELECT snippet({FTS_TABLE}, 1, %s, %s, ' … ', {SNIPPET_WORDS}) {correlated}",
        [START, STOP, match],
        output_field=TextField(),
    )
    matching = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])
    return (
        articles.filter(pk__in=matching)
        .annotate(rank=rank, snippet=snippet)
        .order_by(F("rank").desc(), "title", "id")
    )


def _words(text: str) -> list[str]:
    """The words of `text` that search reads, once each, in order."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if word not in STOP_WORDS:
            seen.setdefault(word)
    return list(seen)


def fts_query(text: str, *, any_word: bool = False) -> str:
    """`text` in web-search syntax as an FTS5 query: words and "phrases" all required (any one,
    with `any_word`), `or` between alternatives, `-word` excluded. Every term is quoted, so no
    input is FTS5 syntax of its own. "" when nothing is left to search for."""
    if any_word:
        return " OR ".join(f'"{word}"' for word in _words(text))
    out: list[str] = []
    either = False
    for token in _TOKEN.findall(text):
        if token.lower() == "or":
            either = bool(out)
            continue
        excluded = token.startswith("-")
        words = _words(token)
        if not words:
            continue
        term = '"' + " ".join(words) + '"'
        if excluded:
            if out:
                out.append(f"NOT {term}")
        else:
            out.append(f"OR {term}" if either else (f"AND {term}" if out else term))
        either = False
    return " ".join(out)


def highlighted(snippet: str | None) -> SafeString:
    """A snippet as HTML: escaped, its matched words in <mark>."""
    text = escape(snippet or "")
    return mark_safe(text.replace(START, "<mark>").replace(STOP, "</mark>"))


def index_sync(article_id: int, title: str, text: str) -> None:
    """Put the article's searchable text into SQLite's FTS5 table (PostgreSQL's index follows
    the row by itself). Inside the caller's transaction."""
    if postgres():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [article_id])
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",
            [article_id, title, text],
        )


def index_drop(article_id: int) -> None:
    """Take a deleted article out of SQLite's FTS5 table."""
    if postgres():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [article_id])
