from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "Supervision"

    def ready(self) -> None:
        from django.contrib import admin

        from contactcenter.demo import demo_loader_register
        from contactcenter.page_urls import page_urls_register
        from supervision import demo

        demo_loader_register(demo.demo_load)
        page_urls_register({
            "supervision:watch": ("activity_id",),
            "supervision:watch-lines": ("activity_id",),
            "api-monitor-end-pause": ("agent_id",),
            "api-monitor-log-out": ("agent_id", "queue_id"),
            "api-monitor-offer": ("activity_id",),
        })  # fmt: skip
        # The back office's home links the supervisors' own pages.
        admin.site.index_template = "supervision/admin_index.html"
