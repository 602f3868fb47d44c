"""The shell's security glue: which address a request comes from, the login page when a
username is locked out, the Content-Security-Policy's websocket source, and what Django's error
reports hide."""

import re

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.debug import SafeExceptionReporterFilter


def client_ip(request: HttpRequest) -> str:
    """The caller's address for login throttling, by the rule DRF's throttles follow
    (NUM_PROXIES): behind TRUSTED_PROXY_COUNT proxies, the address the outermost one saw, that
    many entries from the right of X-Forwarded-For (each proxy appends the address it saw;
    anything further left the caller may have written itself); else the connection's."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    addresses = [address.strip() for address in forwarded if address.strip()]
    if proxies and addresses:
        return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR", "")


def login_locked_out(request: HttpRequest, *args) -> HttpResponse:
    """django-axes' answer once a username is locked out at this address (the login page's or
    the admin's): the login page again, saying how long to wait and what else to do. The
    password is not even checked while the lockout lasts. (axes passes the original response
    and the credentials, or only the credentials: neither is needed.)"""
    message = (
        "Too many failed sign-ins for this username from your address. "
        f"Try again in {settings.LOGIN_LOCKOUT_MINUTES} minutes, "
        "or ask an administrator to unlock your account."
    )
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    context = {"form": form, "next": request.POST.get("next", ""), "lockout": message}
    return render(request, "registration/login.html", context, status=429)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy from settings, plus this host's websocket in `connect-src`: the
    workspace's socket is on the page's own host, which 'self' covers only in browsers that
    follow CSP Level 3."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponse, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        scheme = "wss" if request.is_secure() else "ws"
        parts.update = {**(parts.update or {}), "connect-src": [f"{scheme}://{request.get_host()}"]}
        return parts


class ExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's, plus the settings and environment variables that hold URLs with credentials
    in them: Redis (cache, channel layer, Celery's broker) and the database."""

    hidden_settings = re.compile(
        SafeExceptionReporterFilter.hidden_settings.pattern
        + "|REDIS_URL|BROKER_URL|DATABASE_URL|^LOCATION$|^HOSTS$",
        flags=re.IGNORECASE,
    )
