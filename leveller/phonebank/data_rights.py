"""The phonebank's part of members' data rights: contacts are people outside the membership too, so their
lists are deleted a set time after a campaign closes."""

from __future__ import annotations

import datetime as dt

from leveller.phonebank.models import Call, Campaign, CampaignCaller, CampaignStatus, Contact, DoNotCall, ImportJob
from leveller.privacy.registry import declare, eraser, exporter, retention

declare(
    Campaign,
    what="Phonebank campaigns: script, survey questions, calling hours, callers and organisers",
    why="Running phone campaigns",
    basis="Legitimate interests",
    kept="Kept; its contact list is deleted after the retention period once it is finished",
    who="Its callers and organisers; staff",
)
declare(
    Contact,
    what="People to call: name, phone, postcode, time zone and the imported list's extra columns",
    why="Phoning people about a campaign",
    basis="As recorded for each imported list (consent or legitimate interests)",
    kept="Deleted the retention period after the campaign is finished",
    who="The caller holding the contact (each view is logged); the campaign's organisers; staff",
)
declare(
    Call,
    what="Each call: who called, when, the outcome and the survey answers (may reveal political opinions)",
    why="Campaign results and not calling people twice",
    basis="As for the contact; Article 9(2)(d) for members, explicit consent for others",
    kept="As long as the contact",
    who="The campaign's organisers and staff; the caller sees their own",
    special=True,
)
declare(
    DoNotCall,
    what="Phone numbers that must never be called",
    why="Respecting people who asked not to be called (PECR)",
    basis="Legal obligation",
    kept="Indefinitely (it is what keeps them from being called)",
    who="Organisers and staff",
)
declare(
    CampaignCaller,
    what="Who has called in a campaign, when last seen, leaderboard choice",
    why="Call-backs and the leaderboard",
    basis="Legitimate interests",
    kept="As long as the campaign; removed on erasure",
    who="The campaign's callers (leaderboard, if opted in) and organisers",
)
declare(
    ImportJob,
    what="A contact-list upload: file name, row counts, problem rows; the file itself only until loaded",
    why="Loading contact lists and reporting problems",
    basis="As for the contacts",
    kept="As long as the campaign",
    who="The campaign's organisers and staff",
)


@exporter("calls_made", title="Calls you made", order=50)
def export_calls_made(member):
    """The calls themselves, not what the people called said: that is their data, not the caller's."""
    rows = Call.objects.filter(caller=member).values("campaign__name", "started_at", "ended_at", "outcome")
    for row in rows.order_by("id").iterator(chunk_size=2000):
        yield {
            "campaign": row["campaign__name"],
            "started_at": row["started_at"],
            "ended_at": row["ended_at"],
            "outcome": row["outcome"],
        }


def _contacts_about(member):
    if not member.phone:
        return Contact.objects.none()
    return Contact.objects.filter(phone_e164=member.phone)


@exporter("phonebank_contact_records", title="Campaign lists you were on, and answers recorded about you", order=51)
def export_contact_records(member):
    for contact in _contacts_about(member).select_related("campaign").order_by("id").iterator():
        calls = contact.calls.filter(ended_at__isnull=False).order_by("id")
        yield {
            "campaign": contact.campaign.name,
            "name": contact.name,
            "phone": contact.phone_e164,
            "postcode": contact.postcode,
            "fields": contact.fields,
            "attempts": contact.attempts,
            "last_outcome": contact.last_outcome,
            "calls": [{"when": call.started_at, "outcome": call.outcome, "answers": call.answers} for call in calls],
        }


@eraser("phonebank", order=130)
def erase_phonebank(member, *, delete_content: bool, identity) -> dict:
    counts = {"campaign caller rows": CampaignCaller.objects.filter(member=member).delete()[0]}
    if identity.phone:
        # Survey answers about them go with the contact rows; the suppression list stops any new upload.
        counts["contact records and answers about them"] = Contact.objects.filter(phone_e164=identity.phone).delete()[0]
        counts["do-not-call entries (now suppressed)"] = DoNotCall.objects.filter(phone_e164=identity.phone).delete()[0]
    return counts


@retention(
    "phonebank.contacts",
    title="Phonebank contact lists of finished campaigns",
    days=90,
    describe="Contacts (and the calls and survey answers about them) are deleted this long after their "
    "campaign was finished (its last change while finished).",
)
def delete_finished_contacts(*, days: int, now: dt.datetime, dry_run: bool) -> int:
    cutoff = now - dt.timedelta(days=days)
    campaigns = Campaign.objects.filter(status=CampaignStatus.FINISHED, updated_at__lt=cutoff)
    contacts = Contact.objects.filter(campaign__in=campaigns)
    if dry_run:
        return contacts.count()
    total = 0
    for campaign_id in campaigns.values_list("pk", flat=True):
        batch = Contact.objects.filter(campaign_id=campaign_id)
        total += batch.count()
        Call.objects.filter(campaign_id=campaign_id).delete()
        batch.delete()
        ImportJob.objects.filter(campaign_id=campaign_id).update(invalid=[], duplicate_rows=[], do_not_call_rows=[])
    return total
