"""The Celery application: configured from Django settings (``CELERY_*``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Integrations keep a tasks module per outside system.
app.autodiscover_tasks(["integrations.canto", "integrations.tradinggrid"])
app.autodiscover_tasks(["portal.releases"])
app.autodiscover_tasks(["portal.usage"])
app.autodiscover_tasks(["portal.onboarding"])
app.autodiscover_tasks(["portal.kits"])
app.autodiscover_tasks(["portal"], related_name="notifications")
