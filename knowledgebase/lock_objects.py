"""Every lock the knowledge base takes, in one place."""

from knowledgebase.models import Article


def article_for_update(article_id: int) -> Article | None:
    return (
        Article.objects.filter(pk=article_id)
        .order_by("pk")
        .select_for_update(of=("self",), no_key=True)
        .first()
    )
