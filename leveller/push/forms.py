from __future__ import annotations

from django import forms

from leveller.push.models import Kind


class PreferencesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label="Send me notifications about",
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkbox-list"}),
    )
    quiet_start = forms.TimeField(
        label="Quiet from", required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    quiet_end = forms.TimeField(
        label="Quiet until", required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


class DeviceForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label="This device gets",
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkbox-list"}),
    )
