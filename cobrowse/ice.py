"""The ICE servers a browser gets with each join: the configured STUN and TURN servers, and for
TURN servers without a fixed password, a credential of coturn's REST-API scheme (its
`use-auth-secret` option) that expires: username "<expiry>:<id>", password
base64(HMAC-SHA1(TURN_SECRET, username)). coturn checks it with the same shared secret, so the
server never stores per-user TURN accounts, and a leaked credential stops working soon."""

import base64
import hashlib
import hmac
import time

from django.conf import settings


def turn_credential(*, secret: str, user_id: str, ttl: int, now: float | None = None) -> dict:
    """A time-limited TURN username and password for `user_id` (any label, no colon)."""
    expiry = int((time.time() if now is None else now) + ttl)
    username = f"{expiry}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return {"username": username, "credential": base64.b64encode(digest).decode()}


def ice_servers_for(user_id: str) -> list[dict]:
    """ICE_SERVERS as configured (RTCIceServer dicts), with a fresh credential on every server
    that has `turn:` or `turns:` URLs and no username of its own, when TURN_SECRET is set. Empty
    by default: host candidates serve loopback and a LAN."""
    servers = []
    for server in settings.ICE_SERVERS:
        urls = server.get("urls", [])
        urls = [urls] if isinstance(urls, str) else list(urls)
        is_turn = any(url.startswith(("turn:", "turns:")) for url in urls)
        if is_turn and settings.TURN_SECRET and "username" not in server:
            credential = turn_credential(
                secret=settings.TURN_SECRET, user_id=user_id, ttl=settings.TURN_CREDENTIAL_TTL
            )
            server = {**server, **credential}
        servers.append(server)
    return servers
