"""The editor's issue pages without JavaScript and with htmx: starting an issue, saving its title, sections and
pictures, previewing the email that went out, publishing, scheduling, and resuming a send that stopped. Every
refusal says why and keeps what was saved; members and staff who are not editors change nothing."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from leveller.newsletter.actions import issues as issue_actions
from leveller.newsletter.models import Delivery, DeliveryState, Issue, IssueStatus, Section
from tests.newsletter.conftest import add_subscribers, make_issue
from tests.newsletter.test_pages import png_bytes

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def text(response) -> str:
    return html.unescape(response.content.decode())


def manage(path: str) -> str:
    return f"/newsletter/manage/{path}"


def section_of(issue) -> Section:
    return issue.sections.get()


def publish_with_email(editor, *, readers: int = 2) -> Issue:
    """Published and queued for `readers` subscribers; the sender never ran (nothing commits in a test)."""
    add_subscribers(readers)
    return issue_actions.publish_issue(actor=editor, issue=make_issue(editor), email=True)


# --- who may use these pages ------------------------------------------------------------------------------


def test_members_and_staff_who_are_not_editors_change_nothing(client, member, staff, editor):
    issue = make_issue(editor)
    section = section_of(issue)
    posts = [
        (manage("issues/new/"), {"title": "Mine"}),
        (manage(f"issues/{issue.pk}/"), {"title": "Hijacked"}),
        (manage(f"issues/{issue.pk}/sections/"), {"kind": "text"}),
        (manage(f"sections/{section.pk}/"), {"heading": "Hijacked", "body": ""}),
        (manage(f"sections/{section.pk}/move/"), {"direction": "down"}),
        (manage(f"sections/{section.pk}/remove/"), {}),
        (manage(f"issues/{issue.pk}/schedule/"), {"publish_at": "2099-01-01T09:00"}),
        (manage(f"issues/{issue.pk}/resume/"), {}),
        (manage(f"issues/{issue.pk}/test/"), {}),
    ]
    for who in (member, staff):
        client.force_login(who)
        for url, data in posts:
            assert client.post(url, data).status_code == 403, url
        assert client.get(manage(f"issues/{issue.pk}/preview/email/")).status_code == 403
    issue.refresh_from_db()
    assert (Issue.objects.count(), issue.title, issue.status) == (1, "Spring issue", IssueStatus.DRAFT)
    assert list(issue.sections.values_list("heading", flat=True)) == ["News"]


def test_an_issue_that_does_not_exist_is_a_404(client, editor):
    client.force_login(editor)
    assert client.get(manage("issues/999999/")).status_code == 404
    assert client.post(manage("sections/999999/"), {"heading": "x"}).status_code == 404


# --- the dashboard and a new issue ------------------------------------------------------------------------


def test_the_dashboard_shows_each_issue_with_its_delivery_numbers(client, editor):
    issue = publish_with_email(editor, readers=3)
    Delivery.objects.filter(issue=issue).update(state=DeliveryState.SENT)
    Delivery.objects.filter(pk=Delivery.objects.filter(issue=issue).first().pk).update(state=DeliveryState.BOUNCED)
    client.force_login(editor)
    page = text(client.get(manage("")))
    assert "Subscribers (3 receiving)" in page
    assert "<td>3</td><td>2</td><td>1</td><td>0</td>" in page.replace("\n", "")


def test_an_editor_starts_an_issue_and_lands_on_its_page(client, editor):
    client.force_login(editor)
    response = client.post(manage("issues/new/"), {"title": "Summer issue", "summary": "Heat and rent."})
    issue = Issue.objects.get()
    assert response["Location"] == manage(f"issues/{issue.pk}/")
    assert (issue.title, issue.summary, issue.status) == ("Summer issue", "Heat and rent.", IssueStatus.DRAFT)


def test_an_issue_without_a_title_is_explained_and_not_made(client, editor):
    client.force_login(editor)
    response = client.post(manage("issues/new/"), {"title": "  "}, follow=True)
    assert "Give the issue a title." in text(response)
    assert not Issue.objects.exists()


# --- the title, sections and pictures -----------------------------------------------------------------------


def test_an_editor_saves_the_title_and_summary(client, editor):
    issue = make_issue(editor)
    client.force_login(editor)
    response = client.post(manage(f"issues/{issue.pk}/"), {"title": "Spring special", "summary": "Wins."}, follow=True)
    page = text(response)
    assert "Saved." in page and "The email already sent is unchanged." not in page
    issue.refresh_from_db()
    assert (issue.title, issue.summary) == ("Spring special", "Wins.")


def test_editing_a_published_issue_warns_that_the_email_stays_as_sent(client, editor):
    issue = issue_actions.publish_issue(actor=editor, issue=make_issue(editor), email=False)
    client.force_login(editor)
    response = client.post(manage(f"issues/{issue.pk}/"), {"title": "Spring issue (corrected)"}, follow=True)
    assert "Saved. The email already sent is unchanged." in text(response)
    issue.refresh_from_db()
    assert issue.title == "Spring issue (corrected)"
    assert "Spring issue" in issue.email_subject and "(corrected)" not in issue.email_subject


def test_a_blank_title_is_explained_and_the_summary_kept(client, editor):
    issue = make_issue(editor)
    client.force_login(editor)
    response = client.post(manage(f"issues/{issue.pk}/"), {"title": "", "summary": "My new summary"})
    assert response.status_code == 200
    page = text(response)
    assert "This field is required." in page and "My new summary" in page
    assert Issue.objects.get(pk=issue.pk).title == "Spring issue"


def test_without_javascript_sections_are_added_moved_saved_and_removed(client, editor):
    issue = make_issue(editor)
    client.force_login(editor)
    compose = manage(f"issues/{issue.pk}/")
    assert client.post(manage(f"issues/{issue.pk}/sections/"), {"kind": "free"})["Location"] == compose
    news, free = issue.sections.order_by("position")
    assert client.post(manage(f"sections/{free.pk}/move/"), {"direction": "up"})["Location"] == compose
    assert list(issue.sections.order_by("position").values_list("kind", flat=True)) == ["free", "text"]
    assert client.post(manage(f"sections/{free.pk}/"), {"heading": "Notices", "body": "AGM"})["Location"] == compose
    assert Section.objects.get(pk=free.pk).body == "AGM"
    assert client.post(manage(f"sections/{news.pk}/remove/"))["Location"] == compose
    assert list(issue.sections.values_list("heading", flat=True)) == ["Notices"]


def test_an_unknown_kind_of_section_is_explained_with_and_without_javascript(client, editor):
    issue = make_issue(editor)
    client.force_login(editor)
    response = client.post(manage(f"issues/{issue.pk}/sections/"), {"kind": "horoscope"}, follow=True)
    assert "Choose a kind of section." in text(response)
    fragment = client.post(manage(f"issues/{issue.pk}/sections/"), {"kind": "horoscope"}, headers=HTMX)
    assert "Choose a kind of section." in text(fragment) and 'role="alert"' in text(fragment)
    assert issue.sections.count() == 1


def test_an_issue_full_of_sections_takes_no_more_and_says_so(client, editor):
    issue = make_issue(editor)
    for _ in range(issue_actions.MAX_SECTIONS - 1):
        issue_actions.add_section(actor=editor, issue=issue, kind="text")
    client.force_login(editor)
    response = client.post(manage(f"issues/{issue.pk}/sections/"), {"kind": "text"}, follow=True)
    assert f"An issue can have at most {issue_actions.MAX_SECTIONS} sections." in text(response)
    assert issue.sections.count() == issue_actions.MAX_SECTIONS


def test_a_spotlight_on_a_group_that_is_not_listed_is_refused_and_the_text_kept(client, editor):
    issue = make_issue(editor)
    spotlight = issue_actions.add_section(actor=editor, issue=issue, kind="spotlight")
    client.force_login(editor)
    form = {"heading": "Spotlight", "body": "My draft words", "group_id": "999999"}
    fragment = client.post(manage(f"sections/{spotlight.pk}/"), form, headers=HTMX)
    page = text(fragment)
    assert "Choose a group from the list." in page and "My draft words" in page and "Saved." not in page
    response = client.post(manage(f"sections/{spotlight.pk}/"), form, follow=True)
    assert "Choose a group from the list." in text(response)
    assert Section.objects.get(pk=spotlight.pk).body == ""


def test_a_too_long_heading_without_javascript_names_the_field(client, editor):
    issue = make_issue(editor)
    client.force_login(editor)
    response = client.post(manage(f"sections/{section_of(issue).pk}/"), {"heading": "x" * 201, "body": ""}, follow=True)
    assert "heading: Ensure this value has at most 200 characters (it has 201)." in text(response)
    assert section_of(issue).heading == "News"


def test_moving_a_section_sideways_is_explained_not_a_server_error(client, editor):
    issue = make_issue(editor)
    section = section_of(issue)
    client.force_login(editor)
    response = client.post(manage(f"sections/{section.pk}/move/"), {"direction": "sideways"}, follow=True)
    assert response.status_code == 200 and "Move a section up or down." in text(response)
    fragment = client.post(manage(f"sections/{section.pk}/move/"), {"direction": "sideways"}, headers=HTMX)
    assert fragment.status_code == 200 and "Move a section up or down." in text(fragment)


def test_an_editor_uploads_a_picture_without_javascript(client, editor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    issue = make_issue(editor)
    client.force_login(editor)
    upload = SimpleUploadedFile("rally.png", png_bytes(), "image/png")
    response = client.post(manage(f"issues/{issue.pk}/pictures/"), {"image": upload, "alt": "The rally"})
    assert response["Location"] == manage(f"issues/{issue.pk}/")
    assert list(issue.images.values_list("alt", flat=True)) == ["The rally"]


def test_a_picture_without_a_file_or_description_is_explained(client, editor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    issue = make_issue(editor)
    client.force_login(editor)
    fragment = client.post(manage(f"issues/{issue.pk}/pictures/"), {"alt": "No file"}, headers=HTMX)
    assert "Choose a picture and describe it." in text(fragment)
    bad = SimpleUploadedFile("x.png", b"not a picture", "image/png")
    response = client.post(manage(f"issues/{issue.pk}/pictures/"), {"image": bad, "alt": "x"}, follow=True)
    assert "not a picture we can use" in text(response)
    assert not issue.images.exists()


# --- previews, publishing and scheduling --------------------------------------------------------------------


def test_the_email_preview_of_a_published_issue_is_the_email_that_was_sent(client, editor):
    issue = issue_actions.publish_issue(actor=editor, issue=make_issue(editor, body="Original words"), email=False)
    issue_actions.update_section(actor=editor, section=section_of(issue), heading="News", body="Corrected words")
    client.force_login(editor)
    page = text(client.get(manage(f"issues/{issue.pk}/preview/email/")))
    assert "Original words" in page and "Corrected words" not in page
    assert "Corrected words" in text(client.get(manage(f"issues/{issue.pk}/preview/")))


def test_the_test_email_goes_to_the_editor_only(client, editor, smtp, run_on_commit):
    add_subscribers(2)
    issue = make_issue(editor)
    client.force_login(editor)
    with run_on_commit():
        response = client.post(manage(f"issues/{issue.pk}/test/"), follow=True)
    assert "A preview is on its way to editor@example.org." in text(response)
    assert smtp.recipients() == ["editor@example.org"]


def test_an_issue_without_sections_is_not_published_and_the_editor_is_told(client, editor):
    issue = issue_actions.create_issue(actor=editor, title="Empty")
    client.force_login(editor)
    response = client.post(manage(f"issues/{issue.pk}/publish/"), {"email": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == manage(f"issues/{issue.pk}/")
    assert "Add at least one section before publishing." in text(response)
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.DRAFT


def test_publishing_twice_is_refused(client, editor):
    issue = make_issue(editor)
    client.force_login(editor)
    client.post(manage(f"issues/{issue.pk}/publish/"), {"email": "0"})
    response = client.post(manage(f"issues/{issue.pk}/publish/"), {"email": "1"}, follow=True)
    assert "This issue is already published." in text(response)
    assert not Delivery.objects.filter(issue=issue).exists()


def test_an_editor_schedules_an_issue_then_cancels_the_schedule(client, editor):
    issue = make_issue(editor)
    client.force_login(editor)
    when = timezone.localtime() + dt.timedelta(days=2)
    response = client.post(
        manage(f"issues/{issue.pk}/schedule/"), {"publish_at": when.strftime("%Y-%m-%dT%H:%M")}, follow=True
    )
    assert f"Scheduled for {when:%-d %B %Y at %H:%M}." in text(response)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SCHEDULED and issue.publish_at is not None
    response = client.post(manage(f"issues/{issue.pk}/schedule/"), {"cancel": "1"}, follow=True)
    assert "No longer scheduled: it is a draft again." in text(response)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.DRAFT and issue.publish_at is None


@pytest.mark.parametrize(
    "publish_at, message",
    [
        ("", "Give a date and time to publish."),
        ("next Tuesday", "Give a date and time to publish."),
        ("2000-01-01T09:00", "Choose a time in the future, or publish now."),
    ],
)
def test_a_bad_schedule_is_explained_and_the_issue_stays_a_draft(client, editor, publish_at, message):
    issue = make_issue(editor)
    client.force_login(editor)
    response = client.post(manage(f"issues/{issue.pk}/schedule/"), {"publish_at": publish_at}, follow=True)
    assert message in text(response)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.DRAFT and issue.publish_at is None


# --- sending progress and resuming ----------------------------------------------------------------------------


def test_a_send_with_no_sender_working_offers_to_resume_and_resuming_sends(client, editor, smtp, run_on_commit):
    issue = publish_with_email(editor)
    client.force_login(editor)
    page = text(client.get(manage(f"issues/{issue.pk}/sending/")))
    assert "No sender is working on this issue." in page
    fragment = text(client.get(manage(f"issues/{issue.pk}/sending/"), headers=HTMX))
    assert "<html" not in fragment and "Resume sending" in fragment
    with run_on_commit():
        response = client.post(manage(f"issues/{issue.pk}/resume/"), follow=True)
    assert "Sending resumed." in text(response)
    assert sorted(smtp.recipients()) == ["reader0@example.net", "reader1@example.net"]
    assert set(Delivery.objects.filter(issue=issue).values_list("state", flat=True)) == {DeliveryState.SENT}


def test_interrupted_messages_are_resent_only_when_the_editor_asks(client, editor, smtp, run_on_commit):
    issue = publish_with_email(editor)
    Delivery.objects.filter(issue=issue).update(state=DeliveryState.UNKNOWN)
    client.force_login(editor)
    page = text(client.get(manage(f"issues/{issue.pk}/sending/")))
    assert "Resend to these 2" in page and "may give those people a second copy" in page
    with run_on_commit():
        response = client.post(manage(f"issues/{issue.pk}/resume/"), {"unknown": "1"}, follow=True)
    assert "Resending to 2 recipients whose message was interrupted." in text(response)
    assert len(smtp.recipients()) == 2


def test_resume_only_takes_posts(client, editor):
    issue = publish_with_email(editor)
    client.force_login(editor)
    assert client.get(manage(f"issues/{issue.pk}/resume/")).status_code == 405
