"""The Knowledge base module of the workspace (folder tree, search with snippets, article
page; editors write, publish and restore revisions there), the pictures of articles, and the
public page of articles customers may open by their link. Fragments loaded with htmx; every
change goes through `knowledgebase.services`."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from contactcenter.exceptions import ApplicationError
from contactcenter.pages import agent_page
from knowledgebase import services
from knowledgebase.forms import ArticleForm, ImageForm
from knowledgebase.models import Article, ArticleImage, ArticleState
from knowledgebase.permissions import can_edit
from knowledgebase.selectors import articles_for, folder_tree, folders_for
from messaging.files import stored_file_response

PAGE_SIZE = 25
STATE_ACTIONS = {"publish": ArticleState.PUBLISHED, "archive": ArticleState.ARCHIVED,
                 "draft": ArticleState.DRAFT}  # fmt: skip


@agent_page
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The folder tree beside the articles of the chosen folder (none: all), or the matches of
    a search, best first, with their snippets."""
    query = request.GET.get("q", "").strip()
    folder_id = request.GET.get("folder", "")
    folder = int(folder_id) if folder_id.isdigit() else None
    articles = articles_for(request.user, search_text=query, folder=folder)
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "folder": folder,
        "tree": folder_tree(folders_for(request.user)),
        "editor": can_edit(request.user),
    }
    return render(request, "knowledgebase/home.html", context)


@agent_page
@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _article_page(request, pk)


def _article_page(request: HttpRequest, pk: int, **extra) -> HttpResponse:
    article = get_object_or_404(articles_for(request.user).prefetch_related("queues"), pk=pk)
    editor = can_edit(request.user)
    context = {
        "article": article,
        "editor": editor,
        "tree": folder_tree(folders_for(request.user)),
        "revisions": article.revisions.select_related("author")[:20] if editor else [],
        **extra,
    }
    return render(request, "knowledgebase/article.html", context)


@agent_page
def article_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not can_edit(request.user):
        raise Http404("Only editors write articles.")
    article = get_object_or_404(articles_for(request.user), pk=pk) if pk else None
    initial = {}
    if article is not None:
        initial = {
            "title": article.title, "folder": article.folder_id, "body": article.body,
            "state": article.state, "queues": list(article.queues.all()),
            "tags": ", ".join(article.tags), "public": article.public,
        }  # fmt: skip
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            article = _save(request, article, dict(form.cleaned_data))
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return _article_page(request, article.pk)
    context = {"form": form, "article": article, "image_form": ImageForm(auto_id="kb-image-%s")}
    return render(request, "knowledgebase/article_form.html", context)


def _save(request: HttpRequest, article: Article | None, data: dict) -> Article:
    if article is None:
        return services.article_create(actor=request.user, **data)
    return services.article_update(actor=request.user, article_id=article.pk, **data)


@agent_page
@require_POST
def article_state(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish, archive, or take back to draft."""
    state = STATE_ACTIONS.get(request.POST.get("action", ""))
    if state is None:
        raise Http404("No such action.")
    get_object_or_404(articles_for(request.user), pk=pk)
    try:
        services.article_update(actor=request.user, article_id=pk, state=state)
    except ApplicationError as exc:
        return _article_page(request, pk, error=exc.message)
    return _article_page(request, pk)


@agent_page
@require_POST
def article_restore(request: HttpRequest, pk: int, revision_id: int) -> HttpResponse:
    get_object_or_404(articles_for(request.user), pk=pk)
    try:
        services.article_revision_restore(
            actor=request.user, article_id=pk, revision_id=revision_id
        )
    except ApplicationError as exc:
        return _article_page(request, pk, error=exc.message)
    return _article_page(request, pk)


@agent_page
@require_POST
def article_image(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a picture; the form comes back with the Markdown that shows it."""
    article = get_object_or_404(articles_for(request.user), pk=pk)
    image_form = ImageForm(request.POST, request.FILES, auto_id="kb-image-%s")
    uploaded = None
    if image_form.is_valid():
        try:
            uploaded = services.article_image_add(
                actor=request.user, article=article, upload=image_form.cleaned_data["image"]
            )
        except ApplicationError as exc:
            image_form.add_error("image", exc.message)
    context = {"article": article, "image_form": image_form, "uploaded": uploaded}
    return render(request, "knowledgebase/image_form.html", context)


@require_GET
def image(request: HttpRequest, pk: int) -> FileResponse:
    """A picture of an article, for whoever may read the article (anyone, for a published
    public one); never run as anything but a picture."""
    picture = get_object_or_404(ArticleImage.objects.select_related("article"), pk=pk)
    article = picture.article
    public = article.public and article.state == ArticleState.PUBLISHED
    if not public and not articles_for(request.user).filter(pk=article.pk).exists():
        raise Http404("No such picture.")
    response = stored_file_response(picture.file, content_type=picture.content_type, download=False)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def public_article(request: HttpRequest, key: str) -> HttpResponse:
    """An article that its editors let customers open, by the link an agent sent them."""
    article = get_object_or_404(Article, public_key=key, public=True, state=ArticleState.PUBLISHED)
    return render(request, "knowledgebase/public.html", {"article": article})
