from django.apps import AppConfig


class CobrowseConfig(AppConfig):
    name = "cobrowse"
    verbose_name = "Co-browsing"

    def ready(self) -> None:
        from cobrowse import demo, widgets
        from cobrowse.services import activity_room_end
        from contactcenter.demo import demo_loader_register
        from contactcenter.ports import ports
        from contactcenter.widgets import widgets_register

        widgets_register(widgets.WIDGETS)
        ports.activity_closing = activity_room_end
        demo_loader_register(demo.demo_load)
