"""The REST API's authentication by API token: `Authorization: Bearer <token>`, or `Token
<token>` as Django REST framework's own tokens are sent (a key under `Token` that is not one of
ours is left to DRF's TokenAuthentication, next in the settings, so its keys keep working)."""

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from contactcenter.exceptions import ApplicationError
from integrations.models import ApiToken, TokenScope
from integrations.services.tokens import is_api_token, token_authenticate

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(BaseAuthentication):
    """A call with one of our tokens is its user's: it sees what they see. An unknown, revoked
    or expired token, or an inactive user's, gets 401 with a `code` saying which.

    A read-scope token may only read: on any other method than GET, HEAD and OPTIONS this
    refuses the call (403 `token_read_only`) before the view runs. Here rather than in a
    permission class because DRF authenticates every call of every view before anything else
    (the permissions, the handler) and with these classes whatever a view's own
    `permission_classes` say; a permission class would cover only the views that list it.
    `request.auth` is the ApiToken."""

    def authenticate(self, request: Request) -> tuple | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        key = _key(parts)
        if parts[0].lower() == b"token" and not is_api_token(key):
            return None
        if not key:
            raise exceptions.AuthenticationFailed(
                "Invalid token header: send Authorization: Bearer <token>.",
                code="token_malformed",
            )
        try:
            token = token_authenticate(plaintext=key)
        except ApplicationError as exc:
            raise exceptions.AuthenticationFailed(exc.message, code=exc.code) from exc
        _refuse_writes_of_read_token(request, token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        """Sent with 401: the first class's (this one's) is the scheme a caller is asked for."""
        return "Bearer"


def _key(parts: list[bytes]) -> str:
    """The token of a two-part header; "" for any other header, or one not in ASCII."""
    if len(parts) != 2:
        return ""
    try:
        return parts[1].decode("ascii")
    except UnicodeError:
        return ""


def _refuse_writes_of_read_token(request: Request, token: ApiToken) -> None:
    if token.scope == TokenScope.READ and request.method not in SAFE_METHODS:
        raise exceptions.PermissionDenied(
            "This token may only read: make a token with the Read and write scope to change "
            "anything.",
            code="token_read_only",
        )
