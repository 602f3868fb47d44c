"""Fetching an inbound file from a URL that a webhook or a provider's answer named.

Such a URL comes from outside, so it must not reach this machine or a private network
(server-side request forgery). Each host is resolved once and every address it resolves to
must be public, on the first request and on every redirect (followed here, at most
MAX_REDIRECTS times); the connection then goes to the address that was checked, with the
URL's name as Host and TLS server name, so that a second DNS answer cannot lead elsewhere.
The provider's credentials go only to the origins its connector names, and the body is
streamed with the channel's size cap.

PROVIDER_FETCH_ALLOW names the host:port pairs fetched whatever their address (a local fake
provider); with the simulator on, its own (SITE_URL's) is one of them.
"""

import json
import socket
from dataclasses import dataclass
from io import BytesIO
from ipaddress import IPv4Address, IPv6Address, ip_address
from typing import IO

import httpx
from django.conf import settings

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


def public_address(address: IPv4Address | IPv6Address) -> bool:
    """Whether an address is on the public internet: not loopback, private, shared, link- or
    site-local, multicast, reserved or unspecified. An IPv4 address inside IPv6 counts as
    itself."""
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped:
            return public_address(address.ipv4_mapped)
        if address.is_site_local:
            return False
    return address.is_global and not (address.is_multicast or address.is_reserved)


def _get(client: httpx.Client, url: httpx.URL, headers: dict):
    """A streamed GET of `url` on a connection to the address `_address` checked."""
    if url.scheme not in DEFAULT_PORTS:
        raise FetchRefused(f"Refused to fetch the file from {url}: not an http or https address.")
    host = url.raw_host.decode("ascii")
    extensions = {"sni_hostname": host} if url.scheme == "https" else {}
    return client.stream(
        "GET",
        url.copy_with(host=_address(url)),
        headers={**headers, "Host": url.netloc.decode("ascii")},
        extensions=extensions,
    )


def _address(url: httpx.URL) -> str:
    """Where to connect for `url`: its host resolved, each address public unless the host
    and port are allowed in PROVIDER_FETCH_ALLOW (or are the simulator's)."""
    host_port = origin(str(url)).partition("://")[2]
    try:
        found = socket.getaddrinfo(url.raw_host.decode("ascii"), None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise TransientProviderError(f"Could not resolve {host_port}: {exc}") from exc
    addresses = [ip_address(info[4][0]) for info in found]
    if host_port not in _allowed():
        for address in addresses:
            if not public_address(address):
                raise FetchRefused(
                    f"Refused to fetch the file from {host_port}: "
                    f"{address} is not a public address."
                )
    return str(addresses[0])


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
