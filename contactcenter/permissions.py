"""Who is who: supervisors are active staff users (they work in the admin); agents have an Agent;
integration accounts are users in the integrations' group, with neither (they work through the
API with a token).

API writes on plain resources use DRF's DjangoModelPermissions: reads need only a login (the
queryset is scoped to the user), writes need the model permission supervisors hold.
"""

from django.contrib.auth.models import AbstractBaseUser, Group
from django.db.models import Exists
from rest_framework.permissions import BasePermission

INTEGRATION_GROUP = "Integrations"


def is_supervisor(user: AbstractBaseUser) -> bool:
    return user.is_active and user.is_staff


def is_integration(user: AbstractBaseUser) -> bool:
    """An integration account: an active user of the integrations' group (read once per user
    object, as a request holds one user)."""
    if not user.is_active or user.is_anonymous:
        return False
    if not hasattr(user, "_is_integration"):
        user._is_integration = _integration_group_of(user).exists()
    return user._is_integration


def in_integration_group(user: AbstractBaseUser) -> Exists:
    """`is_integration` as a condition inside a query: the selectors that agents' every call
    goes through ask it there, at no query of its own."""
    return Exists(_integration_group_of(user))


def _integration_group_of(user: AbstractBaseUser):
    return Group.objects.filter(name=INTEGRATION_GROUP, user=user)


def sees_organisation(user: AbstractBaseUser) -> bool:
    """Supervisors and integration accounts read every activity, message and agent through the
    API; an agent reads only what the workspace shows them."""
    return is_supervisor(user) or is_integration(user)


class ReadsOrganisation(BasePermission):
    """For the organisation-wide lists (every activity's messages and history, every agent):
    403 `organisation_only` to agents, who read their own through the workspace's lists."""

    message = "Only supervisors and integration accounts can read this."
    code = "organisation_only"

    def has_permission(self, request, view) -> bool:
        return sees_organisation(request.user)
