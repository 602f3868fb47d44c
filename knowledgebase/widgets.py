"""The Articles widget of the activity screen: the articles of the activity's queue, with
suggestions ranked against what the customer wrote last and a search box; an article read in
place, with Back, Open in Knowledge base, and Insert into reply (its link or its text)."""

from django.http import HttpRequest
from django.urls import reverse

from contactcenter.models import Activity, QueueWidget, WidgetKind
from contactcenter.widgets import Widget
from knowledgebase.models import Article, ArticleState
from knowledgebase.selectors import articles_for, suggestions_for

SHOWN = 20


def articles_widget_context(request: HttpRequest, activity: Activity, _: QueueWidget) -> dict:
    """`?article=<id>` that article, `?q=` the matches of a search, else the suggestions and
    the list. Only published articles serving the activity's queue, whoever reads."""
    available = articles_for(request.user, queue=activity.queue_id, state=ArticleState.PUBLISHED)
    chosen = request.GET.get("article", "")
    if chosen.isdigit():
        article = available.filter(pk=int(chosen)).first()
        if article is not None:
            return {"mode": "article", "article": article, **reply_texts(request, article)}
    query = request.GET.get("q", "").strip()
    if query:
        found = articles_for(request.user, search_text=query, queue=activity.queue_id,
                             state=ArticleState.PUBLISHED)[:SHOWN]  # fmt: skip
        return {"mode": "search", "query": query, "articles": found}
    return {
        "mode": "list",
        "suggestions": suggestions_for(request.user, activity),
        "articles": available[:SHOWN],
    }


def reply_texts(request: HttpRequest, article: Article) -> dict:
    """What Insert into reply puts into the composer: the article's text, and its link where
    customers may open it."""
    link = ""
    if article.public:
        link = request.build_absolute_uri(reverse("kb:public", args=[article.public_key]))
    return {"reply_text": f"{article.title}\n\n{article.body_text}", "reply_link": link}


WIDGETS = {WidgetKind.ARTICLES: Widget("knowledgebase/widgets/articles.html",
                                        articles_widget_context)}  # fmt: skip
