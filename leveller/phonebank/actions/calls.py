"""Every phonebank state change. Views, the API and tasks all call these; none writes the change itself."""

from __future__ import annotations

import datetime as dt
import functools
import threading
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from leveller.core import audit, clock, rawload
from leveller.core.access import require_organiser
from leveller.phonebank import access, hours, integrations, limits, progress, queue, survey
from leveller.phonebank.campaign_fields import clean_campaign_fields
from leveller.phonebank.models import (
    EXPIRED,
    REACHED,
    RELEASED,
    RETRYABLE,
    Call,
    Campaign,
    CampaignCaller,
    CampaignStatus,
    Contact,
    DoNotCall,
    Outcome,
)
from leveller.privacy import consent
from leveller.privacy.purposes import Purpose
from leveller.push import hooks as push

MAX_CALLBACK_DAYS = 90


_sqlite_writer = threading.RLock()


def serialised(function):
    """`transaction.atomic`, and on SQLite one calling action at a time per process.

    SQLite allows one writer; `BEGIN IMMEDIATE` makes the others wait by polling with sleeps, which starves
    some threads under load. Queueing on a process lock first hands the database over at once and fairly.
    PostgreSQL needs no such lock: SKIP LOCKED lets assignments run side by side.
    """
    atomic = transaction.atomic(function)

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if connection.vendor != "sqlite" or connection.in_atomic_block:
            return atomic(*args, **kwargs)
        with _sqlite_writer:
            return atomic(*args, **kwargs)

    return wrapper


class LeaseLost(Exception):
    """The contact is no longer this caller's: the lease ran out and someone else took it, or it was closed."""

    def __init__(self, message: str = "This contact is no longer yours: the lease ran out or the call was closed."):
        super().__init__(message)
        self.message = message


def _require_campaign_organiser(actor, campaign: Campaign) -> None:
    if not access.is_organiser_of(actor, campaign):
        raise PermissionDenied("Only this campaign's organisers and staff can do that.")


# --- campaigns ----------------------------------------------------------------------------------------------


@transaction.atomic
def create_campaign(*, actor, name: str, **fields) -> Campaign:
    require_organiser(actor)
    callers = fields.pop("callers", None)
    organisers = fields.pop("organisers", None)
    values = clean_campaign_fields({"name": name, **fields}, creating=True)
    campaign = Campaign.objects.create(created_by=actor, **values)
    _set_people(campaign, callers=callers, organisers=organisers)
    campaign.chat_channel_id = integrations.create_campaign_channel(actor=actor, campaign=campaign)
    campaign.save(update_fields=["chat_channel_id"])
    if campaign.status == CampaignStatus.LIVE:  # created live: its callers hear now, as on going live later
        push.calling_started(campaign, access.callers_to_tell(campaign, besides=actor))
    audit.record(actor=actor, action="phonebank.campaign_created", target=campaign, summary=campaign.name)
    return campaign


@transaction.atomic
def update_campaign(*, actor, campaign: Campaign, **changes) -> Campaign:
    _require_campaign_organiser(actor, campaign)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    callers = changes.pop("callers", None)
    organisers = changes.pop("organisers", None)
    was_live = campaign.status == CampaignStatus.LIVE
    merged = {field: getattr(campaign, field) for field in changes}
    merged.update(changes)
    values = clean_campaign_fields(merged, current=campaign)
    for field, value in values.items():
        setattr(campaign, field, value)
    campaign.updated_at = timezone.now()
    campaign.save()
    _set_people(campaign, callers=callers, organisers=organisers)
    if campaign.status == CampaignStatus.LIVE and not was_live:
        push.calling_started(campaign, access.callers_to_tell(campaign, besides=actor))
    audit.record(
        actor=actor,
        action="phonebank.campaign_updated",
        target=campaign,
        summary=campaign.name,
        data={"fields": sorted([*values, *(["callers"] if callers is not None else [])])},
    )
    progress.changed(campaign.pk, kind="campaign")
    return campaign


def _set_people(campaign: Campaign, *, callers, organisers) -> None:
    from leveller.accounts.models import Member

    for relation, ids in (("callers", callers), ("organisers", organisers)):
        if ids is None:
            continue
        members = list(Member.objects.active().filter(pk__in=[int(i) for i in ids]))
        if len(members) != len(set(ids)):
            raise ValidationError(f"Some of the {relation} are not active members.")
        getattr(campaign, relation).set(members)


@transaction.atomic
def set_leaderboard(*, actor, campaign: Campaign, visible: bool) -> CampaignCaller:
    if not access.may_call(actor, campaign):
        raise PermissionDenied("You are not a caller in this campaign.")
    row, _ = CampaignCaller.objects.get_or_create(campaign=campaign, member=actor)
    row.on_leaderboard = visible
    row.save(update_fields=["on_leaderboard"])
    return row


# --- contact lists: upload_contacts, run_import_job and load_batch live in contacts.py ----------------------


# --- calling ----------------------------------------------------------------------------------------------------


def _touch_caller(campaign: Campaign, member, now: dt.datetime) -> tuple[int | None, bool]:
    """Mark the caller present and lock their row (one assignment at a time per caller); return the open call
    id of the contact they already hold here, if any, and whether a call-back promised to them may be due."""
    row = queue.caller_row(campaign, member, now, stale_before=now - dt.timedelta(seconds=30))
    if row is not None:
        row_id, stale, held, due = row
        if stale:
            rawload.update(CampaignCaller, row_id, last_seen_at=now)
        return held, bool(due)
    try:
        with transaction.atomic():
            CampaignCaller.objects.create(campaign=campaign, member=member, joined_at=now, last_seen_at=now)
    except IntegrityError:  # the same caller's parallel first request created it
        pass
    else:
        integrations.join_campaign_channel(campaign=campaign, member=member)
    CampaignCaller.objects.select_for_update().filter(campaign=campaign, member=member).exists()
    return queue.held_by(campaign, member, now), True


def next_contact(*, actor, campaign: Campaign, now: dt.datetime | None = None) -> Call | None:
    """Hand the caller ONE contact under a lease, or None when nobody can be called now.

    A caller who already holds a contact in this campaign gets the same one back (no hoarding); a caller over
    a calling limit (phonebank/limits.py) gets `limits.Limited` and the campaign's organisers an alert."""
    try:
        return _next_contact(actor=actor, campaign=campaign, now=now)
    except limits.Limited as limited:
        limited.alert()  # after the assignment's transaction rolled back, so the alert stays
        raise


@serialised
def _next_contact(*, actor, campaign: Campaign, now: dt.datetime | None) -> Call | None:
    now = now or clock.now()
    if not access.may_call(actor, campaign):
        raise PermissionDenied("You are not a caller in this campaign.")
    if campaign.status != CampaignStatus.LIVE:
        raise ValidationError(f"This campaign is {campaign.get_status_display().lower()}: calling is closed.")
    limits.check_next(actor=actor, campaign=campaign)
    held, callbacks_due = _touch_caller(campaign, actor, now)
    if held is not None:
        call = rawload.first(Call, "id = %s", [held])
        call.campaign, call.contact = campaign, rawload.first(Contact, "id = %s", [call.contact_id])
        _record_view(actor, call)
        return call
    for _ in range(5):
        candidate = queue.pick(campaign, actor, now, callbacks_due=callbacks_due)
        if candidate is None:
            return None
        if not candidate.blocked and consent.permits(Purpose.CAMPAIGN_CALLS, contact=candidate.contact):
            break
        Contact.objects.filter(pk=candidate.id).update(
            done=True, last_outcome=Outcome.DO_NOT_CALL, holder=None, lease_call_id=None, preferred_caller=None
        )
    else:
        return None
    contact = candidate.contact
    limits.check_new_contact(actor=actor, campaign=campaign, contact_id=contact.pk)
    lease_until = now + queue.lease_length()
    if contact.lease_call_id:
        Call.objects.filter(pk=contact.lease_call_id, ended_at__isnull=True).update(outcome=EXPIRED, ended_at=now)
    call = rawload.insert(
        Call(campaign=campaign, contact=contact, caller=actor, started_at=now, lease_expires_at=lease_until)
    )
    rawload.execute(
        "UPDATE phonebank_contact SET holder_id = %s, lease_call_id = %s, available_at = %s WHERE id = %s",
        [actor.pk, call.pk, queue.db_time(lease_until), contact.pk],
    )
    contact.holder_id, contact.lease_call_id, contact.available_at = actor.pk, call.pk, lease_until
    _record_view(actor, call)
    progress.changed(campaign.pk)
    return call


def _record_view(actor, call: Call) -> None:
    audit.record(
        actor=actor,
        action="phonebank.contact_viewed",
        target=call.contact if Call.contact.is_cached(call) else Contact(pk=call.contact_id),
        summary=f"call {call.pk} in campaign {call.campaign_id}",
        data={"call": call.pk},
    )


def record_view(*, actor, call: Call) -> None:
    """Audit a page view of a held contact's details (the assignment itself is audited by next_contact)."""
    _record_view(actor, call)


def record_export(*, actor, campaign: Campaign) -> None:
    _require_campaign_organiser(actor, campaign)
    audit.record(actor=actor, action="phonebank.results_exported", target=campaign, summary=campaign.name)


def _lock_held_contact(call: Call) -> Contact:
    contact = rawload.first(Contact, "id = %s", [call.contact_id], lock=True)
    if contact is None or call.ended_at is not None or contact.lease_call_id != call.pk:
        raise LeaseLost()
    call.contact = contact
    return contact


@serialised
def record_outcome(
    *, actor, call: Call, outcome: str, answers: dict | None = None, callback_at=None, now: dt.datetime | None = None
) -> Call:
    now = now or clock.now()
    if call.caller_id != actor.pk:
        raise PermissionDenied("This is not your call.")
    if outcome not in Outcome.values:
        raise ValidationError(f"{outcome!r} is not an outcome: use one of {', '.join(Outcome.values)}.")
    campaign = call.campaign
    contact = _lock_held_contact(call)
    cleaned = survey.clean_answers(campaign.questions, answers) if outcome == Outcome.ANSWERED else {}
    when = _clean_callback(campaign, contact, callback_at, now) if outcome == Outcome.CALL_BACK else None

    attempts = contact.attempts + 1
    changes: dict[str, Any] = {
        "attempts": attempts,
        "last_outcome": outcome,
        "last_called_at": now,
        "holder": None,
        "lease_call_id": None,
        "preferred_caller": None,
        "callback_at": None,
        "reached": contact.reached or outcome in REACHED,
    }
    if outcome in RETRYABLE and attempts < campaign.max_attempts:
        changes["available_at"] = now + dt.timedelta(minutes=campaign.retry_after_minutes)
    elif outcome == Outcome.CALL_BACK:
        changes.update(available_at=when, preferred_caller=actor, callback_at=when)
    else:
        changes["done"] = True
    rawload.update(Contact, contact.pk, **changes)
    call.ended_at, call.outcome, call.answers, call.callback_at = now, outcome, cleaned, when
    rawload.update(Call, call.pk, ended_at=now, outcome=outcome, answers=cleaned, callback_at=when)
    if outcome == Outcome.DO_NOT_CALL:
        _add_do_not_call(actor=actor, phone_e164=contact.phone_e164, campaign=campaign)
        from leveller.privacy.actions.consent import withdrawn_on_call

        withdrawn_on_call(actor=actor, contact=contact)
    progress.changed(campaign.pk)
    return call


def _clean_callback(campaign: Campaign, contact: Contact, value, now: dt.datetime) -> dt.datetime:
    """A call-back time: aware, or naive and read in the CONTACT's time zone; in the future, in calling hours."""
    if value in (None, ""):
        raise ValidationError("Say when to call back.")
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(f"{value!r} is not a date and time such as 2025-06-01T18:30.") from None
    if not isinstance(value, dt.datetime):
        raise ValidationError("The call-back time must be a date and time.")
    try:
        if timezone.is_naive(value):
            value = value.replace(tzinfo=hours.zone(contact.time_zone))
        value = value.astimezone(dt.UTC)
    except (OverflowError, ValueError):  # year 1 or 9999 shifted out of range by the zone
        raise ValidationError("The call-back time is out of range.") from None
    if value <= now:
        raise ValidationError("The call-back time is in the past.")
    if value > now + dt.timedelta(days=MAX_CALLBACK_DAYS):
        raise ValidationError(f"Call-backs can be at most {MAX_CALLBACK_DAYS} days ahead.")
    if not hours.is_open(campaign, contact.time_zone, value):
        raise ValidationError(f"That time is outside calling hours ({hours.describe(campaign)}).")
    return value


def release_call(*, actor, call: Call, now: dt.datetime | None = None) -> Call:
    """ "I can't call now": the contact goes back to the queue, kept for this caller during the cool-down (their
    next `next` hands it back; nobody else gets it until the cool-down ends), so next/release loops cannot walk
    the list. Limited per caller (phonebank/limits.py)."""
    try:
        return _release_call(actor=actor, call=call, now=now)
    except limits.Limited as limited:
        limited.alert()
        raise


@serialised
def _release_call(*, actor, call: Call, now: dt.datetime | None) -> Call:
    now = now or clock.now()
    if call.caller_id != actor.pk:
        raise PermissionDenied("This is not your call.")
    contact = Contact.objects.select_for_update().get(pk=call.contact_id)
    if call.ended_at is None:
        limits.check_release(actor=actor, campaign=call.campaign)
        call.ended_at, call.outcome = now, RELEASED
        call.save(update_fields=["ended_at", "outcome"])
    if contact.lease_call_id == call.pk:
        # Promised to this caller as a call-back is (queue._MINE / _ANYONE): others skip it while
        # callback_at + grace is ahead, i.e. until the cool-down ends.
        Contact.objects.filter(pk=contact.pk).update(
            holder=None,
            lease_call_id=None,
            available_at=now,
            preferred_caller=actor,
            callback_at=now + limits.cooldown() - queue.callback_grace(),
        )
        progress.changed(call.campaign_id)
    return call


@transaction.atomic
def add_do_not_call(*, actor, phone_e164: str, campaign: Campaign | None = None) -> DoNotCall:
    if campaign is not None:
        _require_campaign_organiser(actor, campaign)
    else:
        require_organiser(actor)
    return _add_do_not_call(actor=actor, phone_e164=phone_e164, campaign=campaign)


def _add_do_not_call(*, actor, phone_e164: str, campaign: Campaign | None) -> DoNotCall:
    entry, created = DoNotCall.objects.get_or_create(
        phone_e164=phone_e164, defaults={"added_by": actor, "source_campaign": campaign}
    )
    elsewhere = Contact.objects.filter(phone_e164=phone_e164, done=False)
    affected = set(elsewhere.values_list("campaign_id", flat=True))
    elsewhere.update(
        done=True, last_outcome=Outcome.DO_NOT_CALL, holder=None, lease_call_id=None, preferred_caller=None
    )
    for campaign_id in affected:
        progress.changed(campaign_id)
    if created:
        audit.record(actor=actor, action="phonebank.do_not_call_added", target=entry, summary="number added")
    return entry
