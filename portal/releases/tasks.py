"""Beat work for releases: publication dates, expiry dates and Canto expiry."""

from celery import shared_task
from django.utils import timezone

from portal.models import Release
from portal.releases import reactions, services


@shared_task(name="portal.releases.tasks.releases_due")
def releases_due() -> dict[str, int]:
    """Publish approved releases whose date has come, expire those whose expiry has come,
    and withdraw assets whose Canto expiry has passed. Each release decides under its lock."""
    now = timezone.now()
    published = sum(
        services.publish_due(r)
        for r in Release.objects.filter(state=Release.State.APPROVED, publish_at__lte=now)
    )
    expired = sum(
        services.expire(r)
        for r in Release.objects.filter(expire_at__lte=now).exclude(state__in=Release.CLOSED)
    )
    assets = reactions.sweep_expired_assets()
    return {"published": published, "expired": expired, "expired_assets": assets}
