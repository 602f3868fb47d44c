from django.urls import path

from messaging import views

urlpatterns = [
    path("webhooks/<str:provider>/<str:key>/", views.webhook, name="webhook"),
    path("files/<str:token>/", views.attachment_signed, name="attachment-signed"),
]
