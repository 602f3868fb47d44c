from django.apps import AppConfig


class CobrowseConfig(AppConfig):
    name = "cobrowse"
    verbose_name = "Co-browsing"

    def ready(self) -> None:
        from cobrowse import demo, widgets
        from contactcenter.demo import demo_loader_register
        from contactcenter.widgets import widgets_register

        widgets_register(widgets.WIDGETS)
        demo_loader_register(demo.demo_load)
