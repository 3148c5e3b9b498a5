"""The kit form: a release's targets and dates, plus the deadline and when to remind."""

from __future__ import annotations

from django import forms

from portal.models import Kit
from portal.releases.forms import LOCAL_TIME, LocalDateTimeInput, ReleaseForm, initial_from

TIMES = [LOCAL_TIME, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class KitForm(ReleaseForm):
    deadline = forms.DateTimeField(
        widget=LocalDateTimeInput(),
        input_formats=TIMES,
        help_text="Partners should have acknowledged (or at least opened) the kit by then.",
    )
    remind_hours_before = forms.IntegerField(
        min_value=1,
        max_value=60 * 24,
        initial=48,
        label="Remind partners (hours before the deadline)",
        help_text="Partners who have not acted get one e-mail this long before the deadline.",
    )

    field_order = [
        "name",
        "instructions",
        "communities",
        "tiers",
        "regions",
        "partners",
        "publish_at",
        "deadline",
        "remind_hours_before",
        "expire_at",
        "requires_acknowledgement",
        "on_new_version",
    ]

    def __init__(self, *args, kit: Kit | None = None, **kwargs):
        if kit is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **initial_from(kit.release),
                "deadline": kit.deadline,
                "remind_hours_before": kit.remind_hours_before,
            }
        elif "initial" not in kwargs:
            kwargs["initial"] = {"requires_acknowledgement": True, "remind_hours_before": 48}
        super().__init__(*args, release=kit.release if kit else None, **kwargs)
        self.fields["publish_at"].label = "Launch date"
        self.fields["publish_at"].help_text = "Empty: as soon as it is approved."
        self.fields["instructions"].help_text = "What partners should do with the kit."
        self.fields["requires_acknowledgement"].label = "Partners must acknowledge the kit"
