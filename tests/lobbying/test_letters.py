"""Writing to an MP: the letter reaches the MP (a real SMTP sink) with the writer's Reply-To and a copy to the
writer; one letter per MP per campaign; own MP only; a daily cap; bounces reach the organisers; the follow-up
is asked once after 14 days; a non-member's letter records consent; nobody else can read a letter."""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parseaddr

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from leveller.accounts.models import Member, Status
from leveller.lobbying import followups, geography, tokens
from leveller.lobbying.actions import campaigns, letters
from leveller.lobbying.models import Letter, LetterState, Reply
from tests.lobbying.conftest import PERSONAL, POSTCODE, SEAT, letter_fields, seat

pytestmark = pytest.mark.django_db


def test_a_members_letter_reaches_the_mp_with_reply_to_the_member_and_a_copy_to_them(
    smtp, campaign, writer, run_on_commit
):
    mp = seat().mp
    with run_on_commit():
        letter = letters.write_letter(actor=writer, campaign=campaign, **letter_fields())
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT and letter.sent_at is not None
    [to_mp] = smtp.to(mp.email)
    assert to_mp["To"] == mp.email
    assert parseaddr(to_mp["Reply-To"])[1] == "wren@example.org"
    assert to_mp["Subject"] == f"Please vote against the Bill, {mp.name}"
    body = to_mp.get_content()
    assert f"Dear {mp.name}" in body and f"constituent in {SEAT}" in body
    assert PERSONAL in body and "1 The Mall" in body and POSTCODE in body
    assert "{" not in body.split("--")[0]
    [copy] = smtp.to("wren@example.org")
    assert "your copy" in copy["Subject"] and PERSONAL in copy.get_content()


def test_a_second_letter_to_the_same_mp_in_the_same_campaign_is_refused(smtp, campaign, writer, run_on_commit):
    with run_on_commit():
        letters.write_letter(actor=writer, campaign=campaign, **letter_fields())
    with pytest.raises(ValidationError, match="already written to"):
        letters.write_letter(actor=writer, campaign=campaign, **letter_fields(personal=PERSONAL + " Again."))
    assert Letter.objects.filter(campaign=campaign).count() == 1
    assert len(smtp.to(seat().mp.email)) == 1


def test_the_same_writer_may_write_to_the_same_mp_in_another_campaign(smtp, campaign, writer, organiser):
    other = campaigns.create_campaign(actor=organiser, title="Second", ask="x", subject="Hi", template="Dear {mp_name}")
    campaigns.set_status(actor=organiser, campaign=other, status="published")
    letters.write_letter(actor=writer, campaign=campaign, **letter_fields())
    letters.write_letter(actor=writer, campaign=other, **letter_fields())
    assert Letter.objects.filter(writer=writer).count() == 2


def test_an_own_mp_campaign_refuses_a_constituency_the_postcode_is_not_in(campaign, writer):
    elsewhere = seat("CF10 1EP")
    with pytest.raises(ValidationError) as caught:
        letters.write_letter(actor=writer, campaign=campaign, **letter_fields(constituency_code=elsewhere.code))
    assert "your own MP only" in caught.value.message_dict["constituency_code"][0]


def test_an_ambiguous_postcode_lets_the_writer_choose_a_neighbouring_seat_of_its_sector(campaign, writer):
    battersea = next(
        c.constituency for c in geography.lookup(POSTCODE).candidates if c.constituency.name == "Battersea"
    )
    letter = letters.write_letter(actor=writer, campaign=campaign, **letter_fields(constituency_code=battersea.code))
    assert letter.constituency_name == "Battersea"


def test_a_party_campaign_refuses_an_mp_of_another_party(organiser, writer):
    westminster = seat()
    other_party = next(p for p in ("Conservative", "Liberal Democrat") if p != westminster.mp.party)
    made = campaigns.create_campaign(actor=organiser, title="Tories", ask="x", subject="Hi", template="Dear {mp_name}",
                                     targets="parties", target_parties=[other_party])  # fmt: skip
    campaigns.set_status(actor=organiser, campaign=made, status="published")
    with pytest.raises(ValidationError, match="is not one this campaign writes to"):
        letters.write_letter(actor=writer, campaign=made, **letter_fields())


def test_a_letter_without_a_personal_paragraph_or_address_is_refused_and_nothing_is_saved(campaign, writer):
    with pytest.raises(ValidationError) as caught:
        letters.write_letter(actor=writer, campaign=campaign, **letter_fields(personal="Yes.", address=" "))
    assert set(caught.value.message_dict) == {"personal", "address"}
    assert not Letter.objects.exists()


def test_a_daily_cap_stops_one_sender_writing_too_many_letters(settings, organiser, writer):
    settings.LOBBYING_DAILY_CAP = 2
    made = campaigns.create_campaign(actor=organiser, title="Many", ask="x", subject="Hi", template="Dear {mp_name}",
                                     targets="parties", target_parties=["Labour", "Conservative", "Liberal Democrat"],
                                     own_mp_only=False)  # fmt: skip
    campaigns.set_status(actor=organiser, campaign=made, status="published")
    codes = [c.code for c in campaigns.target_constituencies(made) if c.mp.email][:3]
    for code in codes[:2]:
        letters.write_letter(actor=writer, campaign=made, **letter_fields(constituency_code=code))
    with pytest.raises(ValidationError, match="the most we send for one person in a day"):
        letters.write_letter(actor=writer, campaign=made, **letter_fields(constituency_code=codes[2]))
    later = timezone.now() + dt.timedelta(hours=25)
    letters.write_letter(actor=writer, campaign=made, now=later, **letter_fields(constituency_code=codes[2]))


def test_a_closed_campaign_takes_no_letters(campaign, writer, organiser):
    campaigns.close_campaign(actor=organiser, campaign=campaign)
    with pytest.raises(ValidationError, match="not open"):
        letters.write_letter(actor=writer, campaign=campaign, **letter_fields())


def test_an_address_that_bounces_is_reported_to_the_organiser(smtp, campaign, writer, run_on_commit):
    mp = seat().mp
    smtp.refuse[mp.email] = "550 5.1.1 No such mailbox"
    with run_on_commit():
        letter = letters.write_letter(actor=writer, campaign=campaign, **letter_fields())
    letter.refresh_from_db()
    assert letter.state == LetterState.BOUNCED and "550" in letter.error
    [report] = smtp.to("organiser@example.org")
    assert "bounced" in report["Subject"] and mp.email in report.get_content()
    assert not smtp.to("wren@example.org")  # no "your copy" for a letter that did not arrive


def test_the_follow_up_is_asked_once_fourteen_days_after_sending(smtp, campaign, writer, run_on_commit):
    with run_on_commit():
        letter = letters.write_letter(actor=writer, campaign=campaign, **letter_fields())
    letter.refresh_from_db()
    with run_on_commit():
        assert followups.send_due_follow_ups(now=letter.sent_at + dt.timedelta(days=13, hours=23)) == 0
        assert followups.send_due_follow_ups(now=letter.sent_at + dt.timedelta(days=14)) == 1
        assert followups.send_due_follow_ups(now=letter.sent_at + dt.timedelta(days=15)) == 0
        assert followups.send_due_follow_ups(now=letter.sent_at + dt.timedelta(days=40)) == 0
    asked = [m for m in smtp.to("wren@example.org") if "replied" in m["Subject"]]
    assert len(asked) == 1 and "Has" in asked[0]["Subject"]
    links = set(re.findall(r"/lobbying/replied/([^/\s]+)/", asked[0].get_content()))
    assert len(links) == 1 and tokens.letter_for_follow_up(links.pop()) == letter.pk
    letter.refresh_from_db()
    assert letter.follow_up_asked_at is not None


def test_the_writers_answer_is_recorded_from_the_emailed_link(client, smtp, campaign, writer, run_on_commit):
    with run_on_commit():
        letter = letters.write_letter(actor=writer, campaign=campaign, **letter_fields())
    url = tokens.follow_up_url(letter.pk).removeprefix("https://members.example.org")
    assert client.get(url + "?answer=agreed").status_code == 200  # a GET (a mail scanner) records nothing
    letter.refresh_from_db()
    assert letter.reply == ""
    assert client.post(url, {"reply": "agreed"}).status_code == 200
    letter.refresh_from_db()
    assert letter.reply == Reply.AGREED


def test_a_non_members_letter_records_consent_and_is_sent_once_they_confirm(smtp, campaign, run_on_commit):
    with run_on_commit():
        letter = letters.write_letter(
            actor=None, campaign=campaign, name="Sam Supporter", email="Sam@Example.net", consent=True,
            **letter_fields(),
        )  # fmt: skip
    assert letter.state == LetterState.UNCONFIRMED and letter.writer is None
    assert letter.consent_at is not None and letter.consent_wording == letters.SUPPORTER_WORDING
    assert not smtp.to(seat().mp.email)
    [confirm] = smtp.to("sam@example.net")
    assert letters.SUPPORTER_WORDING in confirm.get_content()
    [token] = re.findall(r"/lobbying/confirm/([^/\s]+)/", confirm.get_content())
    assert tokens.letter_for_confirm(token) == letter.pk
    with run_on_commit():
        letters.confirm_letter(token=token)
    letter.refresh_from_db()
    supporter = Member.objects.get(email="sam@example.net")
    assert letter.writer == supporter and supporter.status == Status.SUPPORTER and supporter.is_guest
    assert letter.state == LetterState.SENT
    assert parseaddr(smtp.to(seat().mp.email)[0]["Reply-To"])[1] == "sam@example.net"


def test_a_non_member_must_consent(campaign):
    with pytest.raises(ValidationError) as caught:
        letters.write_letter(actor=None, campaign=campaign, name="Sam", email="sam@example.net", **letter_fields())
    assert "consent" in caught.value.message_dict
    assert not Letter.objects.exists()


def test_a_moderated_campaigns_letter_waits_for_an_organiser(smtp, campaign, writer, organiser, run_on_commit):
    campaigns.update_campaign(actor=organiser, campaign=campaign, moderated=True)
    with run_on_commit():
        letter = letters.write_letter(actor=writer, campaign=campaign, **letter_fields())
    assert letter.state == LetterState.MODERATION and not smtp.messages
    with run_on_commit():
        letters.moderate_letter(actor=organiser, letter=letter, approve=True)
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT and smtp.to(seat().mp.email)


def test_an_outsider_cannot_read_anyones_letter(client, api_client, campaign, writer, outsider, organiser, staff):
    letter = letters.write_letter(actor=writer, campaign=campaign, **letter_fields())
    client.force_login(outsider)
    assert client.get(f"/lobbying/letters/{letter.pk}/").status_code == 404
    assert api_client(outsider).get(f"/api/v1/lobbying/letters/{letter.pk}").status_code == 404
    assert api_client(outsider).get("/api/v1/lobbying/letters").json()["letters"] == []
    assert api_client().get(f"/api/v1/lobbying/letters/{letter.pk}").status_code == 401
    assert api_client(outsider).get(f"/api/v1/lobbying/campaigns/{campaign.slug}/results").status_code == 403
    assert api_client(writer).get(f"/api/v1/lobbying/letters/{letter.pk}").json()["body"] == letter.body
    assert api_client(organiser).get(f"/api/v1/lobbying/letters/{letter.pk}").status_code == 200
    assert api_client(staff).get(f"/api/v1/lobbying/letters/{letter.pk}").status_code == 200
    other = api_client(outsider).post(f"/api/v1/lobbying/letters/{letter.pk}/reply", {"reply": "yes"})
    assert other.status_code == 404


def test_the_api_writes_a_letter_and_refuses_a_second_with_400(api_client, smtp, campaign, writer):
    client = api_client(writer)
    data = {"postcode": POSTCODE, "address": "1 The Mall, London", "personal": PERSONAL}
    first = client.post(f"/api/v1/lobbying/campaigns/{campaign.slug}/letters", data)
    assert first.status_code == 201, first.json()
    assert first.json()["constituency_name"] == SEAT
    second = client.post(f"/api/v1/lobbying/campaigns/{campaign.slug}/letters", data)
    assert second.status_code == 400 and "already written" in second.json()["detail"]
    bt = client.post(f"/api/v1/lobbying/campaigns/{campaign.slug}/letters", {**data, "postcode": "BT7 1NN"})
    assert bt.status_code == 400 and "choose yours" in bt.json()["detail"]


def test_a_non_member_who_writes_again_before_confirming_is_told_to_check_their_inbox(smtp, campaign):
    fields = {"name": "Sam", "email": "sam@example.net", "consent": True, **letter_fields()}
    letters.write_letter(actor=None, campaign=campaign, **fields)
    with pytest.raises(ValidationError, match="Check your inbox"):
        letters.write_letter(actor=None, campaign=campaign, **fields)


def test_a_letter_never_confirmed_is_deleted_after_seven_days_and_frees_its_place(smtp, campaign):
    fields = {"name": "Sam", "email": "sam@example.net", "consent": True, **letter_fields()}
    stale = letters.write_letter(actor=None, campaign=campaign, **fields)
    later = stale.created_at + dt.timedelta(days=7, minutes=1)
    assert letters.purge_unconfirmed(now=stale.created_at + dt.timedelta(days=6)) == 0
    assert letters.purge_unconfirmed(now=later) == 1
    again = letters.write_letter(actor=None, campaign=campaign, now=later, **fields)
    assert again.state == LetterState.UNCONFIRMED


def test_the_api_moderates_a_letter_for_the_campaigns_organiser_only(api_client, smtp, campaign, organiser, writer,
                                                                     outsider, run_on_commit):  # fmt: skip
    campaigns.update_campaign(actor=organiser, campaign=campaign, moderated=True)
    letter = letters.write_letter(actor=writer, campaign=campaign, **letter_fields())
    path = f"/api/v1/lobbying/letters/{letter.pk}/moderation"
    assert api_client(outsider).post(path, {"approve": True}).status_code == 404
    assert api_client(writer).post(path, {"approve": True}).status_code == 403
    with run_on_commit():
        response = api_client(organiser).post(path, {"approve": True})
    assert response.status_code == 200 and response.json()["state"] == "queued"
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT


def test_a_passing_failure_marks_the_letter_failed_and_the_organiser_can_send_it_again(
    smtp, campaign, writer, organiser, run_on_commit
):
    mp = seat().mp
    smtp.refuse[mp.email] = "451 4.3.0 Try again later"
    with run_on_commit():
        letter = letters.write_letter(actor=writer, campaign=campaign, **letter_fields())
    letter.refresh_from_db()
    assert letter.state == LetterState.FAILED and "451" in letter.error
    assert not smtp.to("organiser@example.org")  # not a bounce: nothing to report
    del smtp.refuse[mp.email]
    with run_on_commit():
        assert letters.retry_failed(actor=organiser, campaign=campaign) == 1
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT and len(smtp.to(mp.email)) == 1
