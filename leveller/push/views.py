"""The notification settings page: this device on or off, what to push, quiet hours, and each device."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from leveller.core.page_errors import reported
from leveller.push import quiet
from leveller.push.actions import notifications as notifications_actions
from leveller.push.forms import DeviceForm, PreferencesForm
from leveller.push.models import PushSubscription


@login_required
def settings_page(request):
    preference = notifications_actions.preference_for(request.user)
    form = PreferencesForm(
        request.POST or None,
        initial={"kinds": preference.kinds, "quiet_start": preference.quiet_start, "quiet_end": preference.quiet_end},
    )
    if request.method == "POST" and form.is_valid():
        with reported(request, form=form) as outcome:
            notifications_actions.set_preferences(actor=request.user, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, "Notification settings saved.")
            return redirect("push:settings")
    devices = [
        (device, DeviceForm(initial={"kinds": device.kinds}, prefix=f"device-{device.pk}"))
        for device in request.user.push_subscriptions.order_by("-created_at")
    ]
    return render(
        request,
        "push/settings.html",
        {"form": form, "devices": devices, "zone": quiet.member_zone(request.user).key},
    )


@login_required
@require_POST
def device(request, subscription_id: int):
    row = get_object_or_404(PushSubscription, pk=subscription_id, member=request.user)
    if "remove" in request.POST:
        notifications_actions.remove_device(actor=request.user, subscription=row)
        messages.success(request, f"{row} will get no more notifications.")
        return redirect("push:settings")
    form = DeviceForm(request.POST, prefix=f"device-{row.pk}")
    if form.is_valid():
        notifications_actions.set_device_kinds(actor=request.user, subscription=row, kinds=form.cleaned_data["kinds"])
        messages.success(request, f"Saved what {row} gets.")
    else:
        problems = " ".join(error for errors in form.errors.values() for error in errors)
        messages.error(request, f"Nothing was saved for {row}: {problems}")
    return redirect("push:settings")
