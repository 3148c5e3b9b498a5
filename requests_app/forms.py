"""Forms of the request pages. They only shape input; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model

from portal.models import Asset
from portal.numbers import plain_id
from portal.releases.forms import LOCAL_TIME, LocalDateTimeInput
from requests_app import services
from requests_app.models import PartnerRequest

TIME_FORMATS = [LOCAL_TIME, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]


def required_text(label: str, message: str, *, rows: int = 0, max_length: int = 10_000):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label, max_length=max_length, widget=widget, error_messages={"required": message}
    )


def when(label: str, *, required: bool, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=LocalDateTimeInput(),
        input_formats=TIME_FORMATS,
        help_text=help_text,
        error_messages={"required": "Choose the new due date."},
    )


def find_asset(reference: str) -> Asset | None:
    """An asset by its Canto id, or by its catalog number."""
    reference = reference.strip()
    if not reference:
        return None
    found = Asset.objects.filter(canto_id=reference).first()
    if found is None and plain_id(reference) is not None:
        found = Asset.objects.filter(pk=plain_id(reference)).first()
    return found


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        full = obj.get_full_name()
        return f"{full} ({obj.get_username()})" if full else obj.get_username()


class RequestForm(forms.Form):
    """An action form about one partner request."""

    def __init__(self, *args, req: PartnerRequest, user, **kwargs):
        self.req, self.user = req, user
        super().__init__(*args, **kwargs)


class OwnerMixin:
    def owner_field(self) -> None:
        people = [u.pk for u in services.managers_of(self.req)]
        field = self.fields["owner"]
        field.queryset = get_user_model().objects.filter(pk__in=people).order_by("username")
        if self.req.owner_id in people:
            field.initial = self.req.owner_id
        elif self.user.pk in people:
            field.initial = self.user.pk


class TriageForm(OwnerMixin, RequestForm):
    owner = OwnerChoiceField(queryset=get_user_model().objects.none(), label="Owner")
    due_at = when("Due", required=False, help_text="Empty: the service level of its kind.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner_field()


class AssignForm(OwnerMixin, RequestForm):
    owner = OwnerChoiceField(queryset=get_user_model().objects.none(), label="Give to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner_field()


class DueForm(RequestForm):
    due_at = when("New due date", required=True)
    reason = required_text("Why", "Say why the due date changes.", max_length=500)


class EmptyForm(RequestForm):
    """An action without input (start)."""


class QuestionForm(RequestForm):
    question = required_text("Question", "Write the question for the partner.", rows=3)


class RejectForm(RequestForm):
    reason = required_text(
        "Reason (the partner reads it)",
        "Give the partner a reason for rejecting the request.",
        rows=3,
    )


class AnswerForm(RequestForm):
    text = required_text(
        "Answer (the partner reads it)", "Write the answer for the partner.", rows=3
    )


class CloseForm(RequestForm):
    reason = forms.CharField(label="Note", max_length=500, required=False)


class ReopenForm(RequestForm):
    reason = required_text("Why", "Say why the request is reopened.", max_length=500)


class CommentForm(RequestForm):
    body = required_text("Comment", "A comment needs some text.", rows=3)
    visibility = forms.ChoiceField(
        choices=[
            ("internal", "Internal: staff only"),
            ("public", "Public: the partner reads it in Trading Grid"),
        ],
        initial="internal",
        widget=forms.RadioSelect,
        label="Who sees it",
    )


class ReplacementForm(RequestForm):
    subject = forms.CharField(
        label="Subject", max_length=255, required=False, help_text="Empty: derived from the report."
    )


def delivery_candidates(req: PartnerRequest, limit: int = 50) -> list[Asset]:
    """The work asset, the request's linked assets and the files in its Canto album."""
    found: dict[int, Asset] = {}
    if req.work_asset_id:
        found[req.work_asset_id] = req.work_asset
    for asset in req.assets.order_by("name")[:limit]:
        found.setdefault(asset.pk, asset)
    if req.canto_album_id:
        album = f"|{req.canto_album_id.strip().lower()}|"
        for asset in Asset.objects.filter(album_index__contains=album).order_by("name")[:limit]:
            found.setdefault(asset.pk, asset)
    return list(found.values())


def _candidate_label(asset: Asset) -> str:
    problem = asset.eligibility_problem
    label = f"{asset.name} (v{asset.version_no})"
    return f"{label}: not eligible, {problem}" if problem else label


class DeliverForm(RequestForm):
    asset = forms.TypedChoiceField(
        coerce=int, required=False, widget=forms.RadioSelect, label="Asset to deliver"
    )
    asset_ref = forms.CharField(
        required=False,
        max_length=64,
        label="Or another asset",
        help_text="Its Canto id or catalog number.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = delivery_candidates(self.req)
        self.fields["asset"].choices = [(a.pk, _candidate_label(a)) for a in self.candidates]
        if self.req.work_asset_id:
            self.fields["asset"].initial = self.req.work_asset_id
        elif len(self.candidates) == 1:
            self.fields["asset"].initial = self.candidates[0].pk

    def clean(self):
        data = super().clean()
        reference = (data.get("asset_ref") or "").strip()
        if reference:
            data["chosen"] = find_asset(reference)
            if data["chosen"] is None:
                self.add_error("asset_ref", f"No asset has the Canto id or number “{reference}”.")
        elif data.get("asset"):
            data["chosen"] = next((a for a in self.candidates if a.pk == data["asset"]), None)
        else:
            data["chosen"] = None
        return data


class LinkForm(RequestForm):
    days = forms.IntegerField(
        min_value=1, max_value=365, label="Valid for (days)", initial=settings.STATUS_LINK_DAYS
    )
    revoke_others = forms.BooleanField(required=False, label="Revoke the other links")


class SavedViewForm(forms.Form):
    name = forms.CharField(
        max_length=80, label="Save this view as", error_messages={"required": "Name the view."}
    )
    query = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput)


class ImproveForm(forms.Form):
    tags = forms.CharField(required=False, max_length=1000, help_text="Separate with commas.")
    keywords = forms.CharField(required=False, max_length=1000, help_text="Separate with commas.")
    message = forms.CharField(
        required=False,
        max_length=2000,
        label="Answer to the partners",
        widget=forms.TextInput(attrs={"placeholder": "Empty: a standard answer"}),
    )


class TermForm(forms.Form):
    term = forms.CharField(max_length=80, widget=forms.HiddenInput)
    asset = forms.CharField(
        max_length=64,
        label="Asset",
        help_text="Canto id or catalog number.",
        error_messages={"required": "Say which asset the term should find."},
    )
    message = forms.CharField(required=False, max_length=2000, label="Answer to the partners")

    def clean_asset(self) -> Asset:
        reference = self.cleaned_data["asset"]
        asset = find_asset(reference)
        if asset is None:
            raise forms.ValidationError(f"No asset has the Canto id or number “{reference}”.")
        return asset
