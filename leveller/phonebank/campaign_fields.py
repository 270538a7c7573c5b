"""Checking a campaign's settings, shared by create and update (so the API and the pages agree)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from leveller.groups.models import Group
from leveller.phonebank import survey
from leveller.phonebank.models import CallersMode, CampaignStatus

EDITABLE = {
    "name",
    "goal",
    "script",
    "questions",
    "calling_start",
    "calling_end",
    "call_on_sundays",
    "max_attempts",
    "retry_after_minutes",
    "callers_mode",
    "caller_group_id",
    "status",
}
MAX_RETRY_MINUTES = 60 * 24 * 30


def _time(value, label: str) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    try:
        return dt.time.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(f"{label} {value!r} is not a time such as 10:00.") from None


def _whole(value, label: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{label} must be a whole number.") from None
    if isinstance(value, float) and value != number:
        raise ValidationError(f"{label} must be a whole number.")
    if not low <= number <= high:
        raise ValidationError(f"{label} must be between {low} and {high}.")
    return number


def clean_campaign_fields(values: dict, *, creating: bool = False, current=None) -> dict:
    unknown = set(values) - EDITABLE
    if unknown:
        raise ValidationError(f"Unknown campaign setting {sorted(unknown)[0]!r}.")
    cleaned: dict = {}
    if "name" in values or creating:
        name = str(values.get("name") or "").strip()
        if not name:
            raise ValidationError("Give the campaign a name.")
        if len(name) > 200:
            raise ValidationError("The name is longer than 200 characters.")
        cleaned["name"] = name
    for field, limit in (("goal", 2000), ("script", 20000)):
        if field in values:
            text = str(values[field] or "")
            if len(text) > limit:
                raise ValidationError(f"The {field} is longer than {limit} characters.")
            cleaned[field] = text
    if "questions" in values:
        cleaned["questions"] = survey.clean_questions(values["questions"])
    if "calling_start" in values:
        cleaned["calling_start"] = _time(values["calling_start"], "Calling hours start")
    if "calling_end" in values:
        cleaned["calling_end"] = _time(values["calling_end"], "Calling hours end")
    start = cleaned.get("calling_start", getattr(current, "calling_start", dt.time(10)))
    end = cleaned.get("calling_end", getattr(current, "calling_end", dt.time(20)))
    if start >= end:
        raise ValidationError("Calling hours must end after they start (e.g. 10:00 to 20:00).")
    if "call_on_sundays" in values:
        cleaned["call_on_sundays"] = bool(values["call_on_sundays"])
    if "max_attempts" in values:
        cleaned["max_attempts"] = _whole(values["max_attempts"], "Max attempts", 1, 20)
    if "retry_after_minutes" in values:
        cleaned["retry_after_minutes"] = _whole(values["retry_after_minutes"], "The retry gap", 1, MAX_RETRY_MINUTES)
    if "status" in values:
        if values["status"] not in CampaignStatus.values:
            raise ValidationError(f"Status must be one of {', '.join(CampaignStatus.values)}.")
        cleaned["status"] = values["status"]
    _clean_callers(values, cleaned, current)
    return cleaned


def _clean_callers(values: dict, cleaned: dict, current) -> None:
    if "callers_mode" in values:
        if values["callers_mode"] not in CallersMode.values:
            raise ValidationError(f"Who may call must be one of {', '.join(CallersMode.values)}.")
        cleaned["callers_mode"] = values["callers_mode"]
    if "caller_group_id" in values:
        cleaned["caller_group_id"] = int(values["caller_group_id"]) if values["caller_group_id"] else None
    mode = cleaned.get("callers_mode", getattr(current, "callers_mode", CallersMode.EVERYONE))
    group_id = cleaned.get("caller_group_id", getattr(current, "caller_group_id", None))
    if mode == CallersMode.GROUP and (not group_id or not Group.objects.filter(pk=group_id).exists()):
        raise ValidationError("Choose the group whose members may call.")
