"""Every page of the back office opens: the list of each model the admin registers and the
change page of one of its objects. Supervisors (the demo's group and its permissions) open the
product's pages; Django's groups and DRF's tokens, which that group does not manage, are opened
by a superuser. Read from the admin's registry, so a model registered later is covered as soon
as tests/factories.py can make one."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.db.models import Model
from django.urls import reverse
from factory.django import DjangoModelFactory

from contactcenter.demo import supervisors_group
from tests import factories
from tests.factories import SupervisorFactory

pytestmark = pytest.mark.django_db

REGISTERED = list(admin.site._registry)
SUPERVISED = [
    model
    for model in REGISTERED
    if model._meta.app_label in settings.PRODUCT_APPS or model is get_user_model()
]
OTHERS = [model for model in REGISTERED if model not in SUPERVISED]


def label(model: type[Model]) -> str:
    return model._meta.label


@pytest.fixture
def supervisor(client):
    user = SupervisorFactory()
    user.groups.add(supervisors_group())
    client.force_login(user)
    return user


def factory_for(model: type[Model]) -> type[DjangoModelFactory]:
    """The first factory in tests/factories.py that makes `model`."""
    makers = [
        maker
        for maker in vars(factories).values()
        if isinstance(maker, type)
        and issubclass(maker, DjangoModelFactory)
        and maker._meta.get_model_class() is model
    ]
    assert makers, f"tests/factories.py has no factory for {label(model)}"
    return makers[0]


def pages(client, model: type[Model]) -> dict[str, int]:
    """The status of the model's list page and of one object's change page."""
    obj = factory_for(model)()
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    return {
        "list": client.get(reverse(f"{name}_changelist")).status_code,
        "change": client.get(reverse(f"{name}_change", args=[quote(obj.pk)])).status_code,
    }


@pytest.mark.parametrize("model", SUPERVISED, ids=label)
def test_a_supervisor_opens_every_page_of_the_product(client, supervisor, model):
    assert pages(client, model) == {"list": 200, "change": 200}


@pytest.mark.parametrize("model", OTHERS, ids=label)
def test_a_superuser_opens_the_pages_supervisors_do_not_manage(admin_client, model):
    assert pages(admin_client, model) == {"list": 200, "change": 200}
