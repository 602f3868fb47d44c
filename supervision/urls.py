from django.urls import path

from supervision import views

app_name = "supervision"
urlpatterns = [
    path("reports/", views.report_page, name="reports"),
]
