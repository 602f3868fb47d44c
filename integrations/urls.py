from django.urls import path

from integrations import views

app_name = "integrations"
urlpatterns = [
    path("tokens/", views.tokens_page, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke_page, name="token-revoke"),
]
