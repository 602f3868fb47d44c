from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "schedule"
    verbose_name = "Calendar"

    def ready(self) -> None:
        from contactcenter.demo import demo_loader_register
        from contactcenter.modules import Module, module_register
        from contactcenter.widgets import widgets_register
        from schedule import demo, events, widgets  # noqa: F401  (events: their definitions)

        widgets_register(widgets.WIDGETS)
        demo_loader_register(demo.demo_load)
        module_register(
            Module(
                "calendar",
                "Calendar",
                position=40,
                url_name="schedule:calendar",
                card_url_name="schedule:today",
            )
        )
