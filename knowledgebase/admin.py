"""The knowledge base in the back office: folders, and articles with their revisions (read
only: a change makes one; Restore brings one back, after a confirmation)."""

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from contactcenter.exceptions import ApplicationError
from knowledgebase import services
from knowledgebase.models import Article, ArticleImage, ArticleRevision, Folder

ARTICLE_FIELDS = ["title", "folder", "body", "state", "tags", "public"]


@admin.register(Folder)
class FolderAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "position"]
    list_select_related = ["parent"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change) -> None:
        """Through the services: a folder never goes inside itself."""
        data = form.cleaned_data
        if change:
            changed = {name: data[name] for name in form.changed_data}
            services.folder_update(actor=request.user, folder=Folder.objects.get(pk=obj.pk),
                                   **changed)  # fmt: skip
            return
        created = services.folder_create(actor=request.user, name=data["name"],
                                         parent=data.get("parent"),
                                         position=data.get("position"))  # fmt: skip
        obj.pk = created.pk


class RevisionInline(admin.TabularInline):
    model = ArticleRevision
    fields = ["number", "title", "author", "created_at", "note", "restore"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="")
    def restore(self, revision: ArticleRevision) -> str:
        url = reverse(
            "admin:knowledgebase_article_restore", args=[revision.article_id, revision.pk]
        )
        return format_html('<a href="{}">Restore</a>', url)


class ImageInline(admin.TabularInline):
    model = ArticleImage
    fields = ["filename", "content_type", "uploaded_by", "created_at"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "folder", "state", "public", "author", "updated_at"]
    list_filter = ["state", "public", "folder", "queues"]
    search_fields = ["title", "body"]
    list_select_related = ["folder", "author"]
    filter_horizontal = ["queues"]
    fields = ["title", "folder", "body", "state", "queues", "tags", "public"]
    inlines = [RevisionInline, ImageInline]

    def save_model(self, request, obj, form, change) -> None:
        """Through the services: a new revision, rendered once, and the search kept in step."""
        data = form.cleaned_data
        if change:
            changed = {name: data[name] for name in form.changed_data if name in ARTICLE_FIELDS}
            services.article_update(actor=request.user, article_id=obj.pk, **changed)
            return
        created = services.article_create(
            actor=request.user, **{name: data[name] for name in ARTICLE_FIELDS}
        )
        obj.pk = created.pk

    def get_urls(self):
        restore = path(
            "<int:article_id>/revisions/<int:revision_id>/restore/",
            self.admin_site.admin_view(self.restore_view),
            name="knowledgebase_article_restore",
        )
        return [restore, *super().get_urls()]

    def restore_view(self, request: HttpRequest, article_id: int, revision_id: int) -> HttpResponse:
        """Ask, then bring the revision's title and text back as a new revision."""
        revision = get_object_or_404(ArticleRevision.objects.select_related("article"),
                                     pk=revision_id, article_id=article_id)  # fmt: skip
        if not self.has_change_permission(request, revision.article):
            return HttpResponseRedirect(reverse("admin:index"))
        change = reverse("admin:knowledgebase_article_change", args=[article_id])
        if request.method == "POST":
            try:
                services.article_revision_restore(actor=request.user, article_id=article_id,
                                                  revision_id=revision_id)  # fmt: skip
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(request, f"Revision {revision.number} restored.")
            return HttpResponseRedirect(change)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Restore revision {revision.number} of “{revision.article.title}”?",
            "revision": revision,
            "opts": self.model._meta,
            "change_url": change,
        }
        return TemplateResponse(request, "knowledgebase/admin_restore.html", context)

    def delete_model(self, request, obj) -> None:
        services.article_delete(actor=request.user, article_id=obj.pk)

    def delete_queryset(self, request, queryset) -> None:
        for article in queryset:
            services.article_delete(actor=request.user, article_id=article.pk)
