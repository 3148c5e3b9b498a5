from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from integrations import actions, inbox  # noqa: F401  (registers audit actions)
        from integrations.canto import webhooks

        inbox.register_handler("canto", webhooks.handle)
