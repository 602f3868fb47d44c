from django.urls import path

from messaging import pages, views

urlpatterns = [
    path("webhooks/<str:provider>/<str:key>/", views.webhook, name="webhook"),
    path("files/<str:token>/", views.attachment_signed, name="attachment-signed"),
    path("workspace/new-message/", pages.new_message, name="new-message"),
]
