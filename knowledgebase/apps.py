from django.apps import AppConfig


class KnowledgeBaseConfig(AppConfig):
    name = "knowledgebase"
    verbose_name = "Knowledge base"

    def ready(self) -> None:
        from contactcenter.modules import Module, module_register

        module_register(Module("knowledge-base", "Knowledge base", position=30))
