"""REST endpoints of the knowledge base under /api/v1/kb/: folders, and articles with search
(`?search=`, web-search syntax, best first with highlighted snippets), `?folder=` and
`?queue=`. Everyone signed in reads what they may (agents: published articles of their
queues); editors (supervisors, and users with the permission) write."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from contactcenter.models import Queue
from contactcenter.rest import IdFilter
from knowledgebase import services
from knowledgebase.models import Article, ArticleRevision, ArticleState, Folder
from knowledgebase.permissions import can_edit
from knowledgebase.search import highlighted
from knowledgebase.selectors import articles_for, folders_for


class EditorWrites(BasePermission):
    """Reads for everyone signed in (the rows are scoped to them); writes for editors."""

    message = "Only editors of the knowledge base may change it."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or can_edit(request.user)


class FolderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Folder
        fields = ["id", "name", "parent", "position"]
        extra_kwargs = {"position": {"required": False}}


class FolderViewSet(viewsets.ModelViewSet):
    """Folders of articles, nested by `parent`, ordered by `position` among siblings."""

    queryset = Folder.objects.none()  # names the model for the schema; rows: get_queryset
    serializer_class = FolderSerializer
    permission_classes = [IsAuthenticated, EditorWrites]
    filter_backends = []
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return folders_for(self.request.user)

    def perform_create(self, serializer: FolderSerializer) -> None:
        serializer.instance = services.folder_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: FolderSerializer) -> None:
        serializer.instance = services.folder_update(
            actor=self.request.user, folder=serializer.instance, **serializer.validated_data
        )


class ArticleSerializer(serializers.ModelSerializer):
    queues = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Queue.objects.all(),
        required=False,
        help_text="The queues whose agents read it; none: every queue.",
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=60, allow_blank=True), required=False
    )
    body_html = serializers.CharField(read_only=True, help_text="The text rendered, sanitised.")
    author = serializers.PrimaryKeyRelatedField(read_only=True)
    snippet = serializers.SerializerMethodField(
        help_text="With ?search=: the text around the match, HTML with the words in <mark>."
    )

    class Meta:
        model = Article
        fields = ["id", "title", "body", "body_html", "state", "folder", "queues", "tags",
                  "public", "author", "snippet", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_snippet(self, article: Article) -> str | None:
        snippet = getattr(article, "snippet", None)
        return None if snippet is None else str(highlighted(snippet))


class RevisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ArticleRevision
        fields = ["id", "number", "title", "body", "author", "note", "created_at"]


class ArticleFilter(django_filters.FilterSet):
    """Combinable: every filter given narrows the list."""

    search = django_filters.CharFilter(
        label='Words, "phrases", -excluded, or: the matches, best first (a title match first)'
    )
    folder = IdFilter()
    queue = IdFilter(label="Serving this queue (or every queue)")
    state = django_filters.ChoiceFilter(choices=ArticleState.choices)

    class Meta:
        model = Article
        fields = []

    def filter_queryset(self, queryset):
        """One selector applies them all (the widget and the module share it)."""
        data = self.form.cleaned_data
        return articles_for(
            self.request.user,
            search_text=data.get("search") or "",
            folder=data.get("folder"),
            queue=data.get("queue"),
            state=data.get("state") or "",
        ).prefetch_related("queues")


class ArticleViewSet(viewsets.ModelViewSet):
    """Articles: agents read the published ones of their queues (and those for every queue);
    editors read all and write. A change of title or text is a new revision."""

    queryset = Article.objects.none()  # names the model for the schema; rows: get_queryset
    serializer_class = ArticleSerializer
    filterset_class = ArticleFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    permission_classes = [IsAuthenticated, EditorWrites]

    def get_queryset(self):
        return articles_for(self.request.user).prefetch_related("queues")

    def perform_create(self, serializer: ArticleSerializer) -> None:
        article = services.article_create(actor=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=article.pk)

    def perform_update(self, serializer: ArticleSerializer) -> None:
        services.article_update(actor=self.request.user, article_id=serializer.instance.pk,
                                **serializer.validated_data)  # fmt: skip
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_destroy(self, instance: Article) -> None:
        services.article_delete(actor=self.request.user, article_id=instance.pk)

    @extend_schema(responses=RevisionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def revisions(self, request: Request, pk: int) -> Response:
        """The article's revisions, newest first (editors)."""
        article = self.get_object()
        if not can_edit(request.user):
            return Response(RevisionSerializer([], many=True).data)
        revisions = article.revisions.all()
        return Response(RevisionSerializer(revisions, many=True).data)

    @extend_schema(request=None, responses=ArticleSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=r"revisions/(?P<revision_id>\d+)/restore",
        filter_backends=[],
    )
    def restore(self, request: Request, pk: int, revision_id: str) -> Response:
        """Bring back a revision's title and text, as a new revision."""
        article = self.get_object()
        services.article_revision_restore(
            actor=request.user, article_id=article.pk, revision_id=int(revision_id)
        )
        return Response(ArticleSerializer(self.get_queryset().get(pk=article.pk)).data)
