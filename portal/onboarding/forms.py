"""Forms of the onboarding pages. They only shape input; the services decide what is allowed."""

from __future__ import annotations

from django import forms

from portal.grants import communities_for
from portal.models import Community, Enrollment, OnboardingProgram, Partner, ReleaseItem
from portal.onboarding.programs import MAX_TARGET_DAYS, Material


class ProgramForm(forms.Form):
    """Create a program, or change one (its community stays)."""

    name = forms.CharField(max_length=200)
    community = forms.ModelChoiceField(
        queryset=Community.objects.none(),
        help_text="New partners of this community are enrolled.",
    )
    target_days = forms.IntegerField(
        min_value=1,
        max_value=MAX_TARGET_DAYS,
        initial=30,
        label="Target time (days)",
        help_text="Days a new partner has to acknowledge the materials; after that, follow-ups.",
    )
    instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Shown to partners with every material.",
    )
    active = forms.BooleanField(
        required=False, initial=True, label="Enroll partners who join the community"
    )

    def __init__(self, *args, user, program: OnboardingProgram | None = None, **kwargs):
        if program is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": program.release.name,
                "target_days": program.target_days,
                "instructions": program.release.instructions,
                "active": program.active,
            }
        super().__init__(*args, **kwargs)
        self.program = program
        if program is None:
            self.fields["community"].queryset = communities_for(user).order_by("name")
        else:
            del self.fields["community"]
            if not program.release.is_editable:
                for name in ("name", "instructions"):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = (
                        "Partners read this: it changes only while the program is a draft or "
                        "rejected."
                    )

    def changes(self) -> dict:
        """What ``update_program`` is given: the fields that may change."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if not self.fields[name].disabled
        }


class MaterialsForm(forms.Form):
    """The materials in order, each with "needs acknowledgement" and "remove"."""

    def __init__(self, *args, items: list[ReleaseItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for n, item in enumerate(items, start=1):
            self.fields[f"position_{item.pk}"] = forms.IntegerField(
                min_value=1, max_value=10_000, initial=n, label=f"Position of {item.asset.name}"
            )
            self.fields[f"ack_{item.pk}"] = forms.BooleanField(
                required=False,
                initial=item.needs_acknowledgement,
                label=f"{item.asset.name} needs acknowledgement",
            )
            self.fields[f"remove_{item.pk}"] = forms.BooleanField(
                required=False, label=f"Remove {item.asset.name}"
            )

    def rows(
        self,
    ) -> list[tuple[ReleaseItem, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (item, self[f"position_{item.pk}"], self[f"ack_{item.pk}"], self[f"remove_{item.pk}"])
            for item in self.items
        ]

    def materials(self) -> list[Material]:
        data = self.cleaned_data
        kept = [
            (data[f"position_{item.pk}"], n, item)
            for n, item in enumerate(self.items)
            if not data[f"remove_{item.pk}"]
        ]
        return [
            Material(item.asset, data[f"ack_{item.pk}"])
            for _, _, item in sorted(kept, key=lambda k: (k[0], k[1]))
        ]


class EnrollForm(forms.Form):
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        help_text="Members of the community not in the program yet (or who left it).",
    )

    def __init__(self, *args, program: OnboardingProgram, **kwargs):
        super().__init__(*args, **kwargs)
        taken = Enrollment.objects.filter(program=program).exclude(state=Enrollment.State.LEFT)
        self.fields["partner"].queryset = (
            Partner.objects.filter(
                memberships__community=program.community, memberships__active=True
            )
            .exclude(pk__in=taken.values("partner_id"))
            .order_by("company_name")
            .distinct()
        )


class DoneForm(forms.Form):
    note = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "What did you do? (optional)"}),
    )
