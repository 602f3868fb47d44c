from django.apps import AppConfig


class ContactCenterConfig(AppConfig):
    name = "contactcenter"
    verbose_name = "Contact center"

    def ready(self) -> None:
        from contactcenter.modules import Module, module_register

        module_register(Module("calendar", "Calendar", position=40))
