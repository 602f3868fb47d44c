"""Who is who: supervisors are active staff users (they work in the admin); agents have an Agent.

API writes on plain resources use DRF's DjangoModelPermissions: reads need only a login (the
queryset is scoped to the user), writes need the model permission supervisors hold.
"""

from django.contrib.auth.models import AbstractBaseUser


def is_supervisor(user: AbstractBaseUser) -> bool:
    return user.is_active and user.is_staff
