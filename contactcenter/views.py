from functools import cache

import emoji
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from contactcenter.models import Queue
from contactcenter.modules import menu_modules, user_links
from contactcenter.page_urls import page_urls
from contactcenter.pages import agent_page
from contactcenter.selectors import activities_of_agent, agent_for_user, colleagues_of
from contactcenter.widgets import screen_widgets, widget_render


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    """The agent workspace; a user who is not an agent is told so (staff get the admin link).
    The page carries the URLs its scripts call, by name (contactcenter/page_urls.py)."""
    agent = agent_for_user(request.user)
    if agent is None:
        context = {"user_links": user_links()}
        return render(request, "contactcenter/not_an_agent.html", context, status=403)
    context = {
        "agent": agent,
        "modules": menu_modules(),
        "user_links": user_links(),
        "urls": page_urls(),
    }
    return render(request, "contactcenter/workspace.html", context)


@agent_page
@require_GET
def activity_screen(request: HttpRequest, activity_id: int) -> HttpResponse:
    """One activity's screen (its widgets), for an agent taking part in it; the workspace
    loads it into the activity's tab."""
    activity = get_object_or_404(activities_of_agent(request.agent), pk=activity_id)
    message, side = screen_widgets(request, activity)
    context = {"activity": activity, "message": message, "side": side}
    return render(request, "contactcenter/activity_screen.html", context)


@agent_page
@require_GET
def activity_widget(request: HttpRequest, activity_id: int, kind: str) -> HttpResponse:
    """One widget of an activity's screen again, as it is now (after a change)."""
    activity = get_object_or_404(activities_of_agent(request.agent), pk=activity_id)
    return HttpResponse(widget_render(request, activity, kind))


@agent_page
@require_GET
def transfer_targets(request: HttpRequest) -> HttpResponse:
    """The choices of the transfer and invite dialog: colleagues with their state (only
    available ones can be picked) and queues."""
    colleagues = colleagues_of(request.agent)
    context = {"colleagues": colleagues, "queues": Queue.objects.order_by("number")}
    return render(request, "contactcenter/transfer_targets.html", context)


@agent_page
@require_GET
@cache_control(private=True, max_age=86400)
def emoji_list(request: HttpRequest) -> JsonResponse:
    """The emoji picker's data: [character, name] pairs, faces first."""
    return JsonResponse({"emoji": _emoji()})


@cache
def _emoji() -> list[list[str]]:
    """Every fully-qualified emoji of the `emoji` package without skin-tone variants, faces and
    people first, then nature, objects and symbols (in Unicode's order within each)."""
    blocks = [(0x1F600, 0x1F64F), (0x1F910, 0x1F9FF), (0x1F300, 0x1F5FF), (0x1F680, 0x1F6FF)]

    def rank(char: str) -> tuple[int, int]:
        code = ord(char[0])
        block = next((i for i, (lo, hi) in enumerate(blocks) if lo <= code <= hi), len(blocks))
        return block, code

    fully_qualified = emoji.STATUS["fully_qualified"]
    chosen = [
        (char, data["en"].strip(":").replace("_", " "))
        for char, data in emoji.EMOJI_DATA.items()
        if data["status"] == fully_qualified and "skin_tone" not in data["en"]
    ]
    return [[char, name] for char, name in sorted(chosen, key=lambda item: rank(item[0]))]
