"""Recording consent: a member's own choices, a decision written down by hand (a call, a paper form, a
letter), what a contact said on a call, and the lawful basis of every import. The check every sending path
makes is leveller.privacy.consent.permits."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from leveller.core import audit
from leveller.privacy.consent import latest_decision, may_manage_contact, permits
from leveller.privacy.models import Consent, ImportRecord
from leveller.privacy.purposes import PURPOSES, Basis, Method, Purpose, info

if TYPE_CHECKING:
    from leveller.accounts.models import Member


@transaction.atomic
def record(
    *,
    actor: Member | None,
    purpose: str,
    granted: bool,
    method: str,
    member=None,
    contact=None,
    wording: str = "",
    basis: str = "",
    source: str = "",
    recorded_at=None,
) -> Consent:
    """Record a decision. Members decide for themselves; staff record what someone said by post or phone;
    callers record what a contact said on the call (method "call"). `recorded_at` is when the person said it,
    for a decision written down afterwards (a paper form, a call); never in the future."""
    details = info(purpose)
    if recorded_at is not None and recorded_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError("When the person gave or withdrew consent cannot be in the future.")
    if method not in Method.values:
        raise ValidationError(f"{method!r} is not a way of giving consent: use {', '.join(Method.values)}.")
    if (member is None) == (contact is None):
        raise ValueError("record consent for exactly one member or one contact")
    _authorise(actor, member=member, contact=contact, method=method)
    row = Consent.objects.create(
        member=member,
        contact=contact,
        purpose=purpose,
        granted=granted,
        method=method,
        wording=(wording or details.wording).strip(),
        basis=basis or (Basis.CONSENT if granted else details.basis),
        source=source[:200],
        recorded_by=actor if getattr(actor, "pk", None) else None,
        recorded_at=recorded_at or timezone.now(),
    )
    audit.record(
        actor=actor,
        action="privacy.consent_given" if granted else "privacy.consent_withdrawn",
        target=member or contact,
        summary=f"{purpose} by {method}" + (f" ({source[:80]})" if source else ""),
        data={"purpose": purpose, "method": method, "consent": row.pk, "said_at": row.recorded_at.isoformat()},
    )
    _apply(actor, row)
    return row


BY_HAND_METHODS = (Method.CALL, Method.FORM, Method.ADMIN)


def record_by_hand(
    *,
    actor: Member,
    purpose: str,
    granted: bool,
    method: str,
    wording: str,
    source: str,
    member=None,
    contact=None,
    recorded_at=None,
) -> Consent:
    """A decision someone made away from Leveller (on a phone call, on a paper form, in a letter), written down
    by an organiser of the contact's campaign or by staff: how, when, and the words they were given are all
    required, so the record shows what they agreed to."""
    if method not in BY_HAND_METHODS:
        raise ValidationError("Say how they told you: on a call, on a paper form, or by letter or email (admin).")
    if not (wording or "").strip():
        raise ValidationError("Write the exact words they were read or shown (or what they said).")
    if not (source or "").strip():
        raise ValidationError("Say where this happened (e.g. 'paper form at the 3 May stall', 'call on 2 May').")
    if recorded_at is not None and timezone.is_naive(recorded_at):
        recorded_at = timezone.make_aware(recorded_at)
    if recorded_at is not None and recorded_at.year < 2000:
        raise ValidationError("Give the date they said it (this century).")
    if member is not None and not getattr(actor, "is_staff_member", False):
        raise PermissionDenied("Only staff can record a member's consent for them.")
    if contact is not None and not may_manage_contact(actor, contact):
        raise PermissionDenied("Only organisers of this campaign can record this contact's consent.")
    return record(
        actor=actor,
        purpose=purpose,
        granted=granted,
        method=method,
        member=member,
        contact=contact,
        wording=wording,
        source=" ".join(source.split()),
        recorded_at=recorded_at,
    )


def _authorise(actor: Member | None, *, member, contact, method: str) -> None:
    if actor is None or not getattr(actor, "pk", None):
        return  # the system: imports, sign-up confirmations, commands
    if member is not None and actor.pk == member.pk:
        return
    if member is not None and actor.is_staff_member:
        return
    if contact is not None:
        from leveller.phonebank.access import is_organiser_of

        if method == Method.CALL and contact.holder_id == actor.pk:
            return
        if is_organiser_of(actor, contact.campaign):
            return
    raise PermissionDenied("You may not record consent for this person.")


def _apply(actor: Member | None, row: Consent) -> None:
    """Make the decision bite where the domain keeps its own list (the newsletter, the do-not-call list)."""
    subject = {"member_id": row.member_id} if row.member_id else {"contact_id": row.contact_id}
    if latest_decision(purpose=row.purpose, **subject) != row:
        return  # written down late (a paper form) and overtaken by a later decision: the later one stands
    if row.purpose == Purpose.NEWSLETTER and row.member_id:
        from leveller.newsletter.actions import subscriptions

        if row.granted:
            subscriptions.subscribe_member(actor=row.member)
        else:
            subscriber = subscriptions.subscription_for(row.member)
            if subscriber is not None:
                subscriptions.unsubscribe(actor=None, subscriber=subscriber, how="consent withdrawn")
    if row.purpose == Purpose.CAMPAIGN_CALLS and not row.granted:
        from leveller.phonebank.actions.calls import _add_do_not_call

        phone = row.contact.phone_e164 if row.contact_id else row.member.phone
        if phone:
            _add_do_not_call(actor=actor if getattr(actor, "pk", None) else None, phone_e164=phone, campaign=None)


def set_member_choices(
    *, actor: Member | None, member: Member, choices: dict[str, bool], method: str = Method.FORM, source: str = ""
) -> int:
    """A settings form: record a row only for purposes whose answer changed. Returns how many changed."""
    changed = 0
    for purpose, granted in choices.items():
        if purpose not in PURPOSES:
            raise ValidationError(f"Unknown purpose {purpose!r}.")
        if permits(purpose, member=member) != granted:
            record(actor=actor, purpose=purpose, granted=granted, method=method, member=member, source=source)
            changed += 1
    return changed


@transaction.atomic
def record_import(
    *,
    actor: Member | None,
    kind: str,
    basis: str,
    source: str,
    object_id: str = "",
    purposes: list[str] | None = None,
    wording: str = "",
    rows: int = 0,
    refused_suppressed: int = 0,
) -> ImportRecord:
    """Every import says on what lawful basis, and from where, it brings people in."""
    if basis not in Basis.values:
        raise ValidationError(f"Say on what lawful basis this list is held: one of {', '.join(Basis.values)}.")
    source = " ".join((source or "").split())
    if not source:
        raise ValidationError("Say where this list came from (e.g. 'petition at the 2026 conference').")
    purposes = list(purposes or [])
    for purpose in purposes:
        info(purpose)
    if basis == Basis.CONSENT and not wording.strip():
        raise ValidationError("A list held on consent needs the wording people agreed to.")
    record_ = ImportRecord.objects.create(
        kind=kind,
        object_id=object_id,
        basis=basis,
        source=source[:300],
        purposes=purposes,
        wording=wording.strip(),
        rows=rows,
        refused_suppressed=refused_suppressed,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        actor=actor,
        action="privacy.import_recorded",
        summary=f"{kind} {object_id}: {basis}, {source}"[:300],
        data={"import": record_.pk, "basis": basis},
    )
    return record_


CALL_WITHDRAWAL_WORDING = "Told the caller not to call again (recorded as 'Do not call')."


def withdrawn_on_call(*, actor: Member | None, contact) -> Consent:
    """A contact said "don't call me" on a call: the phonebank has put the number on its do-not-call list;
    this is the consent record of it (how: on a call, by whom, when)."""
    return Consent.objects.create(
        contact=contact,
        purpose=Purpose.CAMPAIGN_CALLS,
        granted=False,
        method=Method.CALL,
        wording=CALL_WITHDRAWAL_WORDING,
        basis=Basis.LEGITIMATE_INTERESTS,
        source=f"call in campaign {contact.campaign_id}",
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
