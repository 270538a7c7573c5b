"""Consent per purpose: recording it (form, import, call, admin), withdrawing it, and the ONE check every
sending path makes before it emails, pushes, phones or exports anyone: `permits(purpose, ...)`.

The rule, in order: a suppressed address or number never; the person's latest recorded decision for that
purpose; for phonebank contacts, the do-not-call list and the lawful basis their list was imported on; and
otherwise the purpose's default (opt-in purposes need a recorded yes, opt-out ones run until withdrawn).
`permitted(purpose, members)` applies the same rule to a queryset, for sends that fan out.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from leveller.core import audit
from leveller.privacy import suppression
from leveller.privacy.models import Consent, ImportRecord
from leveller.privacy.purposes import PURPOSES, Basis, Method, Purpose, info


def _latest(**subject) -> Consent | None:
    return Consent.objects.filter(**subject).order_by("-recorded_at", "-id").first()


def permits(purpose: str | None, *, member=None, contact=None, email: str = "", phone: str = "") -> bool:
    """May we reach this person for this purpose now? The one check for emails, pushes, calls and exports.
    `purpose=None` is a service message (purposes.SENDING_PATHS says which): only an inactive (erased or
    deactivated) member or a suppressed address stops it."""
    if member is not None:
        email, phone = email or member.email, phone or member.phone
        if not member.is_active:
            return False
    if contact is not None:
        phone = phone or contact.phone_e164
    if suppression.is_suppressed(email=email, phone=phone):
        return False
    if purpose is None:
        return True
    details = info(purpose)
    if purpose == Purpose.NEWSLETTER:
        # The newsletter keeps its own consent record (double opt-in, wording, unsubscribes); decisions made
        # here are applied to it (see _apply), so it is the one answer.
        return bool(email) and _newsletter_subscribed(email)
    if member is not None:
        latest = _latest(member=member, purpose=purpose)
        if latest is not None:
            return latest.granted
        return not details.opt_in
    if contact is not None:
        latest = _latest(contact=contact, purpose=purpose)
        if latest is not None:
            return latest.granted
        if purpose == Purpose.CAMPAIGN_CALLS and _on_do_not_call(phone):
            return False
        record = _import_record_for_campaign(contact.campaign_id)
        if record is not None and record.basis == Basis.CONSENT:
            return purpose in record.purposes
        return not details.opt_in
    if purpose == Purpose.CAMPAIGN_CALLS and phone and _on_do_not_call(phone):
        return False
    return not details.opt_in


def permitted(purpose: str | None, members: QuerySet) -> QuerySet:
    """The members of `members` that `permits(purpose, member=...)` allows, in one query (for fan-out sends).
    Suppressed members were erased (their row holds no address any more), so the active filter covers them."""
    if purpose is None:
        return members.filter(is_active=True)
    details = info(purpose)
    if purpose == Purpose.NEWSLETTER:
        from leveller.newsletter.models import Subscriber, SubscriberStatus

        subscribed = Subscriber.objects.filter(status=SubscriberStatus.SUBSCRIBED).values("email")
        return members.filter(is_active=True, email__in=subscribed)
    latest = Consent.objects.filter(member=OuterRef("pk"), purpose=purpose).order_by("-recorded_at", "-id")
    members = members.filter(is_active=True).annotate(_consent=Subquery(latest.values("granted")[:1]))
    if details.opt_in:
        return members.filter(_consent=True)
    return members.filter(Q(_consent__isnull=True) | Q(_consent=True))


def _newsletter_subscribed(email: str) -> bool:
    from leveller.newsletter.models import Subscriber, SubscriberStatus

    return Subscriber.objects.filter(email__iexact=email, status=SubscriberStatus.SUBSCRIBED).exists()


def _on_do_not_call(phone: str) -> bool:
    from leveller.phonebank.models import DoNotCall

    return DoNotCall.objects.filter(phone_e164=phone).exists()


def _import_record_for_campaign(campaign_id: int) -> ImportRecord | None:
    return ImportRecord.objects.filter(kind="phonebank.contacts", object_id=str(campaign_id)).first()


# --- recording ----------------------------------------------------------------------------------------------


@transaction.atomic
def record(
    *,
    actor,
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
    actor,
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


def _authorise(actor, *, member, contact, method: str) -> None:
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


def _apply(actor, row: Consent) -> None:
    """Make the decision bite where the domain keeps its own list (the newsletter, the do-not-call list)."""
    subject = {"member_id": row.member_id} if row.member_id else {"contact_id": row.contact_id}
    if _latest(purpose=row.purpose, **subject) != row:
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


def set_member_choices(*, actor, member, choices: dict[str, bool], method: str = Method.FORM, source: str = "") -> int:
    """A settings form: record a row only for purposes whose answer changed. Returns how many changed."""
    changed = 0
    for purpose, granted in choices.items():
        if purpose not in PURPOSES:
            raise ValidationError(f"Unknown purpose {purpose!r}.")
        if permits(purpose, member=member) != granted:
            record(actor=actor, purpose=purpose, granted=granted, method=method, member=member, source=source)
            changed += 1
    return changed


def current(member) -> list[dict]:
    """Each purpose with the member's current answer and the record behind it (for settings and the export)."""
    rows = []
    for purpose, details in PURPOSES.items():
        latest = _latest(member=member, purpose=purpose)
        rows.append(
            {
                "purpose": purpose,
                "label": Purpose(purpose).label,
                "wording": details.wording,
                "opt_in": details.opt_in,
                "allowed": permits(purpose, member=member),
                "latest": latest,
            }
        )
    return rows


def history(*, member=None, contact=None) -> QuerySet:
    """Every recorded decision about one member or one contact, newest first (for their record's page)."""
    subject = {"member": member} if member is not None else {"contact": contact}
    return Consent.objects.filter(**subject).select_related("recorded_by").order_by("-recorded_at", "-id")


def contact_current(contact) -> list[dict]:
    """Each purpose with a contact's current answer (for the organiser's page)."""
    return [
        {
            "purpose": purpose,
            "label": Purpose(purpose).label,
            "wording": details.wording,
            "allowed": permits(purpose, contact=contact),
            "latest": _latest(contact=contact, purpose=purpose),
        }
        for purpose, details in PURPOSES.items()
    ]


def may_manage_contact(actor, contact) -> bool:
    from leveller.phonebank.access import is_organiser_of

    return bool(getattr(actor, "pk", None)) and is_organiser_of(actor, contact.campaign)


def has_withdrawn_anything(member) -> bool:
    return Consent.objects.filter(member=member, granted=False).exists()


@transaction.atomic
def record_import(
    *,
    actor,
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


def withdrawn_on_call(*, actor, contact) -> Consent:
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
