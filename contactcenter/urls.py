from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from contactcenter import views
from messaging.pages import new_message

urlpatterns = [
    path("", views.workspace, name="workspace"),
    path(
        "workspace/activities/<int:activity_id>/",
        views.activity_screen,
        name="activity-screen",
    ),
    path(
        "workspace/activities/<int:activity_id>/widgets/<str:kind>/",
        views.activity_widget,
        name="activity-widget",
    ),
    path("workspace/transfer-targets/", views.transfer_targets, name="transfer-targets"),
    path("workspace/new-message/", new_message, name="new-message"),
    path("crm/", include("crm.urls")),
    path("tickets/", include("tickets.urls")),
    path("workspace/emoji.json", views.emoji_list, name="emoji"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("messaging.urls")),
    path("api/v1/", include("contactcenter.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    *(
        [path("simulator/", include("messaging.simulator.urls"))]
        if settings.SIMULATOR_ENABLED
        else []
    ),
]
