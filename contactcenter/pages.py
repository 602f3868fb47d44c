"""What every page piece of the workspace has in common: an agent signed in."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from contactcenter.selectors import agent_for_user


def agent_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For the workspace's pieces (screens, widgets, modules): signed in, else to the login
    page; an agent, else 404. Sets `request.agent`."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        request.agent = agent_for_user(request.user)
        if request.agent is None:
            raise Http404("Not an agent.")
        return view(request, *args, **kwargs)

    return wrapped
