"""Forms for event and course pages. They parse; the actions decide."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms

from leveller.accounts.models import TIME_ZONE_CHOICES
from leveller.events.models import Audience, EventType, Frequency

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=LOCAL_FORMAT, **kwargs)


class EventForm(forms.Form):
    title = forms.CharField(max_length=150)
    type = forms.ChoiceField(choices=EventType.choices)
    # Not required: "" is staff's "The national organisation" (members are not offered it; the action refuses it).
    group = forms.ChoiceField(
        label="Hosted by", required=False, help_text="Events for a group are approved by its organisers."
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=10000)
    starts_at = forms.DateTimeField(
        label="Starts", widget=LocalDateTimeInput(), input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"]
    )
    ends_at = forms.DateTimeField(
        label="Ends", widget=LocalDateTimeInput(), input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"]
    )
    time_zone = forms.ChoiceField(
        choices=[(z, z) for z in TIME_ZONE_CHOICES], help_text="The times above are in this zone."
    )
    in_person = forms.BooleanField(required=False, initial=True, label="In person")
    venue = forms.CharField(max_length=150, required=False)
    address = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=500)
    postcode = forms.CharField(max_length=12, required=False, help_text="Lets members find the event by distance.")
    online = forms.BooleanField(required=False, label="Online")
    online_url = forms.URLField(
        required=False,
        label="Joining link",
        max_length=500,
        assume_scheme="https",
        help_text="Shown only to members who RSVP, and to hosts.",
    )
    capacity = forms.IntegerField(required=False, min_value=1, help_text="Leave empty for no limit.")
    audience = forms.ChoiceField(choices=Audience.choices, initial=Audience.MEMBERS, label="Who can see it")
    repeat = forms.ChoiceField(choices=[("", "Does not repeat"), *Frequency.choices], required=False)
    count = forms.IntegerField(
        required=False, min_value=2, max_value=52, initial=6, label="Number of occurrences", help_text="2 to 52."
    )

    def __init__(self, *args, group_choices, series=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = group_choices
        if not series:
            del self.fields["repeat"]
            del self.fields["count"]
            del self.fields["group"]

    def clean(self):
        data = super().clean()
        zone_name = data.get("time_zone")
        if zone_name:
            zone = zoneinfo.ZoneInfo(zone_name)
            for name in ("starts_at", "ends_at"):
                value = data.get(name)
                if value is not None:
                    # The form's times are wall-clock times in the event's zone, not the viewer's.
                    data[name] = value.replace(tzinfo=None).replace(tzinfo=zone).astimezone(dt.UTC)
        if not data.get("online") and not data.get("in_person"):
            self.add_error("in_person", "Choose in person, online, or both.")
        return data

    def action_fields(self) -> dict:
        data = self.cleaned_data
        keys = ["title", "type", "description", "starts_at", "ends_at", "time_zone", "in_person", "venue"]
        keys += ["address", "postcode", "online", "online_url", "capacity", "audience"]
        return {k: data[k] for k in keys}


def initial_for(event) -> dict:
    return {
        "title": event.title,
        "type": event.type,
        "description": event.description,
        "starts_at": event.local_starts_at.replace(tzinfo=None),
        "ends_at": event.local_ends_at.replace(tzinfo=None),
        "time_zone": event.time_zone,
        "in_person": event.in_person,
        "venue": event.venue,
        "address": event.address,
        "postcode": event.postcode,
        "online": event.online,
        "online_url": event.online_url,
        "capacity": event.capacity,
        "audience": event.audience,
    }


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000, help_text="Sent to everyone going."
    )


class CourseForm(forms.Form):
    title = forms.CharField(max_length=150)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=10000)
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="The application form: one question per line.",
    )
    completion_threshold = forms.IntegerField(min_value=1, initial=3, label="Sessions to attend to complete the course")

    def question_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["questions"].splitlines() if line.strip()]


class ApplicationForm(forms.Form):
    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        for index, question in enumerate(questions):
            self.fields[f"answer_{index}"] = forms.CharField(
                label=question, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
            )

    def answers(self) -> list[str]:
        return [self.cleaned_data[name] for name in self.fields]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")], widget=forms.RadioSelect)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="Emailed to the applicant. Needed when declining.",
    )
