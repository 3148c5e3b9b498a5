from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from portal import actions, jobs, roles  # noqa: F401  (actions, Celery receivers)
        from portal.onboarding import receivers  # noqa: F401  (enrolls, ticks acknowledgements)
        from portal.releases import reactions  # noqa: F401  (follows catalog changes)
        from portal.usage import ingest  # noqa: F401  (acts on publication events)

        # After every app's migration: permissions of apps migrated later exist only then.
        post_migrate.connect(roles.sync_roles_after_migrate)
