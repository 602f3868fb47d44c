"""Customers' names from their providers' profiles, where webhooks carry only an id (Messenger's
PSID, Instagram's IGSID): asked for once per customer, off the request path, by a task.

A provider that refuses (an error, a timeout, a profile without a name) leaves the customer
shown by their id and is asked again later by the task; the agent never sees the failure.
"""

from django.db import transaction

from contactcenter.services.activities import activities_customer_named
from messaging.connectors import connector_for
from messaging.http import json_body, request
from messaging.lock_objects import identity_for_update
from messaging.models import ExternalIdentity
from messaging.services.errors import TransientProviderError


def identity_profile_fetch(*, identity_id: int) -> None:
    """Ask the customer's provider for their name and keep it (`identity_name_store`).

    Idempotent: nothing is asked for a customer who has a name, or whose provider's webhooks
    carry it. Raises TransientProviderError when the provider does not tell the name, for the
    task to try again later. No lock is held during the call.
    """
    identity = (
        ExternalIdentity.objects.select_related("channel_account").filter(pk=identity_id).first()
    )
    profiles = identity and connector_for(identity.channel_account.provider).profiles
    if profiles is None or identity.display_name:
        return
    lookup = profiles.build_profile(identity.channel_account, identity)
    response = request("GET", lookup.url, params=lookup.params, headers=lookup.headers)
    name = profiles.read_profile(response.status_code, json_body(response))
    if not name:
        raise TransientProviderError(f"profile of identity {identity_id}: {response.status_code}")
    identity_name_store(identity_id=identity_id, name=name)


@transaction.atomic(durable=True)
def identity_name_store(*, identity_id: int, name: str) -> None:
    """Name a customer known only by id, and retitle their activities that show the id (every
    open page draws the name after the commit: `activities_customer_named`).

    Idempotent; a name the customer already has (from a webhook meanwhile) is kept."""
    identity = identity_for_update(identity_id)
    if identity is None or identity.display_name:
        return
    identity.display_name = name[: ExternalIdentity._meta.get_field("display_name").max_length]
    identity.save(update_fields=["display_name", "updated_at"])
    activities_customer_named(
        identity_id=identity.pk, bare_title=identity.provider_user_id, title=identity.display_name
    )
