from django.urls import path

from crm import views

app_name = "crm"
urlpatterns = [
    path("contacts/", views.contact_list, name="contacts"),
    path("contacts/new/", views.contact_form, name="contact-new"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact"),
    path("contacts/<int:pk>/edit/", views.contact_form, name="contact-edit"),
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/new/", views.account_form, name="account-new"),
    path("accounts/<int:pk>/", views.account_detail, name="account"),
    path("accounts/<int:pk>/edit/", views.account_form, name="account-edit"),
    path("activities/<int:pk>/", views.activity_transcript, name="transcript"),
    path("activities/<int:activity_id>/link/", views.activity_link, name="activity-link"),
    path("activities/<int:activity_id>/unpair/", views.activity_unpair, name="activity-unpair"),
]
