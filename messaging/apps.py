from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        from contactcenter.demo import demo_loader_register
        from contactcenter.page_urls import page_urls_register
        from contactcenter.ports import ports
        from contactcenter.widgets import widgets_register
        from messaging import (
            demo,
            signals,  # noqa: F401  (connects the cache invalidation)
            widgets,
        )
        from messaging.services.notices import customer_notice_queue

        widgets_register(widgets.WIDGETS)
        demo_loader_register(demo.demo_load)
        ports.customer_notice = customer_notice_queue
        page_urls_register(
            {
                "new-message": (),
                "api-activity-messages": ("activity_id",),
                "api-activity-earlier": ("activity_id",),
                "api-message-retry": ("message_id",),
                "identity-detail": ("pk",),
            }
        )
