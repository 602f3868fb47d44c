"""Who writes the knowledge base: supervisors, and users given the permission to change
articles (agents who keep it). Everyone else reads what is published for their queues."""

from django.contrib.auth.models import AbstractBaseUser

from contactcenter.permissions import is_supervisor

EDIT_PERMISSION = "knowledgebase.change_article"


def can_edit(user: AbstractBaseUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return is_supervisor(user) or user.has_perm(EDIT_PERMISSION)
