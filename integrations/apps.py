from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from contactcenter.demo import demo_loader_register
        from contactcenter.modules import PageLink, user_link_register
        from integrations import demo, openapi  # noqa: F401  (openapi: the schema's token scheme)

        demo_loader_register(demo.demo_load)
        user_link_register(PageLink("API tokens", "integrations:tokens"))
