from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from leveller.accounts.models import TIME_ZONE_CHOICES, Member, Role, Status
from leveller.accounts.validation import (
    clean_country,
    clean_email,
    clean_phone,
    clean_postcode,
    clean_time_zone,
)


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class ProfileFieldsMixin:
    def clean_country(self):
        return clean_country(self.cleaned_data.get("country", ""))

    def clean_phone(self):
        return clean_phone(self.cleaned_data.get("phone", ""), self.data.get("country", "GB") or "GB")

    def clean_postcode(self):
        return clean_postcode(self.cleaned_data.get("postcode", ""), (self.data.get("country") or "GB").upper())

    def clean_time_zone(self):
        return clean_time_zone(self.cleaned_data.get("time_zone", ""))


class ProfileForm(ProfileFieldsMixin, forms.ModelForm):
    time_zone = forms.ChoiceField(choices=[(z, z) for z in TIME_ZONE_CHOICES])

    class Meta:
        model = Member
        fields = ["display_name", "pronouns", "bio", "phone", "postcode", "country", "time_zone"]
        labels = {"display_name": "Name", "country": "Country code", "phone": "Phone number"}
        help_texts = {
            "phone": "For example 07700 900123. Outside the UK, start with + and the country code: +33 6 12 34 56 78.",
            "country": "Two letters, such as GB, IE, ES or US.",
        }
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        }


class AvatarForm(forms.Form):
    """Only the file: leveller/accounts/avatars.py decides whether it is a picture (by decoding it)."""

    picture = forms.FileField(
        label="Picture file",
        help_text="A PNG, JPEG, WebP or GIF, up to {mb} MB. We crop it to a square and remove its metadata "
        "(such as where a photo was taken).",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
    )

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["picture"].help_text = self.fields["picture"].help_text.format(mb=settings.AVATAR_MAX_MB)


class InviteForm(ProfileFieldsMixin, forms.Form):
    email = forms.EmailField()
    display_name = forms.CharField(label="Name", max_length=120)
    roles = forms.MultipleChoiceField(
        choices=Role.choices, initial=[Role.MEMBER], widget=forms.CheckboxSelectMultiple, required=False
    )
    country = forms.CharField(max_length=2, initial="GB", required=False, label="Country code")
    postcode = forms.CharField(max_length=12, required=False)
    phone = forms.CharField(
        label="Phone number",
        max_length=30,
        required=False,
        help_text="For example 07700 900123. Outside the UK, start with + and the country code.",
    )
    status = forms.ChoiceField(choices=Status.choices, initial=Status.MEMBER)

    def clean_email(self):
        return clean_email(self.cleaned_data["email"])


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Members CSV file", help_text="The first line names the columns; email and name are required."
    )
    invite = forms.BooleanField(required=False, label="Email an invitation to each new member")
    basis = forms.ChoiceField(
        label="Lawful basis for holding these people's data",
        choices=[
            ("contract", "Contract (they are members)"),
            ("legitimate_interests", "Legitimate interests (e.g. supporters)"),
            ("consent", "Consent"),
        ],
        initial="contract",
        required=False,
    )
    source = forms.CharField(
        label="Where the list came from",
        max_length=300,
        required=False,
        help_text="e.g. 'membership database export, May 2026' (the file name if left blank)",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 50 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 50 MB: split it into smaller files.")
        return upload


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(label="New email address")


class TokenForm(forms.Form):
    name = forms.CharField(max_length=80, initial="API token", label="Token name")


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="The six digits your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false", "autocapitalize": "off"}
        ),
    )


class TwoFactorDisableForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TwoFactorResetForm(forms.Form):
    reason = forms.CharField(label="Why (kept in the audit log)", max_length=300, required=False)


class TwoFactorPolicyForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Roles that must use two-factor sign-in",
        choices=[
            (role.value, role.label) for role in (Role.ADMIN, Role.STAFF, Role.EDITOR, Role.ORGANISER, Role.MEMBER)
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Members with any ticked role are asked to set it up at their next page, before anything else.",
    )
