"""Forms of the release pages. They only shape input; the services decide what is allowed."""

from __future__ import annotations

from django import forms

from portal.communities.views import visible_partners
from portal.grants import communities_for
from portal.models import Community, Partner, Release

LOCAL_TIME = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=LOCAL_TIME, **kwargs)


def _values_of(communities, attribute: str) -> list[str]:
    return sorted({v for c in communities for v in getattr(c, attribute) if v})


class ReleaseForm(forms.Form):
    """Create or edit a release. Targets are limited to the person's communities."""

    name = forms.CharField(max_length=200)
    instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Shown to partners with every asset of the release.",
    )
    communities = forms.ModelMultipleChoiceField(
        queryset=Community.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    tiers = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only partners of these tiers see the release; none chosen means every tier.",
    )
    regions = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only partners in these regions; none chosen means every region.",
    )
    partners = forms.ModelMultipleChoiceField(
        queryset=Partner.objects.none(),
        required=False,
        label="Named partners",
        help_text="Optional: only these partners see the release (Ctrl or ⌘ to choose several).",
    )
    publish_at = forms.DateTimeField(
        required=False,
        widget=LocalDateTimeInput(),
        input_formats=[LOCAL_TIME, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        label="Publish from",
        help_text="Empty: as soon as it is approved.",
    )
    expire_at = forms.DateTimeField(
        required=False,
        widget=LocalDateTimeInput(),
        input_formats=[LOCAL_TIME, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        label="Withdraw on",
    )
    requires_acknowledgement = forms.BooleanField(
        required=False, label="Partners must acknowledge receipt"
    )
    on_new_version = forms.ChoiceField(
        choices=Release.OnNewVersion.choices,
        initial=Release.OnNewVersion.REVIEW,
        widget=forms.RadioSelect,
        label="When Canto has a new version",
    )

    def __init__(self, *args, user, release: Release | None = None, **kwargs):
        if release is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from(release)
        super().__init__(*args, **kwargs)
        granted = communities_for(user).order_by("name")
        self.fields["communities"].queryset = granted
        self.fields["partners"].queryset = visible_partners(user).order_by("company_name")
        granted = list(granted)
        kept = (release.tiers, release.regions) if release is not None else ([], [])
        self.fields["tiers"].choices = [
            (t, t) for t in sorted(set(_values_of(granted, "tiers")) | set(kept[0]))
        ]
        self.fields["regions"].choices = [
            (r, r) for r in sorted(set(_values_of(granted, "regions")) | set(kept[1]))
        ]

    def clean(self):
        data = super().clean()
        chosen = data.get("communities") or []
        for field, attribute in (("tiers", "tiers"), ("regions", "regions")):
            offered = set(_values_of(chosen, attribute))
            missing = [v for v in data.get(field) or [] if v not in offered]
            if chosen and missing:
                self.add_error(
                    field,
                    f"Not used by the chosen communities: {', '.join(missing)}.",
                )
        return data

    def service_arguments(self) -> dict:
        """The cleaned values as ``services.create`` and ``services.update`` take them."""
        data = dict(self.cleaned_data)
        data["tiers"] = list(data.get("tiers") or [])
        data["regions"] = list(data.get("regions") or [])
        data["partners"] = list(data.get("partners") or [])
        data["communities"] = list(data["communities"])
        return data


def initial_from(release: Release) -> dict:
    return {
        "name": release.name,
        "instructions": release.instructions,
        "communities": list(release.communities.all()),
        "tiers": release.tiers,
        "regions": release.regions,
        "partners": list(release.partners.all()),
        "publish_at": release.publish_at,
        "expire_at": release.expire_at,
        "requires_acknowledgement": release.requires_acknowledgement,
        "on_new_version": release.on_new_version,
    }


class ReasonForm(forms.Form):
    """Withdrawing a release: the reason is kept in the audit trail and shown to people."""

    reason = forms.CharField(
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "Why withdraw it?"}),
        error_messages={"required": "Say why the release is withdrawn."},
    )


class ApproveForm(forms.Form):
    """The revision the reviewer saw: approving a release that changed since is refused."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RejectForm(ApproveForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why is it rejected?",
        error_messages={"required": "Say why the release is rejected."},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why the release is rejected.")
        return reason
