"""Worker tasks of campaign kits."""

from __future__ import annotations

from celery import shared_task

from portal.kits import services


@shared_task(name="portal.kits.tasks.send_kit_reminders")
def send_kit_reminders() -> int:
    """Remind partners who have not acted on a kit, once, before its deadline."""
    return services.send_reminders()
