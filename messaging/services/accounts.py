"""Writes to channel accounts (credentials and the queue they feed). The API goes through these."""

from django.db import transaction

from contactcenter.exceptions import ApplicationError
from contactcenter.models import Queue
from messaging.models import ChannelAccount

# Credentials: written, never shown back (write-only in the API, password inputs in the admin).
SECRET_FIELDS = ["access_token", "app_secret", "verify_token", "viber_auth_token"]


@transaction.atomic
def channel_account_create(*, provider: str, name: str, queue: Queue, **fields) -> ChannelAccount:
    """Create an account after the model's validation: its constraints demand each provider's
    credentials and one account per provider account id. Not idempotent: a repeat is refused."""
    account = ChannelAccount(provider=provider, name=name, queue=queue, **fields)
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def channel_account_update(*, account: ChannelAccount, **fields) -> ChannelAccount:
    """Change the given fields, validated. The provider is fixed at creation: the account's
    identities and messages carry that provider's ids, and its webhook URL names it."""
    if fields.get("provider", account.provider) != account.provider:
        raise ApplicationError(
            "The provider of a channel account cannot change; create another account.",
            code="provider_immutable",
        )
    for name, value in fields.items():
        setattr(account, name, value)
    account.full_clean()
    account.save(update_fields=[*fields, "updated_at"])
    return account
