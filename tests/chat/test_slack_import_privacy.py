"""Nothing private leaks: an outsider sees nothing of an imported private channel, DM or group DM on any path,
and only admins see the import pages, reports and progress."""

from __future__ import annotations

import pytest

from leveller.accounts.models import Member
from leveller.chat.models import Channel, Message
from leveller.realtime import registry
from tests.chat.slack_support import MODERN, run

pytestmark = pytest.mark.django_db
SECRETS = ["secretword", "dmsecret", "groupsecret", "budget is 500"]


@pytest.fixture
def imported(admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    run(admin, MODERN)
    return {c.slack_id: c for c in Channel.objects.filter(slack_id__isnull=False)}


@pytest.fixture
def olly(imported):
    """In Slack's #general, but in none of the private conversations."""
    return Member.objects.get(email="olly@example.org")


def private_messages(imported):
    return Message.objects.filter(channel__slack_id__in=["C01ORGANIS", "D0DM00001", "C01MPIM001"])


@pytest.mark.parametrize("who", ["olly", "outsider"])
def test_the_api_shows_an_outsider_nothing_of_imported_private_conversations(request, api_client, imported, who):
    viewer = request.getfixturevalue(who)
    client = api_client(viewer)
    listed = {row["id"] for row in client.get("/api/v1/channels").json()}
    for slack_id in ["C01ORGANIS", "D0DM00001", "C01MPIM001"]:
        channel = imported[slack_id]
        assert channel.pk not in listed
        assert client.get(f"/api/v1/channels/{channel.pk}").status_code == 404
        assert client.get(f"/api/v1/channels/{channel.pk}/messages").status_code == 404
    for message in private_messages(imported):
        assert client.get(f"/api/v1/messages/{message.pk}").status_code == 404
        assert client.get(f"/api/v1/messages/{message.pk}/replies").status_code == 404
    for word in SECRETS:
        assert client.get(f"/api/v1/search?q={word}").json()["results"] == []
    assert client.get("/api/v1/search?q=in:%23organisers").json()["results"] == []


@pytest.mark.parametrize("who", ["olly", "outsider"])
def test_pages_show_an_outsider_nothing_of_imported_private_conversations(client, request, imported, who):
    client.force_login(request.getfixturevalue(who))
    for slack_id in ["C01ORGANIS", "D0DM00001", "C01MPIM001"]:
        channel = imported[slack_id]
        for url in [f"/chat/c/{channel.pk}/", f"/chat/c/{channel.pk}/history/?before=999999"]:
            assert client.get(url).status_code == 404
    for message in private_messages(imported):
        for url in [f"/chat/m/{message.pk}/", f"/chat/m/{message.pk}/row/", f"/chat/m/{message.pk}/thread/"]:
            response = client.get(url)
            assert response.status_code == 404, url
    pages = [client.get(url).content.decode() for url in ["/chat/", "/chat/browse/", "/chat/search/?q=secretword"]]
    for page in pages:
        assert not any(text in page for text in ["secretword agreed", "dmsecret for", "groupsecret:", "budget is 500"])
        assert "Private planning" not in page and "Organisers only" not in page and "#organisers" not in page
    assert not registry.may_subscribe(request.getfixturevalue(who), f"channel-{imported['C01ORGANIS'].pk}")


def test_the_members_of_a_private_conversation_do_see_it(api_client, imported):
    dana = Member.objects.get(email="dana@example.org")
    listed = {row["id"] for row in api_client(dana).get("/api/v1/channels").json()}
    assert {imported[s].pk for s in ["C01ORGANIS", "D0DM00001", "C01MPIM001"]} <= listed


def test_only_admins_reach_the_import_pages_and_its_progress_stream(client, imported, staff, member, admin):
    from leveller.chat.slack_import.models import SlackImportRun

    run_row = SlackImportRun.objects.create(path=str(MODERN), started_by=admin, report={"messages": {"imported": 17}})
    for who in [staff, member]:
        client.force_login(who)
        for url in ["/manage/import/slack/", f"/manage/import/slack/{run_row.pk}/"]:
            assert client.get(url).status_code == 403, url
        assert client.post(f"/manage/import/slack/{run_row.pk}/start/").status_code == 403
        assert not registry.may_subscribe(who, run_row.stream)
    assert registry.may_subscribe(admin, run_row.stream)
    client.logout()
    assert client.get("/manage/import/slack/").status_code == 302
