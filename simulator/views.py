"""The customer page (/simulator/) with its JSON endpoints, and the control API that tests and
scripts use to inject failures, reset, and read what the simulator recorded.

They act on real channel accounts (a customer's message reaches an agent; a reset forgets what
the simulator recorded): staff only, and every write with the page's CSRF token, as any other
form of the product. The fake provider APIs (provider_views) are not here: our connectors call
them server to server with the provider's token, as the providers' own APIs are called.
"""

import json
from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contactcenter.exceptions import ApplicationError
from messaging.models import ChannelAccount, Provider
from simulator import selectors
from simulator.customers import PictureUpload, customer_message_send, replies_mark_read
from simulator.models import SimulatorCall, SimulatorFailure
from simulator.services import failure_add, failures_reset, simulator_reset

# Prefilled customers: the id each provider would give them (CHANNELS.md's examples).
DEFAULT_CUSTOMER_IDS = {
    Provider.WHATSAPP: "16505551234",
    Provider.MESSENGER: "6483920175562104",
    Provider.INSTAGRAM: "1784031592640275",
    Provider.VIBER: "jc9HsWTZ2Yf2NkRZ8KcNug==",
}
DEFAULT_CUSTOMER_NAME = "Sheena Nelson"


def staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A visitor is sent to sign in (and back); a signed-in user who is not staff is refused,
    rather than sent to a login page that would send them straight back."""

    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied("The provider simulator is for staff only.")
        return view(request, *args, **kwargs)

    return checked


@staff_only
@require_GET
@ensure_csrf_cookie
def customer_page(request: HttpRequest) -> HttpResponse:
    accounts = [
        {"account": account, "default_customer_id": DEFAULT_CUSTOMER_IDS[account.provider]}
        for account in selectors.simulator_accounts()
    ]
    return render(
        request,
        "simulator/customer.html",
        {"accounts": accounts, "default_name": DEFAULT_CUSTOMER_NAME},
    )


@staff_only
@require_POST
def customer_message(request: HttpRequest) -> JsonResponse:
    """The customer writes (multipart: account, customer_id, name, text, picture)."""
    account = _account(request.POST)
    upload = request.FILES.get("picture")
    picture = None
    if upload is not None:
        picture = PictureUpload(upload.read(), upload.content_type or "", upload.name)
    try:
        webhook = customer_message_send(
            account=account,
            customer_id=request.POST.get("customer_id", "").strip(),
            name=request.POST.get("name", ""),
            text=request.POST.get("text", ""),
            picture=picture,
        )
    except ApplicationError as exc:
        return JsonResponse({"detail": exc.message, "code": exc.code}, status=exc.status)
    return JsonResponse({"id": f"in-{webhook.pk}"}, status=201)


@staff_only
@require_GET
@never_cache
def customer_conversation(request: HttpRequest) -> JsonResponse:
    account = _account(request.GET)
    customer_id = request.GET.get("customer_id", "").strip()
    messages = selectors.conversation(account=account, customer_id=customer_id)
    return JsonResponse({"messages": messages})


@staff_only
@require_POST
def customer_read(request: HttpRequest) -> JsonResponse:
    """The page showed the customer our replies (up to `up_to`, the last one's number): the
    provider reports them read."""
    account = _account(request.POST)
    customer_id = request.POST.get("customer_id", "").strip()
    up_to = _int_or_none(request.POST.get("up_to"))
    seen = replies_mark_read(account=account, customer_id=customer_id, up_to=up_to)
    return JsonResponse({"seen": seen})


def _account(params) -> ChannelAccount:
    account_id = params.get("account", "")
    return get_object_or_404(
        selectors.simulator_accounts(), pk=int(account_id) if account_id.isdigit() else 0
    )


@staff_only
@require_http_methods(["GET", "POST", "DELETE"])
def control_failures(request: HttpRequest) -> JsonResponse:
    """GET: the rules still pending. POST (JSON): add one; see `failure_add`, with `account`
    as an account id and `status` as the HTTP status. DELETE: forget every rule."""
    if request.method == "GET":
        pending = SimulatorFailure.objects.filter(remaining__gt=0).order_by("pk")
        return JsonResponse({"failures": [_failure_json(rule) for rule in pending]})
    if request.method == "DELETE":
        return JsonResponse({"deleted": failures_reset()})
    try:
        spec = json.loads(request.body)
        account = _control_account(spec.get("account"))
        rule = failure_add(
            provider=spec.get("provider", ""),
            times=int(spec.get("times", 1)),
            http_status=spec.get("status"),
            code=spec.get("code"),
            body=spec.get("body"),
            account=account,
            mode=spec.get("mode", "answer"),
        )
    except (ValueError, TypeError, AttributeError) as exc:
        return JsonResponse({"detail": f"Invalid failure: {exc}", "code": "invalid"}, status=400)
    except ApplicationError as exc:
        return JsonResponse({"detail": exc.message, "code": exc.code}, status=exc.status)
    return JsonResponse(_failure_json(rule), status=201)


def _control_account(account_id) -> ChannelAccount | None:
    if account_id in (None, ""):
        return None
    account = ChannelAccount.objects.filter(pk=int(account_id)).first()
    if account is None:
        raise ApplicationError(f"No channel account {account_id}.", code="unknown_account")
    return account


def _failure_json(rule: SimulatorFailure) -> dict:
    return {
        "id": rule.pk,
        "provider": rule.provider,
        "account": rule.channel_account_id,
        "mode": rule.mode,
        "remaining": rule.remaining,
        "status": rule.http_status,
        "body": rule.body,
    }


@staff_only
@require_POST
def control_reset(request: HttpRequest) -> JsonResponse:
    """Forget the rules, recorded calls, webhooks and files."""
    simulator_reset()
    return JsonResponse({"reset": True})


@staff_only
@require_GET
@never_cache
def control_calls(request: HttpRequest) -> JsonResponse:
    """The recorded calls, oldest first; filter with ?provider=, ?account= and ?recipient=."""
    calls = selectors.calls_recorded(
        provider=request.GET.get("provider", ""),
        account_id=_int_or_none(request.GET.get("account")),
        recipient_id=request.GET.get("recipient", ""),
    )
    return JsonResponse({"calls": [_call_json(call) for call in calls]})


def _call_json(call: SimulatorCall) -> dict:
    return {
        "id": call.pk,
        "at": call.created_at.isoformat(),
        "provider": call.provider,
        "account": call.channel_account_id,
        "method": call.method,
        "path": call.path,
        "headers": call.headers,
        "body": call.body,
        "status": call.status_code,
        "response": call.response,
        "recipient_id": call.recipient_id,
        "provider_message_id": call.provider_message_id,
        "read_at": call.read_at.isoformat() if call.read_at else None,
    }


@staff_only
@require_GET
@never_cache
def control_webhooks(request: HttpRequest) -> JsonResponse:
    """The webhooks the simulator delivered (or is delivering), oldest first; filter with
    ?provider=, ?account= and ?customer=."""
    webhooks = selectors.webhooks_emitted(
        provider=request.GET.get("provider", ""),
        account_id=_int_or_none(request.GET.get("account")),
        customer_id=request.GET.get("customer", ""),
    )
    return JsonResponse(
        {
            "webhooks": [
                {
                    "id": webhook.pk,
                    "at": webhook.created_at.isoformat(),
                    "provider": webhook.provider,
                    "account": webhook.channel_account_id,
                    "event": webhook.event,
                    "customer_id": webhook.customer_id,
                    "provider_message_id": webhook.provider_message_id,
                    "body": webhook.body,
                    "answer_status": webhook.answer_status,
                    "attempts": webhook.attempts,
                }
                for webhook in webhooks
            ]
        }
    )


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
