from django.urls import path

from knowledgebase import views

app_name = "kb"
urlpatterns = [
    path("", views.home, name="home"),
    path("articles/new/", views.article_form, name="article-new"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("articles/<int:pk>/edit/", views.article_form, name="article-edit"),
    path("articles/<int:pk>/state/", views.article_state, name="article-state"),
    path("articles/<int:pk>/images/", views.article_image, name="article-image"),
    path(
        "articles/<int:pk>/revisions/<int:revision_id>/restore/",
        views.article_restore,
        name="article-restore",
    ),
    path("images/<int:pk>/", views.image, name="image"),
    path("p/<uuid:key>/", views.public_article, name="public"),
]
