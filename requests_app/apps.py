from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "requests_app"
    verbose_name = "Partner requests"

    def ready(self) -> None:
        from requests_app import actions, intake, partner_side, routing  # noqa: F401  (registers)
