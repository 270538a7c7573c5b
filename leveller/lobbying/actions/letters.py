"""Writing a letter to an MP, confirming it (writers who were not logged in), moderating it, and recording
what happened when it was sent. The sending itself is a background task (tasks.deliver_letter)."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from leveller.accounts.models import Member, Role, Status
from leveller.accounts.validation import clean_email
from leveller.core import audit
from leveller.core.mail import send_templated
from leveller.lobbying import geography, letters_text, tokens
from leveller.lobbying.access import may_manage_campaign
from leveller.lobbying.actions.campaigns import is_target
from leveller.lobbying.models import HOLDING_STATES, Campaign, Letter, LetterState, Reply

SUPPORTER_WORDING = (
    "Send this letter in my name, with my email address for replies, and keep my name, email and postcode as a "
    "supporter so you can tell me how the campaign goes. I can ask for them to be deleted at any time."
)


@dataclass(frozen=True)
class Writer:
    """Who is writing: a logged-in member, or someone giving their name and email on the public page."""

    member: Member | None
    name: str
    email: str


def _writer(actor, name: str, email: str, consent: bool) -> Writer:
    if actor is not None and getattr(actor, "is_authenticated", False):
        if not actor.is_active:
            raise PermissionDenied("Your account is not active.")
        return Writer(actor, " ".join((name or actor.display_name).split())[:120], actor.email.lower())
    errors = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = "Enter your name: the MP needs to know who is writing."
    elif len(name) > 120:
        errors["name"] = "Keep your name under 120 characters."
    try:
        email = clean_email(email)
    except ValidationError as error:
        errors["email"] = error.messages[0]
    if not consent:
        errors["consent"] = "Tick the box to agree, so we can send the letter in your name."
    if errors:
        raise ValidationError(errors)
    return Writer(None, name, email)


def _seat_for(campaign: Campaign, postcode: str, code: str) -> tuple[str, geography.Constituency]:
    found = geography.lookup(postcode)
    if len(found.postcode.replace(" ", "")) < 5:
        raise ValidationError({"postcode": "Enter your full postcode, such as SW1A 1AA: MPs answer constituents."})
    own = {c.constituency.code for c in found.candidates}
    settled = found.match == "exact" or not found.ambiguous  # the exact table answers unless the writer chose
    code = (code or "").strip().upper() or (found.best.constituency.code if settled else "")
    if not code:
        raise ValidationError({"constituency_code": "Your postcode is in more than one constituency: choose yours."})
    seat = geography.constituency(code)
    if seat is None:
        raise ValidationError({"constituency_code": f"{code} is not a constituency code."})
    if campaign.own_mp_only and code not in own:
        raise ValidationError(
            {
                "constituency_code": f"This campaign writes to your own MP only, and {found.postcode} is not in "
                f"{seat.name}."
            }
        )
    if not is_target(campaign, seat):
        who = f"{seat.mp.name} ({seat.mp.party})" if seat.mp else "The MP there"
        raise ValidationError({"constituency_code": f"{who}, MP for {seat.name}, is not one this campaign writes to."})
    if seat.mp is None or not seat.mp.email:
        name = seat.mp.name if seat.mp else f"The MP for {seat.name}"
        raise ValidationError(
            {
                "constituency_code": f"{name} publishes no email address. Write to them at the House of Commons, "
                "London SW1A 0AA."
            }
        )
    return found.postcode, seat


def _check_cap(email: str, now: dt.datetime) -> None:
    since = now - dt.timedelta(hours=24)
    sent = Letter.objects.filter(writer_email=email, created_at__gte=since).count()
    if sent >= settings.LOBBYING_DAILY_CAP:
        raise ValidationError(
            f"You have written {sent} letters in the last 24 hours, the most we send for one person in a day. "
            "Try again tomorrow."
        )


def _check_once(campaign: Campaign, email: str, seat: geography.Constituency, now: dt.datetime) -> None:
    held = Letter.objects.filter(
        campaign=campaign, writer_email=email, constituency_code=seat.code, state__in=HOLDING_STATES
    )
    held.filter(state=LetterState.UNCONFIRMED, created_at__lt=now - unconfirmed_lifetime()).delete()
    if held.filter(state=LetterState.UNCONFIRMED).exists():
        raise ValidationError(
            f"You have already written to {seat.mp.name} in this campaign: we emailed you a link to confirm it. "
            "Check your inbox (and spam folder)."
        )
    if held.exists():
        raise ValidationError(f"You have already written to {seat.mp.name} in this campaign: one letter per MP.")


def unconfirmed_lifetime() -> dt.timedelta:
    return dt.timedelta(days=tokens.CONFIRM_DAYS)


def purge_unconfirmed(*, now: dt.datetime | None = None) -> int:
    """Delete letters whose writer never confirmed their email within CONFIRM_DAYS: never sent, not kept."""
    now = now or timezone.now()
    stale = Letter.objects.filter(state=LetterState.UNCONFIRMED, created_at__lt=now - unconfirmed_lifetime())
    return stale.delete()[0]


@transaction.atomic
def write_letter(
    *,
    actor,
    campaign: Campaign,
    postcode: str,
    address: str,
    personal: str,
    letter: str = "",
    town: str = "",
    constituency_code: str = "",
    name: str = "",
    email: str = "",
    consent: bool = False,
    newsletter: bool = False,
    now: dt.datetime | None = None,
) -> Letter:
    """Check everything, then save the letter: queued for sending (a member), waiting for moderation, or
    waiting for a writer who is not logged in to confirm their email. Raises ValidationError, saving nothing."""
    now = now or timezone.now()
    campaign = Campaign.objects.get(pk=campaign.pk)  # as it is now (it may have closed since the page loaded)
    if not campaign.is_open(now):
        raise ValidationError("This campaign is not open for letters.")
    writer = _writer(actor, name, email, consent)
    errors = {}
    address = "\n".join(line.strip() for line in (address or "").strip().splitlines() if line.strip())
    if not address:
        errors["address"] = "Enter your address: MPs reply only to their constituents, and check."
    elif len(address) > 500:
        errors["address"] = "Keep your address under 500 characters."
    town = " ".join((town or "").split())[:80]
    try:
        personal = letters_text.clean_personal(personal)
    except ValidationError as error:
        errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
    try:
        postcode, seat = _seat_for(campaign, postcode, constituency_code)
    except ValidationError as error:
        if hasattr(error, "message_dict"):
            errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
        else:
            errors["postcode"] = " ".join(error.messages)
    if errors:
        raise ValidationError(errors)
    _check_once(campaign, writer.email, seat, now)
    _check_cap(writer.email, now)
    values = {
        "mp_name": seat.mp.name,
        "constituency": seat.name,
        "member_name": writer.name,
        "member_town": town or seat.name,
    }
    body = letters_text.compose(letter or campaign.template, personal, values)
    if len(body) > 30_000:
        raise ValidationError({"letter": "The letter is too long: keep it under 30,000 characters."})
    subject = letters_text.fill(campaign.subject, values).replace(letters_text.PERSONAL, "")[:200]
    if writer.member is None:
        state = LetterState.UNCONFIRMED
    else:
        state = LetterState.MODERATION if campaign.moderated else LetterState.QUEUED
    row = Letter(
        campaign=campaign,
        writer=writer.member,
        writer_name=writer.name,
        writer_email=writer.email,
        address=address,
        town=town,
        postcode=postcode,
        constituency_code=seat.code,
        constituency_name=seat.name,
        mp_name=seat.mp.name,
        mp_party=seat.mp.party,
        mp_email=seat.mp.email,
        subject=subject,
        body=body,
        personal=personal,
        state=state,
        created_at=now,
        confirmed_at=now if writer.member else None,
    )
    if writer.member is None:
        row.consent_at, row.consent_wording = now, SUPPORTER_WORDING
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # the same letter sent twice at once: the constraint keeps one
        raise ValidationError(f"You have already written to {seat.mp.name} in this campaign: one letter per MP.")
    audit.record(actor=writer.member, action="lobbying.letter_written", target=row, summary=f"to {seat.code}")
    if state == LetterState.UNCONFIRMED:
        send_templated(
            to=writer.email,
            template="lobbying/email/confirm",
            context={"letter": row, "campaign": campaign, "link": tokens.confirm_url(row.pk)},
        )
        if newsletter:
            _ask_newsletter(writer, postcode)
        _schedule_purge(now + unconfirmed_lifetime() + dt.timedelta(minutes=5))
    elif state == LetterState.QUEUED:
        _queue(row)
    return row


def _ask_newsletter(writer: Writer, postcode: str) -> None:
    from leveller.newsletter.actions import subscriptions

    # The letter matters more than the newsletter; the form checked the same fields.
    with contextlib.suppress(ValidationError):
        subscriptions.request_subscription(
            actor=None, email=writer.email, name=writer.name, postcode=postcode, source="lobbying letter"
        )


def _schedule_purge(at: dt.datetime) -> None:
    from django_tasks import task_backends

    from leveller.lobbying.tasks import purge_unconfirmed_letters

    if getattr(task_backends[purge_unconfirmed_letters.backend], "supports_defer", False):
        transaction.on_commit(lambda: purge_unconfirmed_letters.using(run_after=at).enqueue())


def _queue(letter: Letter) -> None:
    from leveller.lobbying.tasks import deliver_letter

    letter_id = letter.pk
    transaction.on_commit(lambda: deliver_letter.enqueue(letter_id=letter_id))


def _supporter_for(letter: Letter) -> Member:
    from leveller.accounts.actions import members as accounts

    member = Member.objects.filter(email__iexact=letter.writer_email).first()
    if member is not None:
        return member
    postcode = letter.postcode if len(letter.postcode) > 4 else ""
    member, _ = accounts.add_or_update_member(
        actor=None,
        email=letter.writer_email,
        display_name=letter.writer_name,
        roles=[Role.GUEST],
        status=Status.SUPPORTER,
        postcode=postcode,
    )
    audit.record(
        actor=None, action="lobbying.supporter_joined", target=member, summary=f"consented on letter {letter.pk}"
    )
    return member


@transaction.atomic
def confirm_letter(*, token: str) -> Letter:
    """The writer clicked the link in their email: they become a supporter (unless already a member), and the
    letter goes to moderation or is sent."""
    letter_id = tokens.letter_for_confirm(token)
    letter = Letter.objects.select_for_update().filter(pk=letter_id).first() if letter_id else None
    if letter is None:
        raise ValidationError("This link has expired or is not valid. Write the letter again to get a new one.")
    if letter.state != LetterState.UNCONFIRMED:
        return letter
    campaign = letter.campaign
    if not campaign.is_open():
        raise ValidationError("This campaign has closed, so the letter was not sent.")
    letter.writer = _supporter_for(letter)
    letter.confirmed_at = timezone.now()
    letter.state = LetterState.MODERATION if campaign.moderated else LetterState.QUEUED
    letter.save(update_fields=["writer", "confirmed_at", "state"])
    audit.record(actor=letter.writer, action="lobbying.letter_confirmed", target=letter)
    if letter.state == LetterState.QUEUED:
        _queue(letter)
    return letter


@transaction.atomic
def moderate_letter(*, actor, letter: Letter, approve: bool, note: str = "") -> Letter:
    letter = Letter.objects.select_for_update().select_related("campaign").get(pk=letter.pk)
    if not may_manage_campaign(actor, letter.campaign):
        raise PermissionDenied("Only the campaign's organisers and staff can moderate its letters.")
    if letter.state != LetterState.MODERATION:
        raise ValidationError("This letter is not waiting for moderation.")
    letter.state = LetterState.QUEUED if approve else LetterState.REJECTED
    letter.moderated_by, letter.moderated_at = actor, timezone.now()
    letter.moderation_note = " ".join((note or "").split())[:300]
    letter.save(update_fields=["state", "moderated_by", "moderated_at", "moderation_note"])
    audit.record(
        actor=actor, action="lobbying.letter_approved" if approve else "lobbying.letter_rejected", target=letter
    )
    if approve:
        _queue(letter)
    else:
        send_templated(
            to=letter.writer_email,
            template="lobbying/email/rejected",
            context={"letter": letter, "campaign": letter.campaign, "note": letter.moderation_note},
        )
    return letter


@transaction.atomic
def retry_failed(*, actor, campaign: Campaign) -> int:
    """Queue again the letters that could not be sent for a passing reason (not bounces)."""
    if not may_manage_campaign(actor, campaign):
        raise PermissionDenied("Only the campaign's organisers and staff can do that.")
    ids = list(Letter.objects.filter(campaign=campaign, state=LetterState.FAILED).values_list("pk", flat=True))
    Letter.objects.filter(pk__in=ids).update(state=LetterState.QUEUED, error="", attempts=0)
    for letter_id in ids:
        _queue(Letter(pk=letter_id))
    audit.record(actor=actor, action="lobbying.letters_retried", target=campaign, summary=f"{len(ids)} letters")
    return len(ids)


# --- Outcomes, recorded by the sending task -------------------------------------------------------------


@transaction.atomic
def record_reply(*, actor, letter: Letter, reply: str, via_token: bool = False) -> Letter:
    """The writer's answer to "Has your MP replied?" (from the emailed link, `via_token`, or their own letters
    page). They may change it later."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    is_writer = getattr(actor, "is_authenticated", False) and letter.writer_id == actor.pk
    if not via_token and not is_writer:
        raise PermissionDenied("Only the letter's writer can answer.")
    if reply not in Reply.values:
        raise ValidationError("Answer yes, no or agreed.")
    if letter.state != LetterState.SENT:
        raise ValidationError("This letter has not been sent, so there is nothing to reply to yet.")
    letter.reply, letter.reply_at = reply, timezone.now()
    letter.save(update_fields=["reply", "reply_at"])
    audit.record(actor=actor if getattr(actor, "pk", None) else None, action="lobbying.reply_recorded",
                 target=letter, summary=reply)  # fmt: skip
    return letter


def claim_for_sending(letter_id: int) -> Letter | None:
    """The letter if it is still queued (a task that runs twice sends it once)."""
    return Letter.objects.select_related("campaign").filter(pk=letter_id, state=LetterState.QUEUED).first()


@transaction.atomic
def record_sent(*, letter_id: int, at: dt.datetime | None = None) -> bool:
    at = at or timezone.now()
    done = Letter.objects.filter(pk=letter_id, state=LetterState.QUEUED).update(state=LetterState.SENT, sent_at=at)
    if not done:
        return False
    letter = Letter.objects.select_related("campaign").get(pk=letter_id)
    send_templated(
        to=letter.writer_email,
        template="lobbying/email/copy",
        context={"letter": letter, "campaign": letter.campaign},
    )
    from leveller.lobbying import followups

    followups.schedule(letter)
    return True


@transaction.atomic
def record_bounced(*, letter_id: int, reason: str) -> None:
    """The MP's mail server refused the address: the letter is not resent, and the organisers are told."""
    updated = Letter.objects.filter(pk=letter_id, state=LetterState.QUEUED).update(
        state=LetterState.BOUNCED, error=reason[:300]
    )
    if not updated:
        return
    letter = Letter.objects.select_related("campaign__created_by").get(pk=letter_id)
    for address in _organiser_addresses(letter.campaign):
        send_templated(
            to=address,
            template="lobbying/email/bounced",
            context={"letter": letter, "campaign": letter.campaign, "reason": reason[:300]},
        )
    audit.record(actor=None, action="lobbying.letter_bounced", target=letter, summary=letter.mp_email)


MAX_ATTEMPTS = 5


def record_failed(*, letter_id: int, reason: str, temporary: bool = True) -> str:
    """A failure that is nobody's fault (the mail server cannot be reached, a 4xx): try again later, backing
    off (2, 4, 8, 16 minutes) while the queue can defer; then, or for a permanent one, the letter is failed and
    organisers can queue it again from the results page."""
    from django.db.models import F
    from django_tasks import task_backends

    from leveller.lobbying.tasks import deliver_letter

    with transaction.atomic():
        letter = Letter.objects.select_for_update().filter(pk=letter_id, state=LetterState.QUEUED).first()
        if letter is None:
            return "not queued"
        can_defer = getattr(task_backends[deliver_letter.backend], "supports_defer", False)
        if temporary and can_defer and letter.attempts + 1 < MAX_ATTEMPTS:
            Letter.objects.filter(pk=letter_id).update(attempts=F("attempts") + 1, error=reason[:300])
            at = timezone.now() + dt.timedelta(minutes=2 ** (letter.attempts + 1))
            transaction.on_commit(lambda: deliver_letter.using(run_after=at).enqueue(letter_id=letter_id))
            return "retrying"
        Letter.objects.filter(pk=letter_id).update(
            state=LetterState.FAILED, error=reason[:300], attempts=F("attempts") + 1
        )
        return "failed"


def _organiser_addresses(campaign: Campaign) -> list[str]:
    creator = campaign.created_by
    if creator is not None and creator.is_active:
        return [creator.email]
    staff = Member.objects.active().with_role(Role.STAFF, Role.ADMIN).values_list("email", flat=True)
    return list(staff[:5])
