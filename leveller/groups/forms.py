from __future__ import annotations

from django import forms

from leveller.groups import countries
from leveller.groups.models import Group, Kind, Role

PROPOSABLE_KINDS = [(k.value, k.label) for k in (Kind.LOCAL, Kind.CAMPAIGN, Kind.REGIONAL, Kind.ONLINE, Kind.ABROAD)]


class FinderForm(forms.Form):
    postcode = forms.CharField(
        label="Your postcode",
        max_length=40,
        help_text="A full postcode such as NW10 3LN, or just the first part such as NW10. "
        "Living abroad? Enter your country's two-letter code, such as DE or ES.",
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "autocapitalize": "characters"}),
    )


def _regional_choices():
    return Group.objects.approved().filter(kind=Kind.REGIONAL).order_by("name")


class ProposeForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="Such as “Brent” or “Eviction Resistance — Hackney”.")
    kind = forms.ChoiceField(label="Kind of group", choices=PROPOSABLE_KINDS, initial=Kind.LOCAL)
    districts = forms.CharField(
        label="Postcode districts covered",
        required=False,
        max_length=500,
        help_text="For local and campaign groups in the UK: the first part of the postcodes, separated by spaces, "
        "such as NW10 HA0 HA9.",
    )
    parent = forms.ModelChoiceField(
        label="Regional group", queryset=Group.objects.none(), required=False, empty_label="None"
    )
    campaign = forms.CharField(
        label="Campaign",
        max_length=120,
        required=False,
        help_text="For campaign action groups, such as Eviction Resistance.",
    )
    country = forms.ChoiceField(label="Country", initial="GB", help_text="For groups abroad.")
    town = forms.CharField(label="Town or city", max_length=120, required=False, help_text="For groups abroad.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=5000, required=False)
    meeting_pattern = forms.CharField(
        label="When you meet",
        max_length=200,
        required=False,
        help_text="Such as “First Tuesday of the month, 7pm, online”.",
    )
    note = forms.CharField(
        label="Note for staff",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text="Who is involved so far, and anything staff should know.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = _regional_choices()
        self.fields["country"].choices = countries.choices()


class DecisionForm(forms.Form):
    note = forms.CharField(
        label="Note to the proposer", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


class AddMemberForm(forms.Form):
    email = forms.EmailField(label="Member's email address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class MessageForm(forms.Form):
    subject = forms.CharField(max_length=150, required=False, help_text="Needed for email.")
    text = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 6}), max_length=10000)
    to_channel = forms.BooleanField(label="Post in the group's channel", required=False, initial=True)
    by_email = forms.BooleanField(label="Email every member", required=False)


class EditForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=5000, required=False)
    meeting_pattern = forms.CharField(label="When you meet", max_length=200, required=False)
    districts = forms.CharField(
        label="Postcode districts covered",
        required=False,
        max_length=500,
        help_text="Staff only. Separate with spaces.",
    )
