from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "Supervision"

    def ready(self) -> None:
        from django.contrib import admin

        from contactcenter.demo import demo_loader_register
        from supervision import demo

        demo_loader_register(demo.demo_load)
        # The back office's home links the supervisors' own pages.
        admin.site.index_template = "supervision/admin_index.html"
