"""The supervisors' routes under /api/v1/."""

from django.urls import path

from supervision.apis import ReportApi

urlpatterns = [path("reports/", ReportApi.as_view(), name="api-reports")]
