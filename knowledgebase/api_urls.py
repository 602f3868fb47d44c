"""The knowledge base's routes under /api/v1/kb/: folders and articles."""

from rest_framework.routers import SimpleRouter

from knowledgebase.apis import ArticleViewSet, FolderViewSet

router = SimpleRouter()
router.register("kb/folders", FolderViewSet, basename="kb-folder")
router.register("kb/articles", ArticleViewSet, basename="kb-article")

urlpatterns = router.urls
