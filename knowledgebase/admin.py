"""The knowledge base in the back office: folders, and articles with their revisions (read
only: a change makes one; the module and the API restore them)."""

from django.contrib import admin

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
    fields = ["number", "title", "author", "created_at", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


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

    def delete_model(self, request, obj) -> None:
        services.article_delete(actor=request.user, article_id=obj.pk)

    def delete_queryset(self, request, queryset) -> None:
        for article in queryset:
            services.article_delete(actor=request.user, article_id=article.pk)
