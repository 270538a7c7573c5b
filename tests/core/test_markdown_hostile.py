"""Whatever anyone types, no profile of the one Markdown renderer lets it run script or reach out of the page.

The same hostile corpus runs against every profile in leveller.core.markdown.PROFILES (chat, long-form,
script): a new profile is checked the moment it is declared.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from leveller.core import markdown

PROFILES = list(markdown.PROFILES.values())
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror>",
    "![x](x onerror=alert(1))",
    '![x](/u/a.png "x" onerror="alert(1)")',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](jav&#x09;ascript:alert(1))",
    "[click](jav&#x0A;ascript:alert(1))",
    "[click](&#x6A;avascript:alert(1))",
    "[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1))",
    "[click](java\\script:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](vbscript:msgbox(1))",
    "[x](VBScript:msgbox(1))",
    "[x](file:///etc/passwd)",
    "![img](javascript:alert(1))",
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "javascript:alert(1) and www.example.org and https://example.org/<script>",
    '<https://example.org/"onmouseover="alert(1)>',
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<<script>script>alert(1)<</script>/script>",
    "<b onmouseover=alert(1)>hover</b",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '"><img src=x onerror=alert(1)>',
    "<form action=https://evil.example><input name=password></form>",
    "<object data=javascript:alert(1)></object>",
    "<meta http-equiv=refresh content='0;url=https://evil.example'>",
    "`<script>alert(1)</script>` and ```\n<script>alert(1)</script>\n```",
    "    <script>alert(1)</script>",
    "<a href='https://ok.example' onclick='alert(1)'>ok</a>",
    "@<img src=x onerror=alert(1)>",
    "@everyone <img src=x onerror=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&amp;lt;script&amp;gt;",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '[a](https://example.org "title" onmouseover=alert(1))',
    '[a](https://example.org "t\\" onmouseover=\\"alert(1)")',
    "[a](https://example.org 'x\" onmouseover=\"alert(1)')",
    '[a](https://example.org (x" autofocus onfocus="alert(1)))',
    "| a | b |\n|---|:-:|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
    '| a |\n|---|\n| x |\n\n<td style="background:url(javascript:alert(1))">',
    "# <img src=x onerror=alert(1)>\n\n> <script>alert(1)</script>",
    "- [x](javascript:alert(1))\n  - <iframe>",
    "\u202e[safe](https://example.org/\u202egpj.exe)\u202c and https://example.org/\u2066x\u2069",
    "[\u202etxt.exe](https://example.org)",
]

BOMBS = {
    "emphasis openers": "*a **" * 20_000,
    "underscores": "_a __" * 20_000,
    "alternating delimiters": "*_" * 50_000,
    "nested emphasis": "*" * 49_999 + "a" + "*" * 50_000,
    "open brackets": "[" * 100_000,
    "open images": "![ " * 33_000,
    "open links": "[a](" * 25_000,
    "link titles": '[a](b "' * 14_000,
    "autolink openers": "<http://a" * 11_000,
    "backticks": "`a" * 50_000,
    "entities": "&#x" * 33_000,
    "quotes": ">" * 100_000,
    "lists": "".join("  " * i + "- a\n" for i in range(2_000))[:100_000],
    "strikes": "~~a" * 33_000,
    "mentions": "@a " * 33_000,
}


def allowed_href(value: str, profile: markdown.Profile) -> bool:
    value = value.strip()
    scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", value)
    if scheme:
        return scheme.group(1).lower() in profile.url_schemes
    return True  # relative: no scheme, so not javascript:, data: or vbscript:


class Inspector(HTMLParser):
    def __init__(self, profile: markdown.Profile):
        super().__init__(convert_charrefs=True)
        self.profile = profile
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.profile.tags:
            self.problems.append(f"tag {tag}")
        allowed = self.profile.attributes.get(tag, frozenset())
        allowed = allowed | set(self.profile.tag_attribute_values.get(tag, {})) | {"rel"}
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or name not in allowed:
                self.problems.append(f"attribute {name} on {tag}")
            if name == "style" and not re.fullmatch(r"text-align:\s*(left|right|center);?", value):
                self.problems.append(f"style {value}")
            if name in {"href", "src"} and not allowed_href(value, self.profile):
                self.problems.append(f"{name} {value}")
            if name in {"href", "src"} and BIDI.search(value):
                self.problems.append(f"bidi control in {name}")
            outside = value.startswith("//") or re.match(r"^[a-z]+:", value, re.I)
            if name == "src" and outside and not value.startswith("http://testserver/"):
                self.problems.append(f"outside image {value}")


def problems(html: str, profile: markdown.Profile) -> list[str]:
    inspector = Inspector(profile)
    inspector.feed(html)
    inspector.close()
    return inspector.problems


def render(text: str, profile: markdown.Profile) -> str:
    return markdown.render(text, profile, env={"known_handle": lambda handle: True})


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markup_renders_inert_in_every_profile(text, profile, settings):
    settings.SITE_URL = "http://testserver"
    html = render(text, profile)
    assert problems(html, profile) == [], html
    assert "<script" not in html.lower() and "<img src=x" not in html, html


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_raw_html_is_always_shown_as_text(profile):
    html = render('<b>bold</b> <em onclick="x">it</em>\n\n<div>\nblock\n</div>', profile)
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>" not in html
    assert "&lt;div&gt;" in html and "<div" not in html
    assert profile.parser().options["html"] is False


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_a_link_title_cannot_add_attributes(profile):
    html = render('[a](https://example.org "t\\" onmouseover=\\"alert(1)")', profile)
    assert problems(html, profile) == []
    assert "onmouseover=" not in html.replace("onmouseover=&quot;", "")


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_entities_stay_text(profile):
    html = render("&lt;script&gt; &#60;b&#62; &amp; &copy;", profile)
    assert "&lt;script&gt;" in html and "&lt;b&gt;" in html and "©" in html


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_ordinary_markdown_still_renders(profile):
    html = render("**bold** _it_ `code` [site](https://example.org)\n\n```\nprint(1)\n```\n\n- one\n- two", profile)
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html and "<code>code</code>" in html
    assert '<a href="https://example.org"' in html and "<pre><code>print(1)" in html and "<li>one</li>" in html


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_a_run_of_delimiters_is_shown_as_typed(profile):
    run = "[*_]" * 20
    html = render(f"before {run} after `{run}`", profile)
    assert f"before {run} after <code>{run}</code>" in html


@pytest.mark.timeout(60)
@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
@pytest.mark.parametrize("name", list(BOMBS))
def test_pathological_input_of_100_kb_renders_promptly_and_inert(name, profile):
    # No timing assert (the machine may be busy); each takes well under a second alone, the timeout is generous.
    text = BOMBS[name]
    assert 95_000 <= len(text) <= 100_000
    html = render(text, profile)
    assert problems(html, profile) == []


def test_profiles_may_not_allow_event_handlers_unfiltered_style_or_other_schemes():
    with pytest.raises(ValueError):
        markdown.Profile(name="x", rules=(), tags=frozenset({"a"}), attributes={"a": frozenset({"onclick"})})
    with pytest.raises(ValueError):
        markdown.Profile(name="x", rules=(), tags=frozenset({"td"}), attributes={"td": frozenset({"style"})})
    with pytest.raises(ValueError):
        markdown.Profile(name="x", rules=(), tags=frozenset(), attributes={}, url_schemes=frozenset({"javascript"}))
