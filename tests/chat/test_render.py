"""Nothing a member types can run script in another member's browser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from leveller.chat.actions import messages as message_actions
from leveller.chat.render import render

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "![img](javascript:alert(1))",
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
    "<a href='https://ok.example' onclick='alert(1)'>ok</a>",
    "@<img src=x onerror=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<!--<script>alert(1)</script>-->",
    '[a](https://example.org "title" onmouseover=alert(1))',
]

SAFE_TAGS = {"p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "span", "hr"}
SAFE_TAGS |= {"h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "s"}


class Inspector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in SAFE_TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "src", "srcdoc", "formaction"}:
                self.problems.append(f"attribute {name}")
            if name == "href" and not re.match(r"^(https?:|mailto:|/|#)", (value or "").strip(), re.I):
                self.problems.append(f"href {value}")


def problems(html: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(html)
    return inspector.problems


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markup_renders_inert(text):
    html = render(text)
    assert problems(html) == [], html


def test_markdown_links_code_and_autolinks_render():
    html = render("**bold** _it_ `code` see https://example.org\n\n```\nprint('x')\n```")
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html
    assert '<a href="https://example.org"' in html and 'rel="noopener noreferrer nofollow ugc"' in html
    assert "<pre><code>print(&#39;x&#39;)" in html or "<pre><code>print('x')" in html


def test_a_stored_message_from_hostile_text_is_inert(general, member):
    for text in HOSTILE:
        message = message_actions.send_message(actor=member, channel=general, text=text)
        assert problems(message.html) == [], (text, message.html)


def test_mentions_become_safe_highlighted_spans(general, member, organiser):
    from leveller.chat.handles import handle_for

    handle = handle_for(organiser)
    message = message_actions.send_message(actor=member, channel=general, text=f"hi @{handle} and @nobody, @channel")
    assert f'data-handle="{handle}"' in message.html
    assert "@nobody" in message.html and 'data-handle="nobody"' not in message.html
    assert 'data-handle="channel"' in message.html
