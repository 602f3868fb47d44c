"""API tokens: made, revoked, and checked on every API call that carries one.

A token is `cct_` and `secrets.token_urlsafe(32)` (256 random bits). Its owner sees it once, when
it is made; the database keeps its SHA-256 digest, by which a call's token is looked up, and
its first characters, by which people tell their tokens apart. A fast hash is enough: nobody
guesses 256 random bits, so there is nothing for a slow one to slow down, and the lookup by
digest compares no secret character by character.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from contactcenter.exceptions import ApplicationError
from contactcenter.permissions import is_supervisor
from integrations.models import ApiToken

TOKEN_PREFIX = "cct_"
PREFIX_LENGTH = 12  # kept to recognise a token: "cct_" and 8 of its random characters
# A token's last use is written at most this often: a busy integration's calls cost no write.
LAST_USED_PRECISION = timedelta(minutes=1)


def token_digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def is_api_token(key: str) -> bool:
    """Whether `key` has the shape of one of these tokens (rather than of another kind of
    key, such as Django REST framework's own)."""
    return key.startswith(TOKEN_PREFIX)


@transaction.atomic
def token_create(
    *,
    user: AbstractBaseUser,
    name: str,
    scope: str,
    expires_at: datetime | None = None,
    actor: AbstractBaseUser,
    plaintext: str | None = None,
) -> tuple[ApiToken, str]:
    """A new token of `user`, and its plaintext: nothing keeps that, so the caller shows it
    once. `actor` is the user themselves, or a supervisor who may add tokens (the admin);
    `plaintext` is given only by the demo, whose tokens are well known as its passwords are.

    Refused (400) without a name, with an unknown scope or an expiry that has passed; 403 for
    another user's token from anyone but a supervisor. Joins the caller's transaction: the
    admin's form and the demo make tokens inside theirs. Not idempotent: each call, a token.
    """
    if actor.pk != user.pk and not _manages_tokens(actor, "add"):
        raise ApplicationError(
            "You may make tokens only for yourself.", code="permission_denied", status=403
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError("The expiry must be in the future.", code="invalid_expiry")
    plaintext = plaintext or TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip(),
        scope=scope,
        expires_at=expires_at,
        prefix=plaintext[:PREFIX_LENGTH],
        digest=token_digest(plaintext),
    )
    token.full_clean()
    token.save()
    return token, plaintext


@transaction.atomic(durable=True)
def token_revoke(*, token_id: int, actor: AbstractBaseUser) -> ApiToken:
    """Revoke a token: from its next call on, it gets 401. By its owner, or a supervisor who
    may change tokens; anyone else is told there is no such token (404). Idempotent: a token
    revoked already keeps the time it was first revoked."""
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None or (token.user_id != actor.pk and not _manages_tokens(actor, "change")):
        raise ApplicationError("No such token.", code="not_found", status=404)
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )
    token.refresh_from_db(fields=["revoked_at", "updated_at"])
    return token


def token_authenticate(*, plaintext: str) -> ApiToken:
    """The token `plaintext` names, with its user, if it may be used: an unknown, revoked or
    expired token, or an inactive user's, is refused (401, with a code saying which).

    Records the use in `last_used_at` at most once a LAST_USED_PRECISION per token, by one
    UPDATE that only a stale time lets through (two calls at once write once). No transaction
    of its own: the one statement is atomic, and a use not recorded costs nothing. One query a
    call, two when the last use is recorded.
    """
    token = ApiToken.objects.select_related("user").filter(digest=token_digest(plaintext)).first()
    if token is None:
        raise ApplicationError("Invalid token.", code="token_invalid", status=401)
    if token.state == "revoked":
        raise ApplicationError("This token was revoked.", code="token_revoked", status=401)
    if token.state == "expired":
        raise ApplicationError("This token has expired.", code="token_expired", status=401)
    if not token.user.is_active:
        raise ApplicationError("The token's user is inactive.", code="user_inactive", status=401)
    now = timezone.now()
    stale = now - LAST_USED_PRECISION
    if token.last_used_at is None or token.last_used_at <= stale:
        ApiToken.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale), pk=token.pk
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


def _manages_tokens(actor: AbstractBaseUser, action: str) -> bool:
    """A supervisor with the model permission manages everyone's tokens."""
    return is_supervisor(actor) and actor.has_perm(f"integrations.{action}_apitoken")
