"""The CRM's routes under /api/v1/: accounts, contacts, and an activity's contact."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from crm.apis import AccountViewSet, ActivityContactApi, ContactViewSet

router = SimpleRouter()
router.register("accounts", AccountViewSet, basename="account")
router.register("contacts", ContactViewSet, basename="contact")

urlpatterns = [
    path(
        "activities/<int:activity_id>/contact/",
        ActivityContactApi.as_view(),
        name="api-activity-contact",
    ),
    *router.urls,
]
