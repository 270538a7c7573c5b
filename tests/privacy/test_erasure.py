"""Erasure that sticks: nothing left of the address or number, messages signed "Former member", ballots
counted, and the suppression list refusing every way back in except the person's own sign-up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from leveller.accounts.importing import import_members
from leveller.chat.models import Channel, Message
from leveller.newsletter.actions import subscriptions
from leveller.privacy.actions import erasure as erasure_actions
from leveller.privacy.models import ErasureRequest, Suppression
from tests.phonebank.conftest import csv_bytes
from tests.privacy.conftest import PHONE, all_text_in_database

pytestmark = pytest.mark.django_db
EMAIL = "alice@example.org"


def _erase(history, **kwargs):
    return erasure_actions.erase_member(actor=None, member=history.alice, **kwargs)


def test_after_erasure_the_email_and_phone_are_in_no_column_of_any_table(history, run_on_commit):
    from leveller.newsletter.models import Subscriber

    with run_on_commit():  # queued emails (task rows holding her address) too
        subscriptions.subscribe_member(actor=history.alice)
        erasure_actions.request_erasure(actor=history.alice, reason=f"please, {EMAIL}")
    assert Subscriber.objects.filter(email=EMAIL).exists()
    before = [row for row in all_text_in_database() if EMAIL in row[2].lower() or PHONE in row[2]]
    assert before, "the fixture must have put the address in the database for this test to mean anything"
    _erase(history)
    leftovers = [row[:2] for row in all_text_in_database() if EMAIL in row[2].lower() or PHONE in row[2]]
    assert leftovers == []


def test_their_messages_are_kept_and_signed_former_member(history, api_client):
    _erase(history)
    message = Message.objects.get(pk=history.alice_message.pk)
    assert message.text == "Rent strike on Tuesday!" and message.author_name == "Former member"
    response = api_client(history.bob).get(f"/api/v1/channels/{history.general.pk}/messages")
    authors = {m["text"]: m["author"]["display_name"] for m in response.json()["messages"]}
    assert authors["Rent strike on Tuesday!"] == "Former member"
    assert authors[history.bob_channel_text] == "Bob Other"


def test_where_they_asked_their_messages_are_deleted_too(history):
    _erase(history, delete_content=True)
    message = Message.objects.get(pk=history.alice_message.pk)
    assert message.deleted and message.text == ""
    assert Message.objects.filter(text=history.bob_channel_text).exists()


def test_a_dm_is_kept_for_the_other_person_until_nobody_is_left_in_it(history):
    _erase(history)
    dm = Channel.objects.get(pk=history.dm.pk)
    assert list(dm.memberships.values_list("member_id", flat=True)) == [history.bob.pk]
    erasure_actions.erase_member(actor=None, member=history.bob)
    assert not Channel.objects.filter(pk=history.dm.pk).exists()


def test_survey_answers_about_them_as_a_contact_are_deleted_and_their_own_calls_kept(history):
    from leveller.phonebank.models import Call, Contact

    _erase(history)
    assert not Contact.objects.filter(phone_e164=PHONE).exists()
    assert not Call.objects.filter(answers={"rent": "Yes"}).exists()
    made = Call.objects.get(pk=history.call.pk)
    assert made.caller_id == history.alice.pk and made.answers == {"rent": "No"}


def test_ballots_stay_secret_and_counted(history):
    from leveller.elections.models import Ballot, Election, VoterRoll

    election = Election.objects.create(title="Chair", kind="motion", state="counted")
    Ballot.objects.create(election=election, answer="yes")
    VoterRoll.objects.create(election=election, member=history.alice)
    _erase(history)
    assert Ballot.objects.filter(election=election, answer="yes").count() == 1
    assert VoterRoll.objects.filter(election=election).count() == 1


def test_the_suppression_list_holds_only_keyed_hashes(history):
    _erase(history)
    digests = list(Suppression.objects.values_list("digest", flat=True))
    assert len(digests) == 2 and all(len(d) == 64 for d in digests)
    assert not any(EMAIL in d or PHONE[1:] in d for d in digests)


def test_a_csv_import_with_their_address_is_refused_by_the_suppression_list(history, staff):
    _erase(history)
    report = import_members(actor=staff, data=f"email,name\n{EMAIL.upper()},Alice Again\nnew@example.org,New\n")
    assert report.created == 1
    assert len(report.errors) == 1 and "suppression list" in report.errors[0][1]


def test_a_newsletter_sign_up_with_their_address_is_refused(history):
    _erase(history)
    with pytest.raises(ValidationError, match="suppression list"):
        subscriptions.request_subscription(actor=None, email=EMAIL)


def test_the_sign_up_form_refuses_without_revealing_and_only_the_owner_can_come_back(history, client, run_on_commit):
    from django.core import mail

    from leveller.newsletter.models import Subscriber

    _erase(history)
    mail.outbox.clear()
    with run_on_commit():
        page = client.post("/newsletter/subscribe/", {"email": EMAIL})
    assert page.status_code == 200 and "Check your inbox" in page.content.decode()
    assert not Subscriber.objects.filter(email__iexact=EMAIL).exists()
    (sent,) = mail.outbox
    assert sent.to == [EMAIL] and "erase" in sent.body
    link = next(line for line in sent.body.splitlines() if "/newsletter/rejoin/" in line).strip()
    path = link.split("127.0.0.1:8000")[-1]
    assert "sign me up again" in client.get(path).content.decode()
    client.post(path)
    assert Subscriber.objects.get(email=EMAIL).status == "subscribed"
    assert not Suppression.objects.filter(kind="email").exists()
    assert Suppression.objects.filter(kind="phone").exists(), "the number stays suppressed"


def test_a_contact_upload_with_their_number_skips_it(history, organiser):
    from leveller.phonebank.actions import calls as call_actions
    from leveller.phonebank.actions import contacts as contact_actions

    _erase(history)
    campaign = call_actions.create_campaign(actor=organiser, name="Again", status="live")
    job = contact_actions.upload_contacts(
        actor=organiser, campaign=campaign, data=csv_bytes([("Alice", PHONE, ""), ("Dan", "+447400000002", "")])
    )
    assert job.loaded == 1 and job.do_not_call == 1


def test_member_add_with_their_email_fails_naming_the_suppression_list(history):
    call_command("member", "erase", EMAIL, "--yes")
    with pytest.raises(CommandError, match="suppression list"):
        call_command("member", "add", EMAIL, "--name", "Alice Back")


def test_member_erase_needs_yes(history):
    with pytest.raises(CommandError, match="--yes"):
        call_command("member", "erase", EMAIL)


def test_a_member_asks_over_the_api_and_staff_approve_in_the_app(history, api_client, staff, client):
    response = api_client(history.alice).post("/api/v1/me/erasure", {"reason": "moving on"})
    assert response.status_code == 202
    made = ErasureRequest.objects.get(pk=response.json()["id"])
    assert made.status == "requested"
    client.force_login(staff)
    assert "Alice Example" in client.get("/manage/privacy/").content.decode()
    client.post(f"/manage/privacy/erasure/{made.pk}/", {"decision": "approve"})
    made.refresh_from_db()
    history.alice.refresh_from_db()
    assert made.status == "done" and history.alice.display_name == "Former member"
    assert not history.alice.is_active


def test_staff_refuse_only_with_a_reason_the_member_sees(history, staff, client, run_on_commit):
    from django.core import mail

    with run_on_commit():
        made = erasure_actions.request_erasure(actor=history.alice)
    assert "withdraw it" in mail.outbox[-1].body and mail.outbox[-1].to == [EMAIL]
    with pytest.raises(ValidationError):
        erasure_actions.decide_erasure(actor=staff, request=made, approve=False)
    with run_on_commit():
        erasure_actions.decide_erasure(actor=staff, request=made, approve=False, note="Open complaint: we must keep it")
    assert "Open complaint" in mail.outbox[-1].body
    client.force_login(history.alice)
    assert "Open complaint" in client.get("/settings/data/").content.decode()


def test_a_request_nobody_decides_runs_after_thirty_days(history):
    made = erasure_actions.request_erasure(actor=history.alice)
    assert made.due_at - made.requested_at == dt.timedelta(days=30)
    assert erasure_actions.run_due_erasures(now=timezone.now() + dt.timedelta(days=29)) == 0
    assert erasure_actions.run_due_erasures(now=timezone.now() + dt.timedelta(days=31)) == 1
    history.alice.refresh_from_db()
    assert history.alice.email.endswith("@erased.invalid")


def test_a_member_can_withdraw_their_request(history, client):
    made = erasure_actions.request_erasure(actor=history.alice)
    client.force_login(history.alice)
    client.post(f"/settings/data/erasure/{made.pk}/cancel/")
    made.refresh_from_db()
    assert made.status == "cancelled"
    assert erasure_actions.run_due_erasures(now=timezone.now() + dt.timedelta(days=31)) == 0


def test_a_member_cannot_erase_someone_else_and_staff_not_themselves(history, staff):
    with pytest.raises(PermissionDenied):
        erasure_actions.erase_member(actor=history.bob, member=history.alice)
    with pytest.raises(ValidationError):
        erasure_actions.erase_member(actor=staff, member=staff)


def test_an_erasure_request_needs_no_body_and_a_second_one_returns_the_first(history, api_client):
    client = api_client(history.alice)
    first = client.post("/api/v1/me/erasure")
    assert first.status_code == 202 and first.json()["status"] == "requested"
    again = client.post("/api/v1/me/erasure")
    assert again.status_code == 202 and again.json()["id"] == first.json()["id"]
    assert api_client().post("/api/v1/me/erasure").status_code == 401


def test_the_sweep_blanks_whole_addresses_only(db):
    from leveller.core import audit
    from leveller.core.models import AuditEntry
    from tests.conftest import make_member

    al = make_member("Al", "al@example.org", phone="+447400000011")
    sal = make_member("Sal", "sal@example.org", phone="+447400000012")
    audit.record(actor=None, action="note", summary="al@example.org, sal@example.org, AL@EXAMPLE.ORG.uk")
    erasure_actions.erase_member(actor=None, member=al)
    sal.refresh_from_db()
    assert sal.email == "sal@example.org" and sal.phone == "+447400000012"
    summary = AuditEntry.objects.get(action="note").summary
    assert summary == "[erased], sal@example.org, AL@EXAMPLE.ORG.uk"


def test_erasing_directly_closes_an_open_request(history):
    made = erasure_actions.request_erasure(actor=history.alice)
    call_command("member", "erase", EMAIL, "--yes")
    made.refresh_from_db()
    assert made.status == "done" and made.erased_at is not None
