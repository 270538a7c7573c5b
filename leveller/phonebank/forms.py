"""Forms for the phonebank pages. They only parse input; the actions check the rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from leveller.phonebank import integrations, survey
from leveller.phonebank.models import CallersMode, CampaignStatus, Outcome


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=200)
    goal = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="What this campaign is for."
    )
    script = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Markdown. {first_name}, {name}, {postcode} and any custom column (e.g. {branch}) are filled in.",
    )
    calling_start = forms.TimeField(
        initial="10:00", widget=forms.TimeInput(attrs={"type": "time"}), help_text="In each contact's own local time."
    )
    calling_end = forms.TimeField(initial="20:00", widget=forms.TimeInput(attrs={"type": "time"}))
    call_on_sundays = forms.BooleanField(required=False, label="Call on Sundays")
    max_attempts = forms.IntegerField(min_value=1, max_value=20, initial=3)
    retry_after_minutes = forms.IntegerField(
        min_value=1, initial=240, label="Minutes before retrying", help_text="After no answer, busy or voicemail."
    )
    callers_mode = forms.ChoiceField(
        choices=CallersMode.choices, label="Who may call", widget=forms.RadioSelect, initial=CallersMode.EVERYONE
    )
    caller_group_id = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Group")
    caller_emails = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Named callers",
        help_text="Email addresses, one per line.",
    )
    status = forms.ChoiceField(choices=CampaignStatus.choices, initial=CampaignStatus.DRAFT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caller_group_id"].choices = [("", "—"), *integrations.group_choices()]

    def clean_caller_emails(self):
        from leveller.accounts.models import Member

        emails = [line.strip().lower() for line in self.cleaned_data["caller_emails"].splitlines() if line.strip()]
        members = list(Member.objects.active().filter(email__in=emails))
        missing = sorted(set(emails) - {m.email for m in members})
        if missing:
            raise ValidationError(f"No active member has the email {missing[0]}.")
        return [m.pk for m in members]

    def action_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["callers"] = data.pop("caller_emails")
        return data


class QuestionForm(forms.Form):
    text = forms.CharField(max_length=500, required=False, label="Question")
    kind = forms.ChoiceField(choices=list(survey.KINDS.items()), initial="single_choice")
    choices = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="For choice questions: one choice per line."
    )
    show_if_question = forms.IntegerField(required=False, min_value=1, label="Only ask after question number")
    show_if_answer = forms.CharField(required=False, max_length=200, label="was answered")


QuestionFormSet = forms.formset_factory(QuestionForm, extra=2, can_delete=True, max_num=survey.MAX_QUESTIONS)


def questions_from(formset, existing: list[dict]) -> list[dict]:
    """Turn the question rows into the survey's list, keeping existing ids so past answers still match."""
    rows = [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    rows = [r for r in rows if r.get("text")]
    questions = []
    for position, row in enumerate(rows, start=1):
        old = existing[position - 1]["id"] if position <= len(existing) else None
        question = {
            "id": old or f"q{position}",
            "text": row["text"],
            "kind": row["kind"],
            "choices": [c.strip() for c in (row.get("choices") or "").splitlines() if c.strip()],
        }
        parent = row.get("show_if_question")
        if parent:
            if parent >= position:
                raise ValidationError(f"Question {position} can only depend on an earlier question.")
            question["show_if"] = {"question": questions[parent - 1]["id"], "answer": row.get("show_if_answer")}
        questions.append(question)
    return questions


def question_initial(questions: list[dict]) -> list[dict]:
    ids = {q["id"]: n for n, q in enumerate(questions, start=1)}
    return [
        {
            "text": q["text"],
            "kind": q["kind"],
            "choices": "\n".join(q.get("choices") or []),
            "show_if_question": ids.get((q.get("show_if") or {}).get("question")),
            "show_if_answer": (q.get("show_if") or {}).get("answer", ""),
        }
        for q in questions
    ]


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Contact list (CSV)",
        help_text="Columns: name, phone, and optionally postcode, country, time zone; any other "
        "column becomes a custom field.",
    )
    basis = forms.ChoiceField(
        label="Lawful basis for holding this list",
        choices=[("legitimate_interests", "Legitimate interests (e.g. our own members)"), ("consent", "Consent")],
        initial="legitimate_interests",
        required=False,
    )
    source = forms.CharField(
        label="Where the list came from",
        max_length=300,
        required=False,
        help_text="e.g. 'petition signers, March 2026' (the file name if left blank)",
    )
    wording = forms.CharField(
        label="Consent wording they agreed to (for a list held on consent)", required=False, widget=forms.Textarea
    )


OUTCOME_BUTTONS = [(o.value, o.label) for o in Outcome]
