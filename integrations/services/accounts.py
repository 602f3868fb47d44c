"""Integration accounts: users that are programs. They sign in with API tokens only (no
password), are neither staff nor agents, and hold the integrations' group's permissions."""

import operator
from functools import reduce

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from contactcenter.permissions import INTEGRATION_GROUP
from integrations.models import IntegrationAccount

# What an integration changes beside reading: CRM records and tickets, and its own webhook
# endpoints. (API writes of plain resources ask for these model permissions.)
INTEGRATION_WRITES = {
    "crm": {"account": ("add", "change"), "contact": ("add", "change"),
            "contactphone": ("add", "change", "delete")},
    "tickets": {"ticket": ("add", "change")},
    "integrations": {"webhookendpoint": ("add", "change", "delete")},
}  # fmt: skip
# Read by nobody but supervisors: who holds tokens, and the accounts themselves.
SUPERVISORS_ONLY = Q(content_type__app_label="integrations") & Q(
    content_type__model__in=["apitoken", "integrationaccount"]
)


def integration_group() -> Group:
    """The integrations' group, made or brought up to date: it views everything of the
    product's own apps (but the tokens and integration accounts) and makes the changes in
    INTEGRATION_WRITES."""
    group, _ = Group.objects.get_or_create(name=INTEGRATION_GROUP)
    views = Permission.objects.filter(
        content_type__app_label__in=settings.PRODUCT_APPS, codename__startswith="view_"
    ).exclude(SUPERVISORS_ONLY)
    writes = [
        Q(content_type__app_label=app, codename__in=[f"{action}_{model}" for action in actions])
        for app, models in INTEGRATION_WRITES.items()
        for model, actions in models.items()
    ]
    group.permissions.set(views | Permission.objects.filter(reduce(operator.or_, writes)))
    return group


@transaction.atomic
def integration_account_create(*, username: str, name: str = "") -> IntegrationAccount:
    """A new integration account: no password (it works with API tokens), in the
    integrations' group (brought up to date). Refused (400) with a username that is taken or
    invalid. The admin decides who may (its model permission). Joins the caller's transaction:
    the admin's form and the demo make accounts inside theirs."""
    account = IntegrationAccount(username=username, first_name=name.strip())
    account.set_unusable_password()
    account.full_clean()
    account.save()
    account.groups.add(integration_group())
    return account
