"""The root URLs: each app's pages and API routes, included by dotted name, and the shell's own
(login, admin, API schema and docs, health)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.health import healthz
from contactcenter import rest

# Every app's API under /api/v1/, in this order (the first route that matches answers).
API_URLS = [
    "contactcenter.api_urls",
    "messaging.api_urls",
    "crm.api_urls",
    "tickets.api_urls",
    "knowledgebase.api_urls",
    "supervision.api_urls",
    "integrations.api_urls",
    "schedule.api_urls",
]

urlpatterns = [
    path("", include("contactcenter.urls")),
    path("", include("messaging.urls")),
    path("crm/", include("crm.urls")),
    path("tickets/", include("tickets.urls")),
    path("kb/", include("knowledgebase.urls")),
    path("supervision/", include("supervision.urls")),
    path("integrations/", include("integrations.urls")),
    path("calendar/", include("schedule.urls")),
    path("", include("cobrowse.urls")),
    path("healthz", healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    *(path("api/v1/", include(module)) for module in API_URLS),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The page and its script apart: the Content-Security-Policy runs no inline script.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    *([path("simulator/", include("simulator.urls"))] if settings.SIMULATOR_ENABLED else []),
]


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A URL nothing answers: the API's error frame under /api/ (an integrator's client reads
    JSON), Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return rest.not_found_response()
    return defaults.page_not_found(request, exception)


handler404 = page_not_found
