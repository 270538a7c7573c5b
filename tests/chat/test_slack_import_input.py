"""Bad input gets a clear error naming the file and line, and loses nothing already saved."""

from __future__ import annotations

import zipfile

import pytest

from leveller.chat.models import Message
from leveller.chat.render import render
from leveller.chat.slack_import import markup
from leveller.chat.slack_import.source import ExportError, open_export, parse_day
from tests.chat.slack_support import MODERN, copy_export, run, zip_folder

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_folder_that_is_not_a_slack_export_is_refused_by_name(admin, tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.json").write_text("[]")
    with pytest.raises(ExportError, match=r"not a Slack export: it has no users\.json or channels\.json"):
        run(admin, tmp_path / "photos")
    with pytest.raises(ExportError, match="does not exist"):
        run(admin, tmp_path / "nowhere.zip")
    (tmp_path / "fake.zip").write_bytes(b"not a zip at all")
    with pytest.raises(ExportError, match=r"fake\.zip: is not a readable zip file"):
        run(admin, tmp_path / "fake.zip")


def test_a_broken_day_file_is_reported_with_its_line_and_skipped_while_the_rest_imports(admin, tmp_path):
    export = copy_export(tmp_path)
    broken = export / "general" / "2024-01-02.json"
    broken.write_text(
        broken.read_text().replace('"Poster for Saturday attached",', '"Poster for Saturday attached"', 1)
    )
    report = run(admin, export)
    problem = next(p for p in report.problems if p["file"] == "general/2024-01-02.json")
    assert "is not valid JSON" in problem["reason"] and "skipped" in problem["reason"]
    line = next(n for n, text in enumerate(broken.read_text().splitlines(), 1) if "Poster for Saturday" in text)
    assert problem["line"] == line + 1
    assert report.messages["imported"] == 17 - 5  # that day's five messages only
    assert Message.objects.filter(text__startswith="Thread: who can do").exists()


def test_non_utf8_text_is_named_with_its_file_and_line(admin, tmp_path):
    export = copy_export(tmp_path)
    day = export / "campaigns" / "2024-01-02.json"
    day.write_bytes(day.read_bytes().replace(b"Plan:", "Pl\xe9n:".encode("latin-1"), 1))
    report = run(admin, export)
    problem = next(p for p in report.problems if p["file"] == "campaigns/2024-01-02.json")
    line = next(n for n, text in enumerate(day.read_bytes().split(b"\n"), 1) if b"Pl\xe9n" in text)
    assert "is not UTF-8 text" in problem["reason"] and problem["line"] == line
    (export / "users.json").write_bytes(b'[{"id": "U1", "name": "\xff"}]')
    with pytest.raises(ExportError, match=r"users.json, line 1: is not UTF-8"):
        run(admin, export)


def test_an_invalid_users_file_stops_the_import_before_anything_changes(admin, tmp_path):
    export = copy_export(tmp_path)
    (export / "users.json").write_text('[\n  {"id": "U1",\n  "name": }\n]')
    with pytest.raises(ExportError) as caught:
        run(admin, export)
    assert caught.value.file == "users.json" and caught.value.line == 3
    assert Message.objects.count() == 0


def test_zip_entries_with_absolute_or_parent_paths_are_refused(admin, tmp_path):
    for bad in ["../../etc/evil.json", "/etc/evil.json", "general/../../x.json", "C:/windows/x.json"]:
        archive = zip_folder(MODERN, tmp_path / "export.zip")
        with zipfile.ZipFile(archive, "a") as handle:
            handle.writestr(bad, "[]")
        with pytest.raises(ExportError, match="unsafe path"):
            run(admin, archive)
    assert Message.objects.count() == 0


def test_zip_bombs_are_refused_by_ratio_and_by_total_size(admin, tmp_path, settings):
    archive = zip_folder(MODERN, tmp_path / "bomb.zip")
    with zipfile.ZipFile(archive, "a", zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("general/2024-02-01.json", b" " * (50 * 1024 * 1024))
    with pytest.raises(ExportError, match="looks like a zip bomb"):
        run(admin, archive)
    settings.SLACK_IMPORT_MAX_TOTAL_MB = 0
    with pytest.raises(ExportError, match="over the 0 MB limit"):
        open_export(zip_folder(MODERN, tmp_path / "small.zip"))


def test_a_day_file_that_is_not_a_list_names_its_file():
    with pytest.raises(ExportError, match=r"general/x\.json, line 1: is not a day file"):
        parse_day(b'{"type": "message"}', "general/x.json")
    assert parse_day(b"", "empty.json") == []
    assert [line for line, _ in parse_day(b'[\n {"ts": "1"},\n\n {"ts": "2"}\n]', "d.json")] == [2, 4]


def test_a_file_the_export_holds_but_we_refuse_is_listed_and_kept_as_a_link(admin, tmp_path):
    export = copy_export(tmp_path)
    (export / "__uploads" / "F0POSTER1" / "poster.png").write_bytes(b"MZ\x90\x00 not an image")
    report = run(admin, export)
    assert report.messages["attachments"] == 0
    assert any("file not attached" in p["reason"] and "poster.png" in p["reason"] for p in report.problems)
    message = Message.objects.get(text__startswith="Poster for Saturday")
    assert "files.slack.com" in message.html and not message.attachments.exists()


def users(uid):
    return {"U1": ("sam", "Sam"), "U2": (None, "Kim Lee")}.get(uid, (None, uid))


def channels(cid):
    return {"C1": (7, "general")}.get(cid)


@pytest.mark.parametrize(
    ("slack", "ours"),
    [
        ("hi <@U1>", "hi @sam"),
        ("hi <@U2|kim>", "hi @kim"),
        ("hi <@U9>", "hi @U9"),
        ("see <#C1|general> and <#C9|gone>", "see [#general](/chat/c/7/) and #gone"),
        ("<!here> <!channel> <!everyone|everyone>", "\\@here \\@channel \\@everyone"),
        ("<!subteam^S1|@organisers> meet", "\\@organisers meet"),
        ("<!date^1392734382^{date}|Feb 18th, 2014>", "Feb 18th, 2014"),
        ("<https://example.org/a?b=1&amp;c=2|the site>", "[the site](https://example.org/a?b=1&c=2)"),
        ("<https://example.org>", "<https://example.org>"),
        ("<mailto:a@example.org|a@example.org>", "<mailto:a@example.org>"),
        ("*bold* _it_ ~gone~", "**bold** _it_ ~~gone~~"),
        ("a*b*c and 2*3*4", "a*b*c and 2*3*4"),
        ("`*not bold*` and ```*nor* <@U1>```", "`*not bold*` and \n```\n*nor* <@U1>\n```"),
        ("&gt; quoted\nnot quoted", "> quoted\n\nnot quoted"),
        ("1 &lt; 2 &amp;&amp; 3 &gt; 2", "1 < 2 && 3 > 2"),
        ("nice :tada: :not-an-emoji:", "nice 🎉 :not-an-emoji:"),
    ],
)
def test_slack_markup_becomes_leveller_markdown(slack, ours):
    assert markup.convert(slack, users=users, channels=channels)[0] == ours


def test_plain_messages_render_exactly_as_the_renderer_would():
    samples = [
        "Hello there, how are you?",
        "It's done (mostly) - thanks!",
        'She said "yes" twice',
        "Meeting at 10. Bring leaflets",
        "Room 2.5 is free",
        "example.com is the site",
        "Ends with a dot.",
        "Über café naïve",
        "1. first",
        "- item",
        "email a@b.org",
    ]
    for text in samples:
        assert markup.to_html(text, set()) == render(text), text


INLINE_PIECES = [
    "Meeting",
    "rent",
    "don't",
    "well-known",
    "café",
    "日本",
    "2022",
    "ok,",
    "now.",
    "what?",
    "yes!",
    "note:",
    "@sam",
    "@Sam",
    "@sam,",
    "@here",
    "@channel",
    "@everyone",
    "@nobody",
    "@a-b",
    "@sam-",
    "@sam.smith",
    "@sam_x",
    "[banner](https://example.org/neighbours)",
    "[#channel-1](/chat/c/5/)",
    "[two words](https://a.org/x_y)",
    "<https://example.org/a>",
    "<https://a.org/x.y/z>",
    "<http://a.org>",
    "**bold**",
    "**two words**,",
    "~~gone~~",
    "~~gone~~!",
    "`code`",
    "`a.b_c`",
    "&",
    "&amp;",
    "_it_",
    "*it*",
    "a|b",
    "<b>",
    "x@y.org",
    "example.org",
    "www.example.com",
    "e.g.",
    "1.",
    "-",
    ">",
    "#",
    "(x)",
    '"q"',
    "a\\b",
    "**",
    "`",
    "~",
]


def test_lines_of_simple_inline_markup_render_exactly_as_the_renderer_would():
    """The importer renders simple lines itself (it is most of an import's time otherwise); a random corpus of
    pieces, tricky ones included, must come out byte for byte as the renderer makes them."""
    import random

    rng = random.Random(14)
    handles = {"sam", "a-b"}
    lines = [" ".join(rng.choices(INLINE_PIECES, k=rng.randint(1, 7))) for _ in range(3000)]
    lines += ["1. first", "- item", "> quote", "@sam  two spaces", " leading", "trailing ", "a\nb", "# head"]
    fast = 0
    for text in lines:
        fast += markup._inline(text, handles) is not None
        assert markup.to_html(text, handles) == render(text, known_handle=lambda h: h in handles), text
    assert fast > 300  # the fast path is really taken


def test_reaction_names_become_unicode_with_skin_tones_and_custom_ones_stay_names():
    assert markup.reaction_emoji("+1") == "👍"
    assert markup.reaction_emoji("thumbsup::skin-tone-2") == "👍🏻"
    assert markup.reaction_emoji("heart") == "❤️"
    assert markup.reaction_emoji("simple_smile") == "🙂"
    assert markup.reaction_emoji("party-parrot") == ":party-parrot:"
