"""Requests to URLs that someone outside named: a customer's file (messaging), an integrator's
webhook endpoint (integrations). Such a URL must not reach this machine or a private network
(server-side request forgery).

A host is resolved once and every address it resolves to must be public; the connection then
goes to the address that was checked, with the URL's name as Host and TLS server name, so that
a second DNS answer (rebinding) cannot lead elsewhere.
"""

import socket
from ipaddress import IPv4Address, IPv6Address, ip_address

import httpx


class NotPublic(Exception):
    """A host resolves to an address that is not on the public internet."""

    def __init__(self, address: IPv4Address | IPv6Address):
        super().__init__(f"{address} is not a public address.")
        self.address = address


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


def checked_address(host: str, *, public_only: bool = True) -> str:
    """The address to connect to for `host`: the first it resolves to, every one of them public
    unless not `public_only`. Raises NotPublic, or socket.gaierror for a name that does not
    resolve."""
    found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    addresses = [ip_address(info[4][0]) for info in found]
    if public_only:
        for address in addresses:
            if not public_address(address):
                raise NotPublic(address)
    return str(addresses[0])


def pinned(url: httpx.URL, address: str, headers: dict) -> dict:
    """The arguments of an httpx request of `url` on a connection to `address` (as
    `checked_address` gave it), under the URL's own name."""
    extensions = {"sni_hostname": url.raw_host.decode("ascii")} if url.scheme == "https" else {}
    return {
        "url": url.copy_with(host=address),
        "headers": {**headers, "Host": url.netloc.decode("ascii")},
        "extensions": extensions,
    }
