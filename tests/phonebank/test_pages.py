"""The phonebank pages: the calling flow, setup, uploads, the dashboard, export, and who may see what."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from leveller.core.models import AuditEntry
from leveller.phonebank.actions import calls as call_actions
from leveller.phonebank.actions import contacts as contact_actions
from leveller.phonebank.models import Call, Campaign
from tests.phonebank.conftest import csv_bytes

pytestmark = pytest.mark.django_db


def test_a_caller_starts_calling_sees_one_contact_and_records_an_answer(client, make_campaign, member):
    campaign = make_campaign(contacts=2, calling_start="00:00", calling_end="23:59")
    client.force_login(member)
    page = client.get(f"/phonebank/{campaign.pk}/")
    assert b"Start calling" in page.content
    response = client.post(f"/phonebank/{campaign.pk}/call/")
    call = Call.objects.get(caller=member)
    assert response.url == f"/phonebank/calls/{call.pk}/"
    page = client.get(response.url)
    text = page.content.decode()
    assert f'href="tel:{call.contact.phone_e164}"' in text
    assert f"Hi {call.contact.first_name}," in text
    assert AuditEntry.objects.filter(action="phonebank.contact_viewed", actor=member).count() == 2
    done = client.post(
        f"/phonebank/calls/{call.pk}/outcome/", {"outcome": "answered", "answer-attend": "Yes", "answer-mood": "5"}
    )
    call.refresh_from_db()
    assert call.outcome == "answered" and call.answers == {"attend": "Yes", "mood": 5}
    following = Call.objects.exclude(pk=call.pk).get(caller=member)
    assert done.url == f"/phonebank/calls/{following.pk}/", "the next contact comes straight away"
    again = client.get(f"/phonebank/calls/{call.pk}/")
    assert again.status_code == 302, "a caller never sees a past contact's number again"


def test_a_bad_answer_shows_a_message_and_keeps_the_contact(client, make_campaign, member):
    campaign = make_campaign(contacts=1, calling_start="00:00", calling_end="23:59")
    client.force_login(member)
    client.post(f"/phonebank/{campaign.pk}/call/")
    call = Call.objects.get(caller=member)
    response = client.post(f"/phonebank/calls/{call.pk}/outcome/", {"outcome": "call_back"}, follow=True)
    assert "Say when to call back." in response.content.decode()
    assert response.redirect_chain[-1][0] == f"/phonebank/calls/{call.pk}/"


def test_the_script_escapes_contact_data(client, make_campaign, member, organiser):
    campaign = make_campaign(calling_start="00:00", calling_end="23:59", script="**Hello {first_name}** from {branch}")
    data = b"name,phone,branch\n<script>alert(1)</script> Smith,+447400000001,<b>Leeds</b>\n"
    contact_actions.upload_contacts(actor=organiser, campaign=campaign, data=data)
    client.force_login(member)
    response = client.post(f"/phonebank/{campaign.pk}/call/", follow=True)
    text = response.content.decode()
    assert "<strong>Hello &lt;script&gt;alert(1)&lt;/script&gt;</strong> from &lt;b&gt;Leeds&lt;/b&gt;" in text
    assert "<script>alert(1)" not in text


def test_an_organiser_sets_up_a_campaign_with_questions_through_the_form(client, organiser):
    client.force_login(organiser)
    form = {
        "name": "Door-knock follow-up",
        "goal": "",
        "script": "Hi {first_name}",
        "calling_start": "10:00",
        "calling_end": "20:00",
        "max_attempts": "3",
        "retry_after_minutes": "240",
        "callers_mode": "everyone",
        "caller_group_id": "",
        "caller_emails": "",
        "status": "draft",
        "q-TOTAL_FORMS": "2",
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "40",
        "q-0-text": "Will you join the strike?",
        "q-0-kind": "single_choice",
        "q-0-choices": "Yes\nNo",
        "q-1-text": "Why not?",
        "q-1-kind": "text",
        "q-1-show_if_question": "1",
        "q-1-show_if_answer": "No",
    }
    response = client.post("/phonebank/new/", form)
    campaign = Campaign.objects.get()
    assert response.url == f"/phonebank/{campaign.pk}/contacts/"
    assert campaign.questions[1]["show_if"] == {"question": "q1", "answer": "No"}
    upload = client.post(
        f"/phonebank/{campaign.pk}/contacts/",
        {"file": SimpleUploadedFile("list.csv", csv_bytes([("Ann", "+447400000001", ""), ("Bob", "nope", "")]))},
        follow=True,
    )
    text = upload.content.decode()
    assert "Loaded 1 contacts." in text and "Row 3: &#x27;nope&#x27; is not a phone number" in text


def test_organisers_see_the_dashboard_and_export_but_callers_cannot(client, make_campaign, member, organiser):
    campaign = make_campaign(contacts=1, calling_start="00:00", calling_end="23:59")
    call = call_actions.next_contact(actor=member, campaign=campaign)
    call_actions.record_outcome(actor=member, call=call, outcome="answered", answers={"attend": "Yes"})
    client.force_login(organiser)
    dashboard = client.get(f"/phonebank/{campaign.pk}/dashboard/")
    assert dashboard.status_code == 200 and b'data-answer="attend:Yes">1<' in dashboard.content
    export = client.get(f"/phonebank/{campaign.pk}/results.csv")
    body = b"".join(export.streaming_content).decode()
    assert body.splitlines()[0].startswith("name,phone,postcode")
    assert "answered" in body and "Mo Member" in body and ",Yes" in body
    client.force_login(member)
    assert client.get(f"/phonebank/{campaign.pk}/dashboard/").status_code == 403
    assert client.get(f"/phonebank/{campaign.pk}/results.csv").status_code == 404
    assert client.get(f"/phonebank/{campaign.pk}/contacts/").status_code == 403


def test_outsiders_and_other_callers_cannot_see_a_contact(client, make_campaign, member, outsider):
    campaign = make_campaign(
        contacts=1, calling_start="00:00", calling_end="23:59", callers_mode="named", callers=[member.pk]
    )
    call = call_actions.next_contact(actor=member, campaign=campaign)
    client.force_login(outsider)
    assert client.get(f"/phonebank/{campaign.pk}/").status_code == 404
    assert client.post(f"/phonebank/{campaign.pk}/call/").status_code == 404
    assert client.get(f"/phonebank/calls/{call.pk}/").status_code == 404
    assert client.post(f"/phonebank/calls/{call.pk}/outcome/", {"outcome": "refused"}).status_code == 404
    assert client.get("/phonebank/").content.count(campaign.name.encode()) == 0
    assert not AuditEntry.objects.filter(actor=outsider, action="phonebank.contact_viewed").exists()


def test_only_organisers_of_the_campaign_may_follow_its_live_stream(make_campaign, member, organiser, staff, outsider):
    from leveller.realtime.registry import may_subscribe

    campaign = make_campaign()
    assert may_subscribe(organiser, f"campaign-{campaign.pk}")
    assert may_subscribe(staff, f"campaign-{campaign.pk}")
    assert not may_subscribe(member, f"campaign-{campaign.pk}")
    assert not may_subscribe(outsider, f"campaign-{campaign.pk}")


def test_a_caller_can_hide_from_the_leaderboard(client, make_campaign, member):
    campaign = make_campaign(contacts=1, calling_start="00:00", calling_end="23:59")
    call = call_actions.next_contact(actor=member, campaign=campaign)
    call_actions.record_outcome(actor=member, call=call, outcome="refused")
    client.force_login(member)
    assert "Mo Member: 1 call" in client.get(f"/phonebank/{campaign.pk}/").content.decode()
    client.post(f"/phonebank/{campaign.pk}/leaderboard/", {"visible": "0"})
    assert "Mo Member: 1 call" not in client.get(f"/phonebank/{campaign.pk}/").content.decode()
