"""Erasure: a member asks, staff approve or refuse (or it runs by itself after the grace period), then every
domain's eraser runs, in one transaction (see leveller.privacy.erasure for what goes and what stays)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from leveller.core import audit
from leveller.core.mail import send_templated
from leveller.privacy import policy, registry, scrub, suppression
from leveller.privacy.erasure import is_erased
from leveller.privacy.models import ErasureRequest, ErasureStatus

if TYPE_CHECKING:
    from leveller.accounts.models import Member


@transaction.atomic
def request_erasure(*, actor: Member, reason: str = "", delete_content: bool = False) -> ErasureRequest:
    """The member asks to be erased. Staff decide; if nobody does within the grace period, it runs."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied("Log in first.")
    open_request = ErasureRequest.objects.filter(member_ref=actor.pk, status=ErasureStatus.REQUESTED).first()
    if open_request is not None:
        return open_request
    now = timezone.now()
    request = ErasureRequest.objects.create(
        member=actor,
        member_ref=actor.pk,
        requested_by=actor,
        reason=(reason or "").strip()[:2000],
        delete_content=delete_content,
        requested_at=now,
        due_at=now + dt.timedelta(days=settings.PRIVACY_ERASURE_GRACE_DAYS),
    )
    audit.record(actor=actor, action="privacy.erasure_requested", target=actor, data={"request": request.pk})
    send_templated(
        to=actor.email, template="privacy/email/erasure_requested", context={"member": actor, "due": request.due_at}
    )
    return request


@transaction.atomic
def cancel_erasure(*, actor: Member, request: ErasureRequest) -> ErasureRequest:
    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if request.member_ref != actor.pk and not actor.is_staff_member:
        raise PermissionDenied("This is not your request.")
    if request.status != ErasureStatus.REQUESTED:
        raise ValidationError("This request is no longer open.")
    request.status, request.decided_at = ErasureStatus.CANCELLED, timezone.now()
    request.save(update_fields=["status", "decided_at"])
    audit.record(actor=actor, action="privacy.erasure_cancelled", target=request.member, data={"request": request.pk})
    return request


@transaction.atomic
def decide_erasure(*, actor: Member, request: ErasureRequest, approve: bool, note: str = "") -> ErasureRequest:
    """Staff approve (it runs now) or refuse (with a reason the member is told, e.g. an ongoing dispute)."""
    if not actor.is_staff_member:
        raise PermissionDenied("Only staff can decide erasure requests.")
    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ErasureStatus.REQUESTED:
        raise ValidationError("This request was already decided.")
    if request.member_ref == actor.pk:
        raise ValidationError("Another member of staff must decide your own request.")
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError("Say why the request is refused: the member is told.")
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note[:2000]
    if not approve:
        request.status = ErasureStatus.REJECTED
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit.record(actor=actor, action="privacy.erasure_refused", target=request.member, summary=note[:300])
        if request.member is not None and request.member.is_active:
            send_templated(
                to=request.member.email,
                template="privacy/email/erasure_refused",
                context={"member": request.member, "note": note},
            )
        return request
    request.status = ErasureStatus.APPROVED
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(actor=actor, action="privacy.erasure_approved", target=request.member, data={"request": request.pk})
    _run(actor=actor, request=request)
    return request


def run_due_erasures(*, now: dt.datetime | None = None) -> int:
    """The daily run: requests nobody decided within the grace period are carried out."""
    now = now or timezone.now()
    done = 0
    for request in ErasureRequest.objects.filter(status=ErasureStatus.REQUESTED, due_at__lte=now):
        with transaction.atomic():
            locked = ErasureRequest.objects.select_for_update().filter(pk=request.pk, status=ErasureStatus.REQUESTED)
            request = locked.first()
            if request is None:
                continue
            request.status = ErasureStatus.APPROVED
            request.save(update_fields=["status"])
            audit.record(actor=None, action="privacy.erasure_due", target=request.member, data={"request": request.pk})
            _run(actor=None, request=request)
            done += 1
    return done


def _run(*, actor: Member | None, request: ErasureRequest) -> None:
    from leveller.accounts.models import Member

    member = Member.objects.filter(pk=request.member_ref).first()
    counts = erase_member(actor=actor, member=member, delete_content=request.delete_content) if member else {}
    request.status, request.erased_at, request.counts = ErasureStatus.DONE, timezone.now(), counts
    request.save(update_fields=["status", "erased_at", "counts"])


@transaction.atomic
def erase_member(
    *, actor: Member | None, member: Member, delete_content: bool = False, suppress: bool = True
) -> dict[str, int]:
    """Erase one member now (staff approval, the daily run, `leveller member erase EMAIL --yes`, retention)."""
    if actor is not None and getattr(actor, "pk", None):
        if not actor.is_staff_member:
            raise PermissionDenied("Only staff can erase a member.")
        if actor.pk == member.pk:
            raise ValidationError("You cannot erase yourself: ask another member of staff.")
        if member.is_admin and not actor.is_admin:
            raise PermissionDenied("Only admins can erase an admin.")
    if is_erased(member):
        return {}
    asked = delete_content
    delete_content = policy.delete_content(asked=asked)
    identity = registry.Identity(
        member_id=member.pk, email=member.email, phone=member.phone, display_name=member.display_name
    )
    counts: dict[str, int] = {}
    for step in registry.erasers():
        for key, value in (step.step(member, delete_content=delete_content, identity=identity) or {}).items():
            counts[key] = counts.get(key, 0) + value
    if suppress:
        counts["suppression entries"] = suppression.add(email=identity.email, phone=identity.phone)
    audit.record(
        actor=actor,
        action="privacy.member_erased",
        target=member,
        summary="erased" + (" with what they wrote" if delete_content else ""),
        data={"counts": counts, "asked_to_delete_content": asked, "deleted_content": delete_content},
    )
    scrubbed = scrub.scrub(identity.needles)
    counts["other copies blanked"] = sum(scrubbed.values())
    ErasureRequest.objects.filter(member_ref=member.pk, status__in=[ErasureStatus.REQUESTED]).update(
        status=ErasureStatus.DONE, erased_at=timezone.now(), counts=counts
    )
    return counts
