from __future__ import annotations

from django import forms

from leveller.elections.actions.setup import ELECTORATE, SETTINGS
from leveller.elections.models import Election

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _listed(value) -> str:
    return ", ".join(value) if isinstance(value, list | tuple) else (value or "")


class SettingsForm(forms.ModelForm):
    electorate_groups = forms.CharField(
        required=False,
        label="Electorate: groups",
        help_text="Group slugs, comma-separated (a region includes its local groups). Empty: no group limit.",
    )
    electorate_tags = forms.CharField(required=False, label="Electorate: member tags", help_text="Comma-separated.")
    electorate_roles = forms.CharField(
        required=False, label="Electorate: roles", help_text="Comma-separated, e.g. organiser. All empty: every member."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in ELECTORATE:
            if field in self.initial:
                self.initial[field] = _listed(self.initial[field])

    class Meta:
        model = Election
        fields = [f for f in SETTINGS if f not in ELECTORATE]
        widgets = {
            "freeze_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "nominations_open_at": DATETIME,
            "nominations_close_at": DATETIME,
            "voting_opens_at": DATETIME,
            "voting_closes_at": DATETIME,
            "description": forms.Textarea(attrs={"rows": 5}),
        }
        labels = {
            "seats": "Seats (or proposals to pick)",
            "rules": "Counting rules (STV)",
            "freeze_date": "Freeze date",
            "quorum": "Quorum (motions)",
            "threshold": "Threshold (motions)",
        }

    def changed_settings(self) -> dict:
        data = {f: self.cleaned_data[f] for f in self.Meta.fields if f in self.cleaned_data}
        for field in ELECTORATE:
            raw = self.cleaned_data.get(field) or ""
            data[field] = [part.strip() for part in raw.split(",") if part.strip()]
        return data


class CandidateForm(forms.Form):
    name = forms.CharField(max_length=120)
    statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000)
    tags = forms.CharField(
        required=False, label="Categories", help_text="Comma-separated, e.g. woman, BAME, disabled.", max_length=300
    )


class StandForm(forms.Form):
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        help_text="Tell members who you are and what you would do (up to 5,000 characters).",
    )
    tags = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Categories you belong to (optional)",
        help_text="Only tick those you are happy to be listed under. They count towards the minimum rules.",
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].choices = [(c, c) for c in categories]
        if not categories:
            del self.fields["tags"]


class MinimumRuleForm(forms.Form):
    category = forms.CharField(max_length=40, help_text="e.g. woman")
    minimum = forms.IntegerField(min_value=1, max_value=100, label="At least this many seats")


class ProcessForm(forms.ModelForm):
    class Meta:
        from leveller.elections.models import Process

        model = Process
        fields = [
            "title",
            "slug",
            "description",
            "seconders_needed",
            "amendment_seconders_needed",
            "standing_orders_group",
        ]
        fields += [
            "proposals_open_at",
            "proposals_close_at",
            "amendments_close_at",
            "deliberation_close_at",
            "voting_opens_at",
            "voting_closes_at",
            "results_at",
        ]
        widgets = {
            **{f: DATETIME for f in fields if f.endswith("_at")},
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "seconders_needed": "Seconders a motion needs",
            "amendment_seconders_needed": "Seconders an amendment needs",
            "standing_orders_group": "Standing-orders group (slug)",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = "The page address, e.g. refoundation-2026 (made from the title if empty)."
