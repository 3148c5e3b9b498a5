"""The signed-in person's own settings."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from portal import notifications


class NotificationSettingsForm(forms.Form):
    enabled = forms.MultipleChoiceField(
        choices=list(notifications.KINDS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="E-mail me when",
    )


@login_required
def notification_settings(request):
    """A checkbox per notification kind; everything is on until the person turns it off."""
    # Every box unticked sends an empty form, which still has to be saved.
    form = NotificationSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"enabled": sorted(notifications.enabled_for(request.user))},
    )
    if form.is_bound and form.is_valid():
        notifications.set_preferences(request.user, set(form.cleaned_data["enabled"]))
        messages.success(request, "Notification settings saved.")
        return redirect("notification-settings")
    return render(request, "portal/notifications.html", {"form": form})
