"""The editors' API: create, publish, progress. Everyone else is kept out."""

from __future__ import annotations

from leveller.newsletter.models import Issue
from tests.newsletter.conftest import add_subscribers

ISSUE = {
    "title": "The May issue",
    "sections": [
        {"heading": "News", "body": "A **win** in Leeds."},
        {"heading": "Events", "body": "- Rally on Saturday"},
    ],
}


def test_an_editor_creates_publishes_and_follows_the_send_of_an_issue(smtp, editor, api_client, run_on_commit):
    add_subscribers(4)
    smtp.refuse["reader2@example.net"] = "550 5.1.1 Unknown user"
    api = api_client(editor)
    created = api.post("/api/v1/newsletter/issues", ISSUE)
    assert created.status_code == 201
    issue_id = created.json()["id"]
    assert [s["heading"] for s in created.json()["sections"]] == ["News", "Events"]
    assert api.get(f"/api/v1/newsletter/issues/{issue_id}").json()["recipients"] == 0

    with run_on_commit():
        published = api.post(f"/api/v1/newsletter/issues/{issue_id}/publish")
    assert published.status_code == 202
    progress = api.get(f"/api/v1/newsletter/issues/{issue_id}").json()
    assert {k: progress[k] for k in ("recipients", "sent", "failed")} == {"recipients": 4, "sent": 3, "failed": 1}
    assert progress["status"] == "published" and progress["url"].endswith(f"/{progress['slug']}/")
    assert api.post(f"/api/v1/newsletter/issues/{issue_id}/publish").status_code == 400  # only once


def test_members_cannot_create_publish_or_see_issues(member, outsider, editor, api_client):
    draft = Issue.objects.create(title="Secret draft", slug="secret-draft", created_by=editor)
    api = api_client(member)
    assert api.post("/api/v1/newsletter/issues", ISSUE).status_code == 403
    assert api.get(f"/api/v1/newsletter/issues/{draft.pk}").status_code == 404
    assert api.post(f"/api/v1/newsletter/issues/{draft.pk}/publish").status_code == 404
    assert api_client(outsider).get("/api/v1/newsletter/issues").status_code == 403
    assert api_client().post("/api/v1/newsletter/issues", ISSUE).status_code == 401
    assert Issue.objects.get(pk=draft.pk).status == "draft"


def test_staff_without_the_editor_role_are_not_editors_but_admins_are(staff, admin, api_client):
    assert api_client(staff).post("/api/v1/newsletter/issues", ISSUE).status_code == 403
    assert api_client(admin).post("/api/v1/newsletter/issues", ISSUE).status_code == 201


def test_an_issue_needs_a_title(editor, api_client):
    response = api_client(editor).post("/api/v1/newsletter/issues", {"title": "  ", "sections": []})
    assert response.status_code == 400 and "title" in response.json()["detail"]
