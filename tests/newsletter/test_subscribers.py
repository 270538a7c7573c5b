"""Sign-up with double opt-in, unsubscribing, member subscriptions and the CSV import, over real SMTP."""

from __future__ import annotations

import re

from django.core.cache import cache
from django.utils import timezone

from leveller.newsletter import sending
from leveller.newsletter.actions import issues as issue_actions
from leveller.newsletter.actions import subscriptions
from leveller.newsletter.models import Delivery, DeliveryState, Subscriber, SubscriberStatus
from tests.newsletter.conftest import add_subscribers, make_issue


def link_in(message, pattern: str) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(rf"https://members\.example\.org(/newsletter/{pattern}/[^\s/]+/)", text).group(1)


def test_double_opt_in_sends_nothing_until_the_confirmation_link_is_clicked(
    smtp, editor, api_client, client, run_on_commit
):
    cache.clear()
    with run_on_commit():
        response = api_client().post(
            "/api/v1/newsletter/subscriptions", {"email": "New.Reader@Example.net", "name": "Nia Reader"}
        )
    assert response.status_code == 202
    assert len(smtp.messages) == 1
    confirmation = smtp.to("new.reader@example.net")[0]
    assert "Confirm your subscription" in confirmation["Subject"]
    subscriber = Subscriber.objects.get(email="new.reader@example.net")
    assert subscriber.status == SubscriberStatus.PENDING and subscriber.consent_source == "api"

    with run_on_commit():
        issue_actions.publish_issue(actor=editor, issue=make_issue(editor))
    assert len(smtp.messages) == 1  # an unconfirmed address gets no issue

    page = client.get(link_in(confirmation, "confirm"))
    assert page.status_code == 200 and "You are subscribed" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.SUBSCRIBED
    assert subscriber.consent_at is not None and "newsletter" in subscriber.consent_wording

    with run_on_commit():
        issue_actions.publish_issue(actor=editor, issue=make_issue(editor, title="Second issue"))
    issue_mail = smtp.to("new.reader@example.net")[-1]
    assert "Second issue" in issue_mail["Subject"]
    assert "Dear Nia," in issue_mail.get_body(("plain",)).get_content()


def test_the_sign_up_answers_the_same_whether_or_not_an_address_is_subscribed(smtp, api_client, run_on_commit):
    cache.clear()
    add_subscribers(1)
    with run_on_commit():
        known = api_client().post("/api/v1/newsletter/subscriptions", {"email": "reader0@example.net"})
        unknown = api_client().post("/api/v1/newsletter/subscriptions", {"email": "someone@example.net"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert smtp.recipients() == ["someone@example.net"]  # the subscriber is not pestered


def test_sign_ups_are_limited_per_network_address(smtp, api_client, settings):
    cache.clear()
    settings.NEWSLETTER_SIGNUPS_PER_HOUR = 2
    client = api_client()
    codes = [
        client.post("/api/v1/newsletter/subscriptions", {"email": f"x{i}@example.net"}).status_code for i in range(3)
    ]
    assert codes == [202, 202, 429]


def test_a_bad_sign_up_gets_a_clear_message(db, api_client):
    cache.clear()
    response = api_client().post("/api/v1/newsletter/subscriptions", {"email": "not-an-email"})
    assert response.status_code == 400 and "not a valid email address" in response.json()["detail"]
    response = api_client().post("/api/v1/newsletter/subscriptions", {"email": "a@example.net", "postcode": "ZZZ"})
    assert response.status_code == 400 and "Leave it blank if you live abroad" in response.json()["detail"]


def test_the_public_sign_up_form_records_consent_wording_and_keeps_input_on_error(smtp, client, run_on_commit):
    cache.clear()
    page = client.post("/newsletter/subscribe/", {"name": "Ola", "email": "ola@example", "postcode": ""})
    assert page.status_code == 200 and 'value="Ola"' in page.content.decode()
    with run_on_commit():
        page = client.post("/newsletter/subscribe/", {"name": "Ola", "email": "ola@example.net", "postcode": "m14 5tq"})
    assert "Check your inbox" in page.content.decode()
    subscriber = Subscriber.objects.get(email="ola@example.net")
    assert subscriber.postcode == "M14 5TQ" and subscriber.consent_wording == subscriptions.SIGNUP_WORDING
    assert subscriber.consent_source == "sign-up form" and smtp.recipients() == ["ola@example.net"]


def test_a_tampered_confirmation_link_is_refused(db, client):
    assert client.get("/newsletter/confirm/not-a-token/").status_code == 410


def test_one_click_unsubscribe_by_post_needs_no_login_and_stops_the_send_at_once(smtp, editor, client):
    add_subscribers(3)
    earlier = issue_actions.publish_issue(actor=editor, issue=make_issue(editor, title="Earlier"))
    sending.run(earlier.pk)
    issue = make_issue(editor)
    message = smtp.to("reader1@example.net")[0]
    url = str(message["List-Unsubscribe"]).strip().strip("<>").replace("https://members.example.org", "")
    issue_actions.publish_issue(actor=editor, issue=issue)  # the next issue is queued for everyone

    response = client.post(url, {"List-Unsubscribe": "One-Click"})  # what mail providers send (RFC 8058)
    assert response.status_code == 200
    subscriber = Subscriber.objects.get(email="reader1@example.net")
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert subscriber.unsubscribed_after_id == earlier.pk  # counted in the earlier issue's statistics
    assert Delivery.objects.get(issue=issue, subscriber=subscriber).state == DeliveryState.SKIPPED
    sending.run(issue.pk)
    assert smtp.recipients().count("reader1@example.net") == 1  # only the earlier issue


def test_unsubscribe_by_the_visible_link_in_the_email(smtp, editor, client, run_on_commit):
    add_subscribers(1)
    with run_on_commit():
        issue_actions.publish_issue(actor=editor, issue=make_issue(editor))
    url = link_in(smtp.messages[0], "unsubscribe")
    page = client.get(url)
    assert page.status_code == 200 and "re•" in page.content.decode()  # the address, masked
    assert Subscriber.objects.get().status == SubscriberStatus.SUBSCRIBED  # a GET (link scanners) changes nothing
    page = client.post(url)
    assert "You are unsubscribed" in page.content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.UNSUBSCRIBED


def test_a_forged_unsubscribe_link_does_nothing(db, client):
    add_subscribers(1)
    subscriber = Subscriber.objects.get()
    assert client.get(f"/newsletter/unsubscribe/{subscriber.pk}.forged/").status_code == 404
    client.post(f"/newsletter/unsubscribe/{subscriber.pk}.forged/", {"List-Unsubscribe": "One-Click"})
    assert Subscriber.objects.get().status == SubscriberStatus.SUBSCRIBED


def test_a_member_subscribes_and_unsubscribes_from_their_newsletter_settings(member, client):
    client.force_login(member)
    assert "You are not subscribed" in client.get("/newsletter/settings/").content.decode()
    client.post("/newsletter/settings/", {"subscribe": "1"})
    subscriber = Subscriber.objects.get(email=member.email)
    assert subscriber.status == SubscriberStatus.SUBSCRIBED and subscriber.member == member
    assert subscriber.consent_source == "member settings"
    client.post("/newsletter/settings/", {"subscribe": "0"})
    assert Subscriber.objects.get(pk=subscriber.pk).status == SubscriberStatus.UNSUBSCRIBED


def test_importing_a_list_keeps_consent_dates_and_reports_bad_rows_by_line(editor, client):
    Subscriber.objects.create(email="gone@example.net", status="unsubscribed")
    csv = (
        "email,name,postcode,consent_date,source\n"
        "ada@example.net,Ada,N1 9GU,2023-05-01,paper form\n"
        "not-an-email,Bad,,2023-05-01,\n"
        "bob@example.net,Bob,,,\n"
        "gone@example.net,Gone,,2022-01-01,\n"
        "cy@example.net,Cy,,01/02/2024,\n"
    )
    client.force_login(editor)
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post(
        "/newsletter/manage/subscribers/import/", {"file": SimpleUploadedFile("list.csv", csv.encode(), "text/csv")}
    )
    body = page.content.decode()
    assert "2 subscribers added" in body and "3 rows with errors" in body
    assert ">3<" in body and "not a valid email address" in body
    assert ">4<" in body and "no consent date" in body
    assert ">5<" in body and "does not re-add" in body
    ada = Subscriber.objects.get(email="ada@example.net")
    assert ada.status == "subscribed" and ada.consent_at.date().isoformat() == "2023-05-01"
    assert ada.consent_source == "paper form"
    assert Subscriber.objects.get(email="gone@example.net").status == "unsubscribed"


def test_a_member_who_signed_up_on_the_public_form_can_unsubscribe_from_their_settings(member, client):
    subscriber = Subscriber.objects.create(email=member.email, status="subscribed", consent_at=timezone.now())
    client.force_login(member)
    assert client.post("/newsletter/settings/", {"subscribe": "0"}).status_code == 302
    assert Subscriber.objects.get(pk=subscriber.pk).status == SubscriberStatus.UNSUBSCRIBED


def test_nobody_else_can_unsubscribe_a_subscriber_through_the_action(member, outsider):
    import pytest
    from django.core.exceptions import PermissionDenied

    subscriber = Subscriber.objects.create(email=member.email, status="subscribed", consent_at=timezone.now())
    with pytest.raises(PermissionDenied):
        subscriptions.unsubscribe(actor=outsider, subscriber=subscriber)
