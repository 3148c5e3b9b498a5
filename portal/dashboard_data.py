"""What the dashboard shows: what needs the person now, and weekly series for its charts.

Every figure is narrowed to the person's communities (all of them for portal admins). Each
series is one aggregate query grouped by week in the database, whatever the number of weeks or
rows. A new chart is one builder function taking a ``Scope`` and returning a ``Chart``, plus a
line in ``CHARTS`` naming the permission it needs.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.db.models import (
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Cast, TruncWeek
from django.utils import timezone

from audit.models import AuditEvent
from integrations.models import OutboxMessage, SyncRun
from portal.charts import Chart, Series
from portal.grants import communities_for, sees_everything
from portal.models import Enrollment, Publication, UsageDaily
from portal.onboarding import dashboard as onboarding
from portal.releases import trace
from portal.releases.filters import review_queue
from requests_app import sla
from requests_app.models import PartnerRequest
from requests_app.rules import visible_requests

WEEKS = 12


def week_starts(now: datetime | None = None, count: int = WEEKS) -> list[date]:
    """The Mondays of the last ``count`` weeks, oldest first, this week last."""
    today = timezone.localdate(now)
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=count - 1 - i) for i in range(count)]


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def since(weeks: list[date]) -> datetime:
    """The first moment of the first week shown, in the portal's time zone."""
    return timezone.make_aware(datetime.combine(weeks[0], time.min))


def weekly(queryset: QuerySet, field: str, weeks: list[date], **aggregates) -> dict[str, list]:
    """One query: each aggregate per week of ``field`` (0 for weeks without rows)."""
    rows = (
        queryset.order_by()
        .filter(**{f"{field}__gte": since(weeks)})
        .annotate(week=TruncWeek(field))
        .values("week")
        .annotate(**aggregates)
    )
    found = {_as_date(row["week"]): row for row in rows}
    return {name: [found.get(w, {}).get(name) or 0 for w in weeks] for name in aggregates}


@dataclass
class Scope:
    """The person, the weeks shown, and what they may see."""

    user: object
    weeks: list[date]
    communities: QuerySet
    requests: QuerySet

    @classmethod
    def of(cls, user, now: datetime | None = None) -> Scope:
        return cls(user, week_starts(now), communities_for(user), visible_requests(user))

    @property
    def short_labels(self) -> list[str]:
        return [f"{w.day} {w:%b}" for w in self.weeks]

    @property
    def long_labels(self) -> list[str]:
        return [f"Week of {w.day} {w:%b %Y}" for w in self.weeks]

    def chart(self, key: str, title: str, series: list[Series], **options) -> Chart:
        return Chart(
            key,
            title,
            self.short_labels,
            series,
            long_labels=self.long_labels,
            **options,
        )

    @cached_property
    def has_communities(self) -> bool:
        return sees_everything(self.user) or self.communities.exists()

    def nothing(self, what: str) -> str:
        if not self.has_communities:
            return "No community is granted to you yet, so there is nothing to count."
        return f"No {what} in your communities in the last {len(self.weeks)} weeks."


def publications_chart(scope: Scope) -> Chart:
    mine = Publication.objects.filter(community__in=scope.communities)
    live = weekly(mine, "published_at", scope.weeks, n=Count("pk"))["n"]
    return scope.chart(
        "chart-publications",
        "Publications made live per week",
        [Series("Made live", live)],
        kind="bar",
        unit="publications",
        empty_text=scope.nothing("publication went live"),
    )


def request_volume_chart(scope: Scope) -> Chart:
    received = weekly(scope.requests, "received_at", scope.weeks, n=Count("pk"))["n"]
    delivered = weekly(scope.requests, "delivered_at", scope.weeks, n=Count("pk"))["n"]
    return scope.chart(
        "chart-requests",
        "Partner requests received and delivered per week",
        [Series("Received", received), Series("Delivered", delivered)],
        unit="requests",
        empty_text=scope.nothing("partner request came in or was delivered"),
    )


def delivery_time_chart(scope: Scope) -> Chart:
    """Median days from receipt to delivery, by the week of delivery (one query)."""
    took = ExpressionWrapper(F("delivered_at") - F("received_at"), output_field=DurationField())
    rows = (
        scope.requests.order_by()
        .filter(delivered_at__gte=since(scope.weeks), received_at__isnull=False)
        .annotate(week=TruncWeek("delivered_at"), took=took)
        .values_list("week", "took")
    )
    days: dict[date, list[float]] = {}
    for week, duration in rows:
        days.setdefault(_as_date(week), []).append(max(duration.total_seconds(), 0) / 86400)
    median = [round(statistics.median(days[w]), 1) if w in days else None for w in scope.weeks]
    return scope.chart(
        "chart-delivery-time",
        "Median days from request to delivery",
        [Series("Median days", median)],
        kind="bar",
        unit="days",
        decimals=1,
        empty_text=scope.nothing("partner request was delivered"),
    )


def usage_chart(scope: Scope) -> Chart:
    """Partner views and downloads per week, from the daily usage figures."""
    mine = UsageDaily.objects.filter(community__in=scope.communities)
    used = weekly(mine, "day", scope.weeks, views=Sum("views"), downloads=Sum("downloads"))
    return scope.chart(
        "chart-usage",
        "Partner views and downloads per week",
        [Series("Views", used["views"]), Series("Downloads", used["downloads"])],
        unit="interactions",
        empty_text=scope.nothing("partner opened or downloaded shared content"),
    )


def audit_chart(scope: Scope) -> Chart:
    """The whole trail, as the audit viewer shows it to those who may read it."""
    recorded = weekly(AuditEvent.objects.all(), "time", scope.weeks, n=Count("pk"))["n"]
    return scope.chart(
        "chart-audit",
        "Audit events recorded per week",
        [Series("Events", recorded)],
        kind="bar",
        unit="events",
        empty_text=f"Nothing was recorded in the last {len(scope.weeks)} weeks.",
    )


def onboarding_chart(scope: Scope) -> Chart:
    """Partners enrolled in onboarding programs and partners who completed one, per week."""
    mine = Enrollment.objects.filter(program__community__in=scope.communities)
    enrolled = weekly(mine, "enrolled_at", scope.weeks, n=Count("pk"))["n"]
    completed = weekly(mine, "completed_at", scope.weeks, n=Count("pk"))["n"]
    return scope.chart(
        "chart-onboarding",
        "Onboarding: partners enrolled and completed per week",
        [Series("Enrolled", enrolled), Series("Completed", completed)],
        kind="bar",
        unit="partners",
        empty_text=scope.nothing("partner was enrolled in or completed an onboarding program"),
    )


@dataclass(frozen=True)
class ChartSpec:
    permission: str
    build: Callable[[Scope], Chart]


CHARTS = [
    ChartSpec("portal.view_release", publications_chart),
    ChartSpec("portal.view_usagedaily", usage_chart),
    ChartSpec("requests_app.view_partnerrequest", request_volume_chart),
    ChartSpec("requests_app.view_partnerrequest", delivery_time_chart),
    ChartSpec("portal.view_enrollment", onboarding_chart),
    ChartSpec("audit.view_auditevent", audit_chart),
]


def charts_for(user, now: datetime | None = None) -> list[Chart]:
    allowed = [spec for spec in CHARTS if user.has_perm(spec.permission)]
    if not allowed:
        return []
    scope = Scope.of(user, now)
    return [spec.build(scope) for spec in allowed]


# What needs the person now ----------------------------------------------------------------------


def outbox_trouble(user, communities: QuerySet) -> dict[str, int]:
    """Writes waiting to retry and writes given up, about what the person may act on."""
    messages = OutboxMessage.objects.filter(
        status__in=[OutboxMessage.Status.RETRYING, OutboxMessage.Status.DEAD]
    )
    if not sees_everything(user):
        ref = Cast("pk", CharField())
        publications = Publication.objects.filter(community__in=communities).values_list(ref)
        requests = PartnerRequest.objects.filter(community__in=communities).values_list(ref)
        messages = messages.filter(
            Q(object_type="portal.publication", object_id__in=publications)
            | Q(object_type="requests_app.partnerrequest", object_id__in=requests)
        )
    return messages.aggregate(
        retrying=Count("pk", filter=Q(status=OutboxMessage.Status.RETRYING)),
        dead=Count("pk", filter=Q(status=OutboxMessage.Status.DEAD)),
    )


def latest_syncs() -> list[SyncRun]:
    """The newest run of each kind that has run, in the order of the kinds (one query)."""
    newest = SyncRun.objects.order_by().values("kind").annotate(last=Max("pk")).values("last")
    runs = {run.kind: run for run in SyncRun.objects.filter(pk__in=newest)}
    return [runs[kind] for kind in SyncRun.Kind.values if kind in runs]


def needs_now(user) -> dict:
    """The figures of the person's "needs you now" cards; only those their role calls for."""
    found: dict = {}
    has = user.has_perm
    communities = communities_for(user)
    if has("portal.review_release"):
        found["reviews_waiting"] = review_queue(user).count()
    if has("portal.change_release"):
        found["failing_releases"] = list(trace.releases_with_dead_writes(user)[:10])
        found["auto_withdrawn"] = trace.recent_auto_withdrawals(user)
    if has("requests_app.change_partnerrequest"):
        mine = visible_requests(user)
        found["request_counts"] = {
            "overdue": sla.breached(mine).count(),
            "due_soon": sla.due_soon(mine).count(),
            "unowned": mine.filter(state=PartnerRequest.State.NEW, owner=None).count(),
        }
    if has("portal.change_followup"):
        found["onboarding"] = onboarding.needs_now(user)
    if has("integrations.view_outboxmessage") or has("portal.change_release"):
        found["outbox"] = outbox_trouble(user, communities)
    if has("portal.view_community"):
        drifted = Publication.objects.filter(community__in=communities).exclude(drift="")
        found["drift_count"] = drifted.count()
        found["drift"] = list(drifted.select_related("community").order_by("-drift_found_at")[:10])
    if has("integrations.view_syncrun"):
        found["syncs"] = latest_syncs()
    if has("audit.view_auditevent"):
        found["audit_check"] = {
            "last": AuditEvent.objects.filter(
                action__in=["audit.verified", "audit.verify_failed"]
            ).first()
        }
    return found
