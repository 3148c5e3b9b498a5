"""The append-only, hash-chained audit trail."""

from django.db import models

from portal.context import ACTOR_TYPES, VIA_CHOICES


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a recorded audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only: they cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only: they cannot be deleted.")


class AuditEvent(models.Model):
    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    time = models.DateTimeField(editable=False)
    actor_type = models.CharField(max_length=16, choices=ACTOR_TYPES)
    # Copied, not a foreign key: the trail must survive the user's deletion.
    actor_name = models.CharField(max_length=150)
    actor_id = models.BigIntegerField(null=True, blank=True)
    via = models.CharField(max_length=16, choices=VIA_CHOICES)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=255, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.CharField(max_length=45, null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-seq"], name="audit_object_idx"),
            models.Index(fields=["actor_name", "-seq"], name="audit_actor_idx"),
            # Someone's events between two dates (the auditor's usual question).
            models.Index(fields=["actor_name", "time"], name="audit_actor_time_idx"),
            models.Index(fields=["action", "-seq"], name="audit_action_idx"),
            models.Index(fields=["actor_type", "-seq"], name="audit_actor_type_idx"),
            models.Index(fields=["time"], name="audit_time_idx"),
            models.Index(fields=["request_id"], name="audit_request_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_name}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only: they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only: they cannot be deleted.")

    @property
    def label(self) -> str:
        from audit.registry import label_for

        return label_for(self.action)

    def changes(self) -> list[dict]:
        """Field-by-field comparison of ``before`` and ``after`` for the viewer."""
        before = self.before if isinstance(self.before, dict) else {}
        after = self.after if isinstance(self.after, dict) else {}
        rows = []
        for key in sorted(set(before) | set(after)):
            old, new = before.get(key), after.get(key)
            rows.append({"field": key, "before": old, "after": new, "changed": old != new})
        return rows


class AuditChainHead(models.Model):
    """The last link of the chain: one row, locked by every writer to serialise appends."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"audit chain head at #{self.seq}"
