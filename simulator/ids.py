"""The ids the providers mint, in their shapes: strings that look like the real ones, and Viber's
int64 tokens (above 2^53, so that a careless cast to a JS number would show)."""

import base64
import secrets


def wamid() -> str:
    return "wamid." + base64.b64encode(secrets.token_bytes(30)).decode()


def meta_mid() -> str:
    """Messenger's and Instagram's message ids."""
    return "m_" + secrets.token_urlsafe(32)


def viber_token() -> int:
    return secrets.randbelow(2**62) + 2**62


def media_id() -> str:
    """WhatsApp media ids are numeric strings; the other providers' files get them too here."""
    return str(10**15 + secrets.randbelow(9 * 10**15))


def fbtrace_id() -> str:
    return secrets.token_urlsafe(15)
