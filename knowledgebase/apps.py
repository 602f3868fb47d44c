from django.apps import AppConfig


class KnowledgeBaseConfig(AppConfig):
    name = "knowledgebase"
    verbose_name = "Knowledge base"
