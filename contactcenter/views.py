from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from contactcenter import health
from contactcenter.selectors import agent_for_user


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    """The agent workspace; a user who is not an agent is told so (staff get the admin link)."""
    agent = agent_for_user(request.user)
    if agent is None:
        return render(request, "contactcenter/not_an_agent.html", status=403)
    return render(request, "contactcenter/workspace.html", {"agent": agent})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and Redis both answer; 503 naming what is down otherwise."""
    checks = {"database": health.database_status(), "redis": health.redis_status()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)
