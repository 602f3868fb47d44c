from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    name = "simulator"
    verbose_name = "Provider simulator"

    def ready(self) -> None:
        from contactcenter.demo import demo_loader_register
        from simulator import demo

        demo_loader_register(demo.demo_load)
