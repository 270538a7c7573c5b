"""Pages: the public archive, issues, the Atom feed and pictures; the editor's compose, preview and progress."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from leveller.newsletter import tasks
from leveller.newsletter.actions import issues as issue_actions
from leveller.newsletter.models import Issue, Section
from leveller.realtime import registry
from tests.newsletter.conftest import make_issue

ATOM = "{http://www.w3.org/2005/Atom}"


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def published(editor, settings):
    settings.SITE_URL = "https://members.example.org"
    issue = issue_actions.create_issue(
        actor=editor,
        title="Rent strike special",
        summary="How Leeds won.",
        sections=[{"heading": "The win", "body": "We **won**. <script>alert(1)</script>"}],
    )
    return issue_actions.publish_issue(actor=editor, issue=issue, email=False)


def test_the_archive_and_an_issue_are_public_with_open_graph_tags(published, client):
    archive = client.get("/newsletter/").content.decode()
    assert "Rent strike special" in archive and 'type="application/atom+xml"' in archive
    page = client.get(published.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200 and f"/newsletter/{published.published_at.year}/rent-strike-special/" in html
    assert '<meta property="og:title" content="Rent strike special">' in html
    assert '<meta property="og:url" content="https://members.example.org/newsletter/' in html
    assert "<strong>won</strong>" in html and "<script>alert" not in html  # Markdown, sanitised


def test_drafts_are_not_public(editor, client):
    draft = make_issue(editor, title="Not yet")
    assert client.get(f"/newsletter/{timezone.now().year}/{draft.slug}/").status_code == 404
    assert "Not yet" not in client.get("/newsletter/").content.decode()
    assert "Not yet" not in client.get("/newsletter/feed.atom").content.decode()


def test_the_feed_is_valid_atom_with_every_published_issue(published, client):
    response = client.get("/newsletter/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own feed
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "https://members.example.org/newsletter/feed.atom"
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Rent strike special"
    assert entry.find(f"{ATOM}id").text.startswith("tag:members.example.org,")
    assert entry.find(f"{ATOM}link").get("href") == "https://members.example.org" + published.get_absolute_url()
    assert (entry.find(f"{ATOM}updated") is not None and entry.find(f"{ATOM}author") is not None) or feed.find(
        f"{ATOM}author"
    ) is not None
    assert "<strong>won</strong>" in entry.find(f"{ATOM}summary").text


def test_pictures_of_drafts_are_for_editors_until_the_issue_is_published(editor, member, client):
    issue = make_issue(editor)
    upload = SimpleUploadedFile("rally.png", png_bytes(), "image/png")
    image = issue_actions.add_image(actor=editor, issue=issue, upload=upload, alt="Members at the rally")
    url = image.get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(member)
    assert client.get(url).status_code == 404
    client.force_login(editor)
    assert client.get(url).status_code == 200
    client.logout()
    issue_actions.publish_issue(actor=editor, issue=issue, email=False)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_an_upload_that_is_not_a_picture_is_refused_clearly(editor, client):
    issue = make_issue(editor)
    client.force_login(editor)
    page = client.post(
        f"/newsletter/manage/issues/{issue.pk}/pictures/",
        {"image": SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", "image/png"), "alt": "x"},
        headers={"HX-Request": "true"},
    )
    assert "not a picture we can use" in page.content.decode()
    assert not issue.images.exists()


def test_an_editor_adds_reorders_edits_and_removes_sections_with_htmx(editor, client):
    issue = make_issue(editor)
    client.force_login(editor)
    htmx = {"HX-Request": "true"}
    fragment = client.post(f"/newsletter/manage/issues/{issue.pk}/sections/", {"kind": "spotlight"}, headers=htmx)
    assert fragment.status_code == 200 and 'id="sections"' in fragment.content.decode()
    news, spotlight = issue.sections.order_by("position")
    client.post(f"/newsletter/manage/sections/{spotlight.pk}/move/", {"direction": "up"}, headers=htmx)
    assert list(issue.sections.order_by("position").values_list("kind", flat=True)) == ["spotlight", "text"]
    saved = client.post(
        f"/newsletter/manage/sections/{spotlight.pk}/",
        {"heading": "Spotlight: Leeds", "body": "Q: Why?\n\nA: Because."},
        headers=htmx,
    )
    assert "Saved." in saved.content.decode()
    too_long = client.post(
        f"/newsletter/manage/sections/{spotlight.pk}/", {"heading": "x" * 300, "body": "kept"}, headers=htmx
    )
    assert "kept" in too_long.content.decode() and Section.objects.get(pk=spotlight.pk).body.startswith("Q: Why?")
    client.post(f"/newsletter/manage/sections/{news.pk}/remove/", headers=htmx)
    assert list(issue.sections.values_list("heading", flat=True)) == ["Spotlight: Leeds"]


def test_editor_pages_are_closed_to_members(member, editor, client):
    issue = make_issue(editor)
    client.force_login(member)
    for url in (
        "/newsletter/manage/",
        f"/newsletter/manage/issues/{issue.pk}/",
        f"/newsletter/manage/issues/{issue.pk}/preview/",
        "/newsletter/manage/subscribers/",
        "/newsletter/manage/questions/",
        f"/newsletter/manage/issues/{issue.pk}/sending/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/newsletter/manage/issues/{issue.pk}/publish/").status_code == 403
    assert Issue.objects.get(pk=issue.pk).status == "draft"


def test_every_editor_page_renders(editor, client, smtp, run_on_commit):
    issue = make_issue(editor)
    issue_actions.add_section(actor=editor, issue=issue, kind="answers")
    client.force_login(editor)
    for url in (
        "/newsletter/manage/",
        f"/newsletter/manage/issues/{issue.pk}/",
        f"/newsletter/manage/issues/{issue.pk}/preview/",
        f"/newsletter/manage/issues/{issue.pk}/preview/email/",
        "/newsletter/manage/subscribers/",
        "/newsletter/manage/questions/",
        "/newsletter/settings/",
        "/newsletter/question/",
        "/newsletter/subscribe/",
        "/",
    ):
        assert client.get(url).status_code == 200, url
    with run_on_commit():
        client.post(f"/newsletter/manage/issues/{issue.pk}/test/")
    assert smtp.to(editor.email)[0]["Subject"].startswith("[Preview]")
    with run_on_commit():
        page = client.post(f"/newsletter/manage/issues/{issue.pk}/publish/", {"email": "1"}, follow=True)
    assert "Sent" in page.content.decode() or "recipients" in page.content.decode()


def test_send_progress_is_pushed_only_to_editors(editor, member):
    assert registry.may_subscribe(editor, "newsletter-5")
    assert not registry.may_subscribe(member, "newsletter-5")


def test_a_scheduled_issue_is_published_by_the_worker_when_its_time_comes(editor, smtp):
    issue = make_issue(editor)
    issue_actions.schedule_issue(actor=editor, issue=issue, publish_at=timezone.now() + dt.timedelta(hours=1))
    assert tasks.publish_scheduled.call(issue_id=issue.pk) is False  # too early: nothing happens
    Issue.objects.filter(pk=issue.pk).update(publish_at=timezone.now() - dt.timedelta(seconds=1))
    assert tasks.publish_scheduled.call(issue_id=issue.pk) is True
    issue.refresh_from_db()
    assert issue.is_published and issue.send_status == "sending"


def test_a_schedule_in_the_past_is_refused(editor):
    issue = make_issue(editor)
    with pytest.raises(Exception, match="future"):
        issue_actions.schedule_issue(actor=editor, issue=issue, publish_at=timezone.now() - dt.timedelta(minutes=1))
