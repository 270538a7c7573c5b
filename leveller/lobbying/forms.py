from __future__ import annotations

from django import forms

from leveller.lobbying import geography
from leveller.lobbying.models import SignerKind, Targets


class PostcodeForm(forms.Form):
    postcode = forms.CharField(
        max_length=20, label="Your postcode", widget=forms.TextInput(attrs={"autocomplete": "postal-code"})
    )


class LetterForm(forms.Form):
    postcode = forms.CharField(max_length=20, widget=forms.HiddenInput)
    constituency_code = forms.ChoiceField(label="Your MP", widget=forms.RadioSelect, choices=())
    name = forms.CharField(max_length=120, label="Your name", widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        max_length=254, label="Your email", help_text="The MP replies to this address.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )  # fmt: skip
    address = forms.CharField(
        max_length=500, label="Your address", help_text="MPs reply only to their own constituents, and check.",
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )  # fmt: skip
    town = forms.CharField(max_length=80, required=False, label="Town or city")
    letter = forms.CharField(max_length=30_000, label="The letter", widget=forms.Textarea(attrs={"rows": 14}))
    personal = forms.CharField(max_length=5000, label="Your own paragraph", widget=forms.Textarea(attrs={"rows": 5}))
    consent = forms.BooleanField(required=False)
    newsletter = forms.BooleanField(
        required=False, label="Also email me the members' newsletter (we ask you to confirm)"
    )

    def __init__(self, *args, choices=(), member=None, consent_wording="", prompt="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["constituency_code"].choices = choices
        if len(choices) > 20:  # a campaign open to every MP of a party: a list, not hundreds of radio buttons
            self.fields["constituency_code"].widget = forms.Select(choices=[("", "Choose an MP…"), *choices])
            self.fields["constituency_code"].label = "The MP you are writing to"
        self.fields["personal"].help_text = prompt
        if member is not None:
            for name in ("email", "consent", "newsletter"):
                del self.fields[name]
        else:
            self.fields["consent"].label = consent_wording


class CampaignForm(forms.Form):
    title = forms.CharField(max_length=200)
    ask = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, help_text="Markdown.")
    subject = forms.CharField(max_length=200, help_text="Placeholders work here too.")
    template = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14}), max_length=20_000,
        help_text="Placeholders: {mp_name}, {constituency}, {member_name}, {member_town}, {personal_paragraph}.",
    )  # fmt: skip
    personal_prompt = forms.CharField(max_length=300, required=False, label="Prompt for the personal paragraph")
    targets = forms.ChoiceField(choices=Targets.choices, widget=forms.RadioSelect)
    target_parties = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, choices=())
    target_codes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Named list of constituencies",
        help_text="Constituency codes (such as E14001063), separated by spaces or commas.",
    )  # fmt: skip
    own_mp_only = forms.BooleanField(required=False, initial=True, label="Writers write to their own MP only")
    moderated = forms.BooleanField(required=False, label="An organiser approves each letter before it is sent")
    opens_at = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_parties"].choices = [(p, p) for p in geography.parties()]

    def action_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["target_codes"] = [c for c in data["target_codes"].replace(",", " ").split() if c]
        data["personal_prompt"] = data["personal_prompt"] or self.fields["personal_prompt"].initial or ""
        if not data["personal_prompt"]:
            data.pop("personal_prompt")
        return data


class StatementForm(forms.Form):
    title = forms.CharField(max_length=200)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), max_length=20_000, help_text="Markdown.")


class SignForm(forms.Form):
    kind = forms.ChoiceField(choices=SignerKind.choices, widget=forms.RadioSelect, label="I sign as")
    name = forms.CharField(max_length=120, label="Your name", widget=forms.TextInput(attrs={"autocomplete": "name"}))
    role = forms.CharField(max_length=120, required=False, label="Your role (optional)")
    organisation = forms.CharField(max_length=160, required=False, label="Organisation")
    email = forms.EmailField(max_length=254, label="Email (never shown)")
    logo = forms.FileField(required=False, label="Organisation's logo (optional: PNG, JPEG or WebP, up to 1 MB)")
    consent = forms.BooleanField(required=False)

    def __init__(self, *args, member=None, consent_wording="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_wording
        if member is not None:
            del self.fields["email"]
