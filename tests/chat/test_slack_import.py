"""An admin imports real-format Slack exports (2015-16 style and modern): the API then shows every channel with
the right messages, authors, times, threads and reactions; a second run adds nothing; a stopped run resumes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from leveller.accounts.models import Member
from leveller.chat.models import Attachment, Channel, ChannelMembership, Kind, Message, Notification, Reaction
from leveller.chat.slack_import import messages as writer_module
from leveller.chat.slack_import.models import SlackUser
from leveller.chat.slack_import.people import PLACEHOLDER_DOMAIN
from leveller.realtime.models import Event
from tests.chat.slack_support import MODERN, OLD, copy_export, run, signature, zip_folder
from tests.support.personas import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def at(ts: str) -> str:
    return dt.datetime.fromtimestamp(float(ts), dt.UTC).isoformat()


def api_messages(api_client, viewer, channel: Channel) -> list[dict]:
    response = api_client(viewer).get(f"/api/v1/channels/{channel.pk}/messages?limit=200")
    assert response.status_code == 200
    return response.json()["messages"]


def member(email: str) -> Member:
    return Member.objects.get(email__iexact=email)


def test_a_modern_export_arrives_with_threads_reactions_edits_and_files(admin, api_client):
    report = run(admin, MODERN)
    assert report.messages["imported"] == 17
    dana, erin, finn = member("dana@example.org"), member("erin@example.org"), member("finn@example.org")
    general = Channel.objects.get(slack_id="C01GENERAL")
    assert (general.name, general.topic, general.purpose, general.private) == ("general", "Say hi", "Everyone", False)
    rows = api_messages(api_client, dana, general)
    assert [r["text"][:20] for r in rows][:3] == [
        "Hello \\@here, welcom",
        "Thread: who can do S",
        "Sorted: we're covere",
    ]
    assert rows[0]["html"] == "<p>Hello @here, welcome to the workspace 👋</p>\n"
    hello, thread = rows[0], rows[1]
    assert hello["author"]["display_name"] == "dana" and hello["created_at"] == at("1704103200.000200")
    assert "mention-special" not in hello["html"]  # <!here> is kept as text and notifies nobody
    assert thread["author"]["id"] == erin.pk and thread["reply_count"] == 3
    summary = {r["emoji"]: r["count"] for r in thread["reactions"]}
    assert summary == {"🙌": 2, "👍🏼": 1, ":party-parrot:": 1}
    replies = api_client(finn).get(f"/api/v1/messages/{thread['id']}/replies").json()
    replies = replies["messages"]
    assert [(r["author"]["id"], r["text"]) for r in replies] == [
        (finn.pk, "I can do the morning"),
        (dana.pk, "Afternoon for me, I'll bring the table"),
        (finn.pk, "Sorted: we're covered all day"),
    ]
    assert replies[1]["edited_at"] is not None and replies[0]["edited_at"] is None
    broadcast = rows[2]
    assert broadcast["thread_id"] == thread["id"] and broadcast["also_in_channel"] is True
    poster = next(r for r in rows if r["text"].startswith("Poster"))
    assert poster["author"]["display_name"] == "hugo" and [a["name"] for a in poster["attachments"]] == ["poster.png"]
    budget = next(r for r in rows if r["text"].startswith("And the budget"))
    assert budget["attachments"] == [] and "budget.xlsx" in budget["text"] and "files.slack.com" in budget["html"]
    bot = next(r for r in rows if r["author"]["bot"] and "rota" in r["text"].lower())
    assert bot["author"]["display_name"] == "Rota Bot" and "Mon: Dana" in bot["text"]
    stranger = next(r for r in rows if "not in users.json" in r["text"])
    assert stranger["author"] == {"id": None, "display_name": "U01ZZZZZ9", "handle": "", "bot": True}
    assert any("U01ZZZZZ9" in p["reason"] and p["file"] == "general/2024-01-02.json" for p in report.problems)


def test_markup_becomes_ours_mentions_links_and_code(admin, api_client):
    run(admin, MODERN)
    campaigns = Channel.objects.get(slack_id="C01CAMPAIG")
    general = Channel.objects.get(slack_id="C01GENERAL")
    rows = api_messages(api_client, member("erin@example.org"), campaigns)
    plan, me, code = rows
    assert plan["text"].startswith("Plan: **leaflets** Saturday, _doors_ Sunday.")
    assert '<a href="https://example.org/plan"' in plan["html"] and f'href="/chat/c/{general.pk}/"' in plan["html"]
    assert plan["html"].count("<strong>") == 1 and "<em>doors</em>" in plan["html"]
    assert plan["pinned"] is True  # pinned in channels.json's pins
    assert me["html"] == "<p><em>is printing the leaflets</em></p>\n"
    assert "<code>npm start</code>" in code["html"] and "<pre><code>git pull\nmake run\n</code></pre>" in code["html"]
    dm = Channel.objects.get(slack_id="D0DM00001")
    got_it = api_messages(api_client, member("dana@example.org"), dm)[1]
    assert got_it["text"] == "got it @dana" and 'class="mention" data-handle="dana"' in got_it["html"]
    private = Channel.objects.get(slack_id="C01ORGANIS")
    first = api_messages(api_client, member("dana@example.org"), private)[0]
    assert first["text"] == "Private: budget is 500 <= what we asked & more"


def test_people_are_matched_by_email_created_without_passwords_and_deleted_ones_deactivated(admin):
    existing = make_member("Erin From Before", "ERIN@example.org")
    run(admin, MODERN)
    assert member("erin@example.org").pk == existing.pk
    assert member("erin@example.org").display_name == "Erin From Before"  # an existing member keeps their name
    finn = member("finn@example.org")
    assert finn.display_name == "Finn F" and not finn.has_usable_password() and finn.time_zone == "Europe/London"
    hugo = SlackUser.objects.get(slack_id="U01HUGO00").member
    assert hugo.is_active is False and hugo.email.endswith("@" + PLACEHOLDER_DOMAIN) and hugo.display_name == "hugo"
    gwen = SlackUser.objects.get(slack_id="U01GWEN00").member
    assert gwen.is_active and gwen.email.endswith(PLACEHOLDER_DOMAIN)  # claimable later: an admin gives an email
    assert SlackUser.objects.get(slack_id="U01BOT000").member is None
    assert Member.objects.filter(display_name="Rota Bot").count() == 0
    assert len(mail.outbox) == 0  # no invitations unless asked


def test_invite_sends_a_claim_link_only_to_new_members_with_a_real_email(admin, django_capture_on_commit_callbacks):
    make_member("Erin From Before", "erin@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        report = run(admin, MODERN, invite=True)
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["dana@example.org", "finn@example.org", "olly@example.org"]
    assert report.people["invited"] == 3


def test_conversations_keep_their_kind_privacy_members_and_state(admin):
    run(admin, MODERN)
    by_id = {c.slack_id: c for c in Channel.objects.filter(slack_id__isnull=False)}
    assert by_id["C01ORGANIS"].private and by_id["C01ORGANIS"].kind == Kind.STANDARD
    assert by_id["D0DM00001"].kind == Kind.DM and by_id["D0DM00001"].private
    assert by_id["C01MPIM001"].kind == Kind.GROUP_DM
    emails = lambda c: sorted(c.memberships.values_list("member__email", flat=True))  # noqa: E731
    assert emails(by_id["C01ORGANIS"]) == ["dana@example.org", "erin@example.org"]
    assert emails(by_id["D0DM00001"]) == ["dana@example.org", "finn@example.org"]
    assert emails(by_id["C01MPIM001"]) == ["dana@example.org", "erin@example.org", "finn@example.org"]
    assert by_id["C01CAMPAIG"].created_by == member("erin@example.org")
    assert by_id["C01CAMPAIG"].created_at == dt.datetime.fromtimestamp(1704067300, dt.UTC)


def test_an_old_export_with_file_shares_joins_pins_and_an_archived_channel(admin, api_client):
    report = run(admin, OLD)
    alice, bob = member("alice.archer@example.org"), member("bob@example.org")
    assert alice.time_zone == "Europe/London" and bob.time_zone == "America/New_York"
    general = Channel.objects.get(slack_id="C0GENERAL")
    rows = api_messages(api_client, bob, general)
    texts = [r["text"] for r in rows]
    assert not any("has joined the channel" in t for t in texts)  # joins became memberships
    assert texts[0] == "Welcome everyone! Meeting notes are going in here from now on" and rows[0]["pinned"]
    assert texts[1] == "Thanks @alice.archer! **Really** glad we have this & the _old_ list is ~~dead~~ gone"
    assert rows[1]["reactions"] == [{"emoji": "👍", "count": 1, "member_ids": [alice.pk]}]
    assert rows[2]["author"]["display_name"] == "signup-bot" and "example.org/members/42" in rows[2]["html"]
    share = next(r for r in rows if "uploaded a file" in r["text"])
    assert share["pinned"] and "leaflet.pdf" in share["text"] and share["reply_count"] == 1
    comment = api_client(bob).get(f"/api/v1/messages/{share['id']}/replies").json()
    comment = comment["messages"]
    assert [(c["author"]["id"], c["text"]) for c in comment] == [(alice.pk, "Looks great, print 500")]
    me = next(r for r in rows if "print shop" in r["text"])
    assert me["text"] == "_is heading to the print shop_" and me["author"]["display_name"] == "Carol Cole"
    old = Channel.objects.get(slack_id="C0OLDPROJ")
    assert old.archived and old.archived_at == dt.datetime.fromtimestamp(1452816100.000003, dt.UTC)
    assert sorted(old.memberships.values_list("member__email", flat=True)) == ["bob@example.org"]  # carol left
    random_channel = Channel.objects.get(slack_id="C0RANDOM1")
    quote = api_messages(api_client, alice, random_channel)[1]
    assert "<blockquote>" in quote["html"] and "<pre><code>shelf 3\nleft side\n</code></pre>" in quote["html"]
    assert report.messages["state_changes"] == 9


def test_imported_history_notifies_nobody_and_is_read_by_everyone(admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run(admin, MODERN)
    assert Notification.objects.count() == 0 and len(mail.outbox) == 0
    imported = Channel.objects.filter(slack_id__isnull=False)
    assert not Event.objects.filter(type__startswith="message.").exists()
    for membership in ChannelMembership.objects.filter(channel__in=imported):
        latest = Message.objects.filter(channel=membership.channel).order_by("-id").first()
        assert membership.last_read_id == latest.pk


def test_imported_messages_are_searchable_by_their_members(admin, api_client):
    run(admin, MODERN)
    found = api_client(member("dana@example.org")).get("/api/v1/search?q=secretword").json()["results"]
    assert [row["message"]["text"] for row in found] == ["secretword agreed"]
    found = api_client(member("finn@example.org")).get("/api/v1/search?q=stall").json()["results"]
    assert len(found) == 1


def test_a_second_run_adds_nothing(admin):
    run(admin, MODERN)
    run(admin, OLD)
    before = signature()
    counts = (Message.objects.count(), Reaction.objects.count(), Attachment.objects.count(), Member.objects.count())
    again = run(admin, MODERN)
    run(admin, OLD)
    assert again.messages["imported"] == 0 and again.messages["already"] == 17
    assert (Message.objects.count(), Reaction.objects.count(), Attachment.objects.count(), Member.objects.count()) == (
        counts
    )
    assert signature() == before


def test_a_later_export_of_the_same_workspace_adds_only_whats_new(admin, tmp_path):
    first = copy_export(tmp_path)
    (first / "D0DM00001" / "2024-01-04.json").write_text(
        (MODERN / "D0DM00001" / "2024-01-04.json").read_text().replace('"got it', '"GOT it')
    )
    later = copy_export(tmp_path, name="later")
    (first / "campaigns" / "2024-01-02.json").unlink()
    run(admin, first)
    report = run(admin, later)
    assert report.messages["imported"] == 3 and report.messages["already"] == 14


@pytest.mark.parametrize("crash_after", [1, 3, 6])
def test_a_run_stopped_half_way_resumes_to_the_same_result_as_one_clean_run(admin, monkeypatch, crash_after):
    run(admin, MODERN)
    run(admin, OLD)
    clean = signature()
    Channel.objects.filter(slack_id__isnull=False).delete()
    Member.objects.filter(slack_users__isnull=False).delete()
    SlackUser.objects.all().delete()
    monkeypatch.setattr(writer_module, "BATCH", 2)
    real, calls = writer_module.insert_reactions, []

    def crash(rows):  # the batch's messages are written, then the process dies inside its transaction
        calls.append(1)
        real(rows)
        if len(calls) == crash_after:
            raise KeyboardInterrupt("kill -9")

    monkeypatch.setattr(writer_module, "insert_reactions", crash)
    with pytest.raises(KeyboardInterrupt):
        run(admin, MODERN)
    assert Message.objects.filter(slack_ts__isnull=False).count() < 17
    monkeypatch.setattr(writer_module, "insert_reactions", real)
    run(admin, MODERN)
    run(admin, OLD)
    resumed = signature()
    for key in clean:
        if key.startswith("C") and clean[key] != resumed[key]:
            for field in clean[key]:
                if clean[key][field] != resumed[key][field]:
                    print(key, field, clean[key][field], resumed[key][field], sep="\n")
    assert resumed == clean


def test_a_zipped_export_with_a_top_folder_imports_the_same_as_the_folder(admin, tmp_path):
    archive = zip_folder(MODERN, tmp_path / "export.zip", top="My Workspace Slack export/")
    report = run(admin, archive)
    assert report.messages["imported"] == 17 and report.messages["attachments"] == 1


def test_slackdumps_per_channel_attachments_folder_is_understood(admin, tmp_path):
    export = copy_export(tmp_path)
    (export / "general" / "attachments").mkdir()
    (export / "__uploads" / "F0POSTER1" / "poster.png").rename(
        export / "general" / "attachments" / "F0POSTER1-poster.png"
    )
    report = run(admin, export)
    assert report.messages["attachments"] == 1
    assert Attachment.objects.get().message.text == "Poster for Saturday attached"


def test_a_dry_run_changes_nothing_and_says_what_would_happen(admin):
    make_member("Erin From Before", "erin@example.org")
    before = (Member.objects.count(), Channel.objects.count(), Message.objects.count())
    report = run(admin, MODERN, dry_run=True)
    assert (Member.objects.count(), Channel.objects.count(), Message.objects.count()) == before
    assert SlackUser.objects.count() == 0
    assert report.people["matched"] == 1 and report.people["new"] == 5 and report.people["without_email"] == 2
    assert report.conversations["channels"] == 2 and report.conversations["dms"] == 1
    assert {row["name"]: row["messages"] for row in report.as_dict()["channels"]}["#general"] == 9
    assert report.messages["imported"] == 17 and report.messages["reactions"] == 5


def test_the_command_prints_the_report_and_a_dry_run_changes_nothing(admin, capsys):
    call_command("import", "slack", str(MODERN), "--dry-run", "--no-progress")
    out = capsys.readouterr().out
    assert "Dry run: nothing was changed." in out and "#general: 9 messages" in out
    assert Message.objects.count() == 0
    call_command("import", "slack", str(OLD), "--no-progress", "--default-channels")
    assert Channel.objects.get(slack_id="C0GENERAL").default is True
    assert "were imported" in capsys.readouterr().out


def test_a_channel_name_already_taken_here_is_renamed_and_reported(admin, organiser):
    from leveller.chat.actions import channels as channel_actions

    channel_actions.create_channel(actor=organiser, name="organisers", private=False)
    report = run(admin, MODERN)
    imported = Channel.objects.get(slack_id="C01ORGANIS")
    assert imported.name == "organisers-slack" and imported.private
    assert any("organisers-slack" in line for line in report.renamed)
