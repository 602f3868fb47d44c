from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "CRM"

    def ready(self) -> None:
        from contactcenter.demo import demo_loader_register
        from contactcenter.modules import Module, module_register
        from contactcenter.page_urls import page_urls_register
        from contactcenter.ports import ports
        from contactcenter.widgets import widgets_register
        from crm import demo, widgets
        from crm.services import activity_pair_new

        widgets_register(widgets.WIDGETS)
        demo_loader_register(demo.demo_load)
        module_register(Module("crm", "CRM", position=10, url_name="crm:contacts"))
        ports.contact_pair = activity_pair_new
        # The notifications open a known customer's records in the CRM.
        page_urls_register({"crm:contact": ("pk",), "crm:account": ("pk",)})
