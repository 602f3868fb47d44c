"""/simulator/: the fake provider APIs on the providers' own paths (the API URL settings point
here when the simulator is on), the customer page, and the control API."""

from django.urls import path

from simulator import provider_views, views

app_name = "simulator"

urlpatterns = [
    path("", views.customer_page, name="customer-page"),
    path("customer/messages", views.customer_message, name="customer-message"),
    path("customer/conversation", views.customer_conversation, name="customer-conversation"),
    path("customer/read", views.customer_read, name="customer-read"),
    path("control/failures", views.control_failures, name="control-failures"),
    path("control/reset", views.control_reset, name="control-reset"),
    path("control/calls", views.control_calls, name="control-calls"),
    path("control/webhooks", views.control_webhooks, name="control-webhooks"),
    # graph.facebook.com (WhatsApp, Messenger) and graph.instagram.com
    path(
        "graph/<str:version>/<str:node_id>/messages",
        provider_views.graph_messages,
        name="graph-messages",
    ),
    path(
        "graph/<str:version>/<str:node_id>/media",
        provider_views.graph_media_upload,
        name="graph-media-upload",
    ),
    path("graph/<str:version>/<str:node_id>", provider_views.graph_node, name="graph-node"),
    path(
        "instagram/<str:version>/<str:node_id>/messages",
        provider_views.instagram_messages,
        name="instagram-messages",
    ),
    path(
        "instagram/<str:version>/<str:node_id>",
        provider_views.instagram_profile,
        name="instagram-profile",
    ),
    # chatapi.viber.com
    path("viber/pa/send_message", provider_views.viber_send_message, name="viber-send-message"),
    # Where files are downloaded: WhatsApp's token-protected URL, the others' public CDN.
    path("lookaside/<str:media_id>/", provider_views.lookaside, name="lookaside"),
    path("cdn/<str:media_id>/", provider_views.cdn, name="cdn"),
]
