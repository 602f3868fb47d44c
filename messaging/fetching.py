"""Fetching an inbound file from a URL that a webhook or a provider's answer named.

Such a URL comes from outside, so it must not reach this machine or a private network: its
host's addresses are checked (`contactcenter.public_hosts`) on the first request and on every
redirect (followed here, at most MAX_REDIRECTS times), and the connection goes to the address
that was checked. The provider's credentials go only to the origins its connector names, and
the body is streamed with the channel's size cap.

PROVIDER_FETCH_ALLOW names the host:port pairs fetched whatever their address (a local fake
provider); with the simulator on, its own (SITE_URL's) is one of them.
"""

import json
import socket
from dataclasses import dataclass
from io import BytesIO
from typing import IO

import httpx
from django.conf import settings

from contactcenter.public_hosts import NotPublic, checked_address, pinned
from messaging import http
from messaging.connectors.base import DEFAULT_PORTS, MB, origin
from messaging.services.errors import TransientProviderError

MAX_REDIRECTS = 3
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
LOOKUP_LIMIT = 1 * MB  # a media lookup's JSON answer
CHUNK_BYTES = 64 * 1024


class FetchRefused(Exception):
    """No file for us: its address is not public, the provider refused it, or it is too large.
    Final: another try would change nothing."""


@dataclass(frozen=True)
class Fetched:
    content_type: str  # as the server declared it
    size: int


def fetch_file(
    url: str, *, headers: dict, headers_for: frozenset[str], limit: int, into: IO[bytes]
) -> Fetched:
    """GET the file at `url` into `into`, at most `limit` bytes. Raises FetchRefused, or
    TransientProviderError for what another try may cure (timeouts, 429, 5xx)."""
    with httpx.Client(timeout=settings.PROVIDER_HTTP_TIMEOUT, trust_env=False) as client:
        try:
            current = httpx.URL(url)
            for _ in range(MAX_REDIRECTS + 1):
                sent = headers if origin(str(current)) in headers_for else {}
                with _get(client, current, sent) as response:
                    if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                        current = current.join(response.headers["location"])
                        continue
                    _check_status(response, current)
                    size = _read(response, into, limit)
                    return Fetched(response.headers.get("content-type", ""), size)
        except (httpx.InvalidURL, httpx.DecodingError) as exc:
            raise FetchRefused(f"The file could not be fetched: {exc}.") from exc
        except httpx.TransportError as exc:
            raise TransientProviderError(f"GET {current}: {exc.__class__.__name__}") from exc
    raise FetchRefused(f"The file's address redirected more than {MAX_REDIRECTS} times.")


def fetch_json(url: str, *, headers: dict, headers_for: frozenset[str]) -> dict:
    """A provider's small JSON answer (a media lookup) fetched as a file is; {} for one that
    is not a JSON object."""
    body = BytesIO()
    fetch_file(url, headers=headers, headers_for=headers_for, limit=LOOKUP_LIMIT, into=body)
    try:
        answer = json.loads(body.getvalue())
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _get(client: httpx.Client, url: httpx.URL, headers: dict):
    """A streamed GET of `url` on a connection to the address `_address` checked."""
    if url.scheme not in DEFAULT_PORTS:
        raise FetchRefused(f"Refused to fetch the file from {url}: not an http or https address.")
    return client.stream("GET", **pinned(url, _address(url), headers))


def _address(url: httpx.URL) -> str:
    """Where to connect for `url`: its host resolved, each address public unless the host
    and port are allowed in PROVIDER_FETCH_ALLOW (or are the simulator's)."""
    host_port = origin(str(url)).partition("://")[2]
    try:
        return checked_address(
            url.raw_host.decode("ascii"), public_only=host_port not in _allowed()
        )
    except socket.gaierror as exc:
        raise TransientProviderError(f"Could not resolve {host_port}: {exc}") from exc
    except NotPublic as exc:
        raise FetchRefused(f"Refused to fetch the file from {host_port}: {exc}") from exc


def _allowed() -> set[str]:
    allowed = {entry.lower() for entry in settings.PROVIDER_FETCH_ALLOW}
    if settings.SIMULATOR_ENABLED:
        allowed.add(origin(settings.SITE_URL).partition("://")[2])
    return allowed


def _check_status(response: httpx.Response, url: httpx.URL) -> None:
    if http.is_transient(response.status_code):
        raise TransientProviderError(f"HTTP {response.status_code} from {url}")
    if response.status_code != 200:
        raise FetchRefused(f"The provider answered HTTP {response.status_code} for the file.")


def _read(response: httpx.Response, into: IO[bytes], limit: int) -> int:
    """Stream the body into `into`; refused as soon as it is known to exceed `limit`."""
    too_large = FetchRefused(f"The file is larger than the {limit // MB} MB this channel allows.")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    size = 0
    for chunk in response.iter_bytes(CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            raise too_large
        into.write(chunk)
    return size
