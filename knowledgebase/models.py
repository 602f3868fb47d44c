"""The knowledge base: folders of articles written in Markdown, each kept with its revisions.

An article's HTML and plain text are made from its Markdown once, when a revision is saved
(`knowledgebase.markdown`), never when it is read; the plain text is what search reads.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from contactcenter.models.base import BaseModel


class Folder(BaseModel):
    """A folder of articles, nested under its parent, ordered by position among its siblings."""

    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name", "id"]

    def __str__(self) -> str:
        return self.name


class ArticleState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Article(BaseModel):
    """An article: agents read it where it is published and serves one of their queues (or,
    serving none, every queue)."""

    folder = models.ForeignKey(
        Folder, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    body_text = models.TextField(blank=True, editable=False)
    state = models.CharField(max_length=10, choices=ArticleState, default=ArticleState.DRAFT)
    queues = models.ManyToManyField(
        "contactcenter.Queue",
        blank=True,
        related_name="articles",
        help_text="The queues whose agents read it; none: every queue.",
    )
    tags = models.JSONField(default=list, blank=True)
    public = models.BooleanField(
        default=False, help_text="Customers may open it by its link (once published)."
    )
    public_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["state", "folder"], name="kb_article_state_folder")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ArticleState.values), name="kb_article_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ArticleRevision(models.Model):
    """What an article said after one change, who made it and when."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_revision_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"


class ArticleImage(BaseModel):
    """A picture uploaded with an article, kept in media storage and served by the knowledge
    base (`knowledgebase.views.image`), to whoever may read the article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to="kb/%Y/%m/")
    filename = models.CharField(max_length=150)
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.filename
