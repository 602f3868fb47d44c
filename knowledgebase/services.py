"""Every change of the knowledge base: folders, articles and their revisions, pictures.

Each change of an article's title or text is a new revision, rendered to HTML and plain text
there and then (never when read), and SQLite's search table is kept in step in the same
transaction. Only editors (`permissions.can_edit`) change anything.
"""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max

from contactcenter.exceptions import ApplicationError
from contactcenter.models import Queue
from knowledgebase import markdown, search
from knowledgebase.lock_objects import article_for_update
from knowledgebase.models import Article, ArticleImage, ArticleRevision, ArticleState, Folder
from knowledgebase.permissions import can_edit
from messaging.files import (
    SNIFF_BYTES,
    FileTypeRefused,
    content_type_checked,
    filename_clean,
    storage_name,
)

IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
IMAGE_MAX_BYTES = 5 * 1024 * 1024
ARTICLE_FIELDS = {"title", "body", "folder", "state", "queues", "tags", "public"}


def _editor(actor: AbstractBaseUser) -> None:
    if not can_edit(actor):
        raise ApplicationError(
            "Only editors of the knowledge base may change it.", code="forbidden", status=403
        )


@transaction.atomic
def folder_create(
    *,
    actor: AbstractBaseUser,
    name: str,
    parent: Folder | None = None,
    position: int | None = None,
) -> Folder:
    """A folder, last among its siblings unless `position` says where."""
    _editor(actor)
    if not name.strip():
        raise ApplicationError("A folder needs a name.", code="name_required")
    if position is None:
        last = Folder.objects.filter(parent=parent).aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    folder = Folder(name=name.strip(), parent=parent, position=position)
    folder.full_clean()
    folder.save()
    return folder


@transaction.atomic
def folder_update(*, actor: AbstractBaseUser, folder: Folder, **fields) -> Folder:
    """Rename or move a folder; never under itself or its own subfolders."""
    _editor(actor)
    parent = fields.get("parent", folder.parent)
    ancestor = parent
    while ancestor is not None:
        if ancestor.pk == folder.pk:
            raise ApplicationError("A folder cannot be inside itself.", code="folder_cycle")
        ancestor = ancestor.parent
    for name, value in fields.items():
        setattr(folder, name, value)
    folder.full_clean()
    folder.save()
    return folder


@transaction.atomic
def article_create(
    *,
    actor: AbstractBaseUser,
    title: str,
    body: str = "",
    folder: Folder | None = None,
    state: str = ArticleState.DRAFT,
    queues: Iterable[Queue] = (),
    tags: list[str] | None = None,
    public: bool = False,
) -> Article:
    """An article and its first revision, by `actor`; searchable at once."""
    _editor(actor)
    article = Article(folder=folder, state=state, tags=_tags(tags), public=public, author=actor)
    _set_text(article, title, body)
    article.full_clean()
    article.save()
    article.queues.set(queues)
    _revision_record(article, actor, note="Created")
    search.index_sync(article.pk, article.title, article.body_text)
    return article


@transaction.atomic
def article_update(*, actor: AbstractBaseUser, article_id: int, **fields) -> Article:
    """Change the given fields (ARTICLE_FIELDS). A new title or text is a new revision; a new
    state (published, archived) is not. Idempotent: the same values change nothing."""
    return _update(actor=actor, article_id=article_id, note="", **fields)


def _update(*, actor: AbstractBaseUser, article_id: int, note: str, **fields) -> Article:
    _editor(actor)
    unknown = set(fields) - ARTICLE_FIELDS
    if unknown:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}.", code="invalid")
    article = article_for_update(article_id)
    if article is None:
        raise ApplicationError("No such article.", code="not_found", status=404)
    queues = fields.pop("queues", None)
    title = fields.pop("title", article.title)
    body = fields.pop("body", article.body)
    if "tags" in fields:
        fields["tags"] = _tags(fields["tags"])
    for name, value in fields.items():
        setattr(article, name, value)
    text_changed = (title, body) != (article.title, article.body)
    if text_changed:
        _set_text(article, title, body)
    article.full_clean()
    article.save()
    if queues is not None:
        article.queues.set(queues)
    if text_changed:
        _revision_record(article, actor, note=note)
        search.index_sync(article.pk, article.title, article.body_text)
    return article


def article_publish(*, actor: AbstractBaseUser, article_id: int) -> Article:
    """Agents of its queues read it from now on. Idempotent."""
    return article_update(actor=actor, article_id=article_id, state=ArticleState.PUBLISHED)


def article_archive(*, actor: AbstractBaseUser, article_id: int) -> Article:
    """Agents no longer read it; editors still do. Idempotent."""
    return article_update(actor=actor, article_id=article_id, state=ArticleState.ARCHIVED)


@transaction.atomic
def article_revision_restore(
    *, actor: AbstractBaseUser, article_id: int, revision_id: int
) -> Article:
    """Bring back a revision's title and text, as a new revision that says so (the history
    keeps every step). Its state, queues and folder stay as they are."""
    revision = ArticleRevision.objects.filter(pk=revision_id, article_id=article_id).first()
    if revision is None:
        raise ApplicationError("No such revision of this article.", code="not_found", status=404)
    return _update(
        actor=actor,
        article_id=article_id,
        note=f"Restored revision {revision.number}",
        title=revision.title,
        body=revision.body,
    )


@transaction.atomic
def article_delete(*, actor: AbstractBaseUser, article_id: int) -> None:
    """Delete the article, its revisions and pictures; it leaves search at once."""
    _editor(actor)
    article = article_for_update(article_id)
    if article is None:
        return
    files = [image.file for image in article.images.all()]
    article.delete()
    search.index_drop(article_id)
    transaction.on_commit(lambda: [file.delete(save=False) for file in files])


@transaction.atomic
def article_image_add(
    *, actor: AbstractBaseUser, article: Article, upload: UploadedFile
) -> ArticleImage:
    """A picture for the article (PNG, JPEG, GIF or WebP by its content, not its name), kept in
    media storage. The article's Markdown shows it with `![…](its url)`."""
    _editor(actor)
    if upload.size > IMAGE_MAX_BYTES:
        raise ApplicationError("Pictures may be up to 5 MB.", code="file_too_large")
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    try:
        content_type = content_type_checked(declared=upload.content_type or "", head=head)
    except FileTypeRefused as exc:
        raise ApplicationError(str(exc), code=exc.code) from exc
    if content_type not in IMAGE_TYPES:
        raise ApplicationError(
            "Only PNG, JPEG, GIF and WebP pictures can go into an article.", code="not_an_image"
        )
    filename = filename_clean(upload.name or "") or "picture"
    image = ArticleImage(
        article=article, filename=filename, content_type=content_type, uploaded_by=actor
    )
    image.file.save(storage_name(filename), upload, save=False)
    image.save()
    return image


def _set_text(article: Article, title: str, body: str) -> None:
    if not title.strip():
        raise ApplicationError("An article needs a title.", code="title_required")
    article.title = title.strip()
    article.body = body
    article.body_html = markdown.render(body)
    article.body_text = markdown.plain_text(article.body_html)


def _tags(tags: list[str] | None) -> list[str]:
    """Tags without blanks or repeats, in the order given."""
    return list(dict.fromkeys(tag.strip() for tag in tags or [] if tag.strip()))


def _revision_record(article: Article, actor: AbstractBaseUser, *, note: str) -> None:
    """Caller holds the article (created in, or locked by, the same transaction)."""
    last = article.revisions.aggregate(last=Max("number"))["last"] or 0
    ArticleRevision.objects.create(
        article=article,
        number=last + 1,
        title=article.title,
        body=article.body,
        author=actor,
        note=note,
    )
