from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from integrations import actions, inbox  # noqa: F401  (registers audit actions)
        from integrations.canto import operations as canto_operations  # noqa: F401
        from integrations.canto import webhooks as canto
        from integrations.tradinggrid import operations  # noqa: F401  (outbox operations)
        from integrations.tradinggrid import webhooks as tradinggrid

        inbox.register_handler("canto", canto.handle)
        inbox.register_handler("tradinggrid", tradinggrid.handle)
