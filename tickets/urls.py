from django.urls import path

from tickets import views

app_name = "tickets"
urlpatterns = [
    path("", views.ticket_list, name="tickets"),
    path("new/", views.ticket_form, name="ticket-new"),
    path("<int:pk>/", views.ticket_detail, name="ticket"),
    path("<int:pk>/edit/", views.ticket_form, name="ticket-edit"),
    path("<int:pk>/favourite/", views.ticket_favourite, name="ticket-favourite"),
    path("activities/<int:activity_id>/new/", views.activity_ticket_new, name="activity-new"),
    path(
        "activities/<int:activity_id>/assign/",
        views.activity_ticket_assign,
        name="activity-assign",
    ),
]
