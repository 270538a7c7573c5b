from __future__ import annotations

from django import forms

from leveller.newsletter.models import AnswerStatus, SectionKind


class SignupForm(forms.Form):
    name = forms.CharField(max_length=120, required=False, label="Your name", help_text="So we can greet you.")
    email = forms.EmailField(max_length=254, label="Email address")
    postcode = forms.CharField(
        max_length=12, required=False, label="Postcode (optional)", help_text="Helps us tell you about your area."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["postcode"].widget.attrs["autocomplete"] = "postal-code"


class AnswerForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=5000,
        label="Your answer",
        help_text="Up to 200 words.",
    )
    show_name = forms.BooleanField(required=False, label="Print my name with my answer")
    show_group = forms.BooleanField(required=False, label="Print my local group with my answer")


class IssueForm(forms.Form):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(max_length=300, required=False, help_text="One or two sentences for the archive.")


class SectionForm(forms.Form):
    heading = forms.CharField(max_length=200, required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), required=False, max_length=50_000)
    group_id = forms.IntegerField(required=False)
    question_id = forms.IntegerField(required=False)


class NewSectionForm(forms.Form):
    kind = forms.ChoiceField(choices=SectionKind.choices, label="Kind of section")


class ImageForm(forms.Form):
    image = forms.FileField(label="Picture (PNG, JPEG, GIF or WebP, up to 5 MB)")
    alt = forms.CharField(max_length=300, label="Description for people who cannot see it (alt text)")


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label="Publish and send at", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file")


class QuestionForm(forms.Form):
    text = forms.CharField(max_length=300, label="The question")
    intro = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        label="A few words of introduction (optional)",
    )
    open_now = forms.BooleanField(required=False, initial=True, label="Open it for answers now")


class AnswerStatusForm(forms.Form):
    status = forms.ChoiceField(choices=AnswerStatus.choices)
