from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from contactcenter.demo import demo_loader_register
        from contactcenter.modules import PageLink, user_link_register
        from contactcenter.ports import ports
        from integrations import demo, openapi  # noqa: F401  (openapi: the schema's token scheme)
        from integrations.tasks import outbox_dispatch

        demo_loader_register(demo.demo_load)
        user_link_register(PageLink("API tokens", "integrations:tokens"))
        # After the commit of events to the outbox: fan them out soon (a sweep catches the
        # asks lost with the broker).
        ports.outbox_written = outbox_dispatch.delay
