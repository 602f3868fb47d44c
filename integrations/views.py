"""The API tokens page: any signed-in user (an agent, a supervisor, an integration account with
a password) makes and revokes tokens of their own here. Supervisors manage everyone's in the
admin."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from contactcenter.models import Agent
from integrations.forms import TokenForm
from integrations.services.tokens import token_create, token_revoke


@login_required
def tokens_page(request: HttpRequest) -> HttpResponse:
    """The user's tokens, and the form for a new one. A new token's plaintext is in the answer
    to the form and nowhere else, not cached. The page sends the form with htmx (the answer's
    main part is swapped in), so reloading the page shows the list rather than sending the form
    again."""
    form = TokenForm(request.POST or None)
    created = plaintext = None
    if request.method == "POST" and form.is_valid():
        created, plaintext = token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            expires_at=form.expires_at(),
            actor=request.user,
        )
        form = TokenForm()
    agent = Agent.objects.filter(user=request.user).first()
    context = {
        "form": form,
        "tokens": request.user.api_tokens.all(),
        "created": created,
        "plaintext": plaintext,
        "is_agent": agent is not None,
        "display_name": agent.display_name if agent else request.user.get_username(),
    }
    response = render(request, "integrations/tokens.html", context)
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def token_revoke_page(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's own tokens (the page asked them to confirm), back to the list."""
    token = get_object_or_404(request.user.api_tokens, pk=token_id)
    token = token_revoke(token_id=token.pk, actor=request.user)
    messages.success(request, f"Revoked “{token.name}”: calls with it now get 401.")
    return redirect("integrations:tokens")
