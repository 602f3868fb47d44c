"""What each user may read of the knowledge base, and the searches over it.

Agents read published articles that serve one of their queues, or no queue in particular
(every queue); editors (supervisors, and users with the permission) read every article in
every state. Every list, search, widget, page and API call goes through `articles_for`.
"""

import re

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from contactcenter.models import Activity, QueueMembership
from knowledgebase import search
from knowledgebase.models import Article, ArticleState, Folder
from knowledgebase.permissions import can_edit
from messaging.models import Direction, Message

SUGGESTION_MESSAGES = 3  # the customer's latest messages that suggestions are ranked against
SUGGESTION_WORDS = 24


def _serves(queue_ids) -> Q:
    """Articles for no queue in particular, or for one of `queue_ids` (ids or a subquery)."""
    through = Article.queues.through.objects
    any_queue = ~Exists(through.filter(article=OuterRef("pk")))
    return Q(any_queue) | Q(Exists(through.filter(article=OuterRef("pk"), queue__in=queue_ids)))


def articles_for(
    user: AbstractBaseUser,
    *,
    search_text: str = "",
    folder: Folder | int | None = None,
    queue: int | None = None,
    state: str = "",
) -> QuerySet[Article]:
    """The articles `user` may read, narrowed by every filter given: in `folder` (not its
    subfolders), serving `queue` (or every queue), in `state` (editors; agents read only
    published ones). With `search_text`: the matches, best first, with `rank` and `snippet`;
    else by title."""
    articles = Article.objects.select_related("folder", "author")
    if not user.is_authenticated:
        return articles.none()
    if not can_edit(user):
        memberships = QueueMembership.objects.filter(agent__user=user).values("queue_id")
        articles = articles.filter(_serves(memberships), state=ArticleState.PUBLISHED)
    if state:
        articles = articles.filter(state=state)
    if folder is not None:
        articles = articles.filter(folder=folder)
    if queue is not None:
        articles = articles.filter(_serves([queue]))
    if search_text.strip():
        return search.ranked(articles, search_text)
    return articles.order_by("title", "id")


def folders_for(user: AbstractBaseUser) -> QuerySet[Folder]:
    """Every folder, in tree order's parts (parent, position); a reader's empty ones too, as
    the tree is the same for everyone."""
    if not user.is_authenticated:
        return Folder.objects.none()
    return Folder.objects.order_by("parent_id", "position", "name", "id")


def folder_tree(folders) -> list[tuple[Folder, int]]:
    """The folders depth first, each with its depth (0 at the top)."""
    children: dict[int | None, list[Folder]] = {}
    for folder in folders:
        children.setdefault(folder.parent_id, []).append(folder)
    for siblings in children.values():
        siblings.sort(key=lambda f: (f.position, f.name, f.pk))
    tree: list[tuple[Folder, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for folder in children.get(parent_id, []):
            tree.append((folder, depth))
            walk(folder.pk, depth + 1)

    walk(None, 0)
    return tree


def customer_words(activity: Activity) -> str:
    """The words of the customer's latest messages in the activity, newest first."""
    texts = (
        Message.objects.filter(activity=activity, direction=Direction.IN)
        .order_by("-created_at", "-id")
        .values_list("text", flat=True)[:SUGGESTION_MESSAGES]
    )
    words = re.findall(r"\w+", " ".join(texts))
    return " ".join(words[: SUGGESTION_WORDS * 3])


def suggestions_for(user: AbstractBaseUser, activity: Activity, *, limit: int = 3) -> list[Article]:
    """The articles of the activity's queue that best match what the customer wrote last (any
    of their words); none before they wrote anything searchable."""
    words = customer_words(activity)
    if not words:
        return []
    articles = articles_for(user, queue=activity.queue_id)
    return list(search.ranked(articles, words, any_word=True)[:limit])
