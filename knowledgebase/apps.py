from django.apps import AppConfig


class KnowledgeBaseConfig(AppConfig):
    name = "knowledgebase"
    verbose_name = "Knowledge base"

    def ready(self) -> None:
        from contactcenter.demo import demo_loader_register
        from contactcenter.modules import Module, module_register
        from contactcenter.widgets import widgets_register
        from knowledgebase import demo, widgets

        widgets_register(widgets.WIDGETS)
        demo_loader_register(demo.demo_load)
        module_register(Module("knowledge-base", "Knowledge base", position=30, url_name="kb:home"))
