from django.urls import path

from supervision import views

app_name = "supervision"
urlpatterns = [
    path("monitor/", views.monitor_page, name="monitor"),
    path("activities/<int:activity_id>/", views.watch_page, name="watch"),
    path("activities/<int:activity_id>/lines/", views.watch_lines, name="watch-lines"),
    path("reports/", views.report_page, name="reports"),
]
