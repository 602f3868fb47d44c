from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        from contactcenter.demo import demo_loader_register
        from contactcenter.modules import Module, module_register
        from contactcenter.widgets import widgets_register
        from crm.sections import Section, section_register
        from tickets import demo, sections, widgets

        widgets_register(widgets.WIDGETS)
        demo_loader_register(demo.demo_load)
        module_register(Module("tickets", "Tickets", position=20, url_name="tickets:tickets"))
        section_register("contact", Section("Tickets", sections.contact_tickets))
        section_register("account", Section("Tickets", sections.account_tickets))
