"""The one HTTP client for provider APIs: explicit timeouts, pooled connections per process."""

from functools import cache

import httpx
from django.conf import settings

from messaging.services.errors import TransientProviderError


@cache
def provider_client() -> httpx.Client:
    return httpx.Client(timeout=settings.PROVIDER_HTTP_TIMEOUT, follow_redirects=True)


def is_transient(status_code: int) -> bool:
    return status_code == 429 or status_code >= 500


def request(method: str, url: str, **kwargs) -> httpx.Response:
    """One call to a provider; timeouts and connection failures are transient."""
    try:
        return provider_client().request(method, url, **kwargs)
    except httpx.TransportError as exc:
        raise TransientProviderError(f"{method} {url}: {exc.__class__.__name__}") from exc


def json_body(response: httpx.Response) -> dict:
    """The JSON answer, or {} for an answer that is not JSON (a proxy's error page)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
