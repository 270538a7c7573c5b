"""Consent per purpose: recording it (form, import, call, admin), withdrawing it, and the ONE check every
sending path makes before it emails, pushes, phones or exports anyone: `permits(purpose, ...)`.

The rule, in order: a suppressed address or number never; the person's latest recorded decision for that
purpose; for phonebank contacts, the do-not-call list and the lawful basis their list was imported on; and
otherwise the purpose's default (opt-in purposes need a recorded yes, opt-out ones run until withdrawn).
`permitted(purpose, members)` applies the same rule to a queryset, for sends that fan out. Recording a
decision (and an import's lawful basis) is in actions/consent.py.
"""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery

from leveller.privacy import suppression
from leveller.privacy.models import Consent, ImportRecord
from leveller.privacy.purposes import PURPOSES, Basis, Purpose, info


def latest_decision(**subject) -> Consent | None:
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
        latest = latest_decision(member=member, purpose=purpose)
        if latest is not None:
            return latest.granted
        return not details.opt_in
    if contact is not None:
        latest = latest_decision(contact=contact, purpose=purpose)
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


def current(member) -> list[dict]:
    """Each purpose with the member's current answer and the record behind it (for settings and the export)."""
    rows = []
    for purpose, details in PURPOSES.items():
        latest = latest_decision(member=member, purpose=purpose)
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
            "latest": latest_decision(contact=contact, purpose=purpose),
        }
        for purpose, details in PURPOSES.items()
    ]


def may_manage_contact(actor, contact) -> bool:
    from leveller.phonebank.access import is_organiser_of

    return bool(getattr(actor, "pk", None)) and is_organiser_of(actor, contact.campaign)


def has_withdrawn_anything(member) -> bool:
    return Consent.objects.filter(member=member, granted=False).exists()
