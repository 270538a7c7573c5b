"""Markdown to safe HTML (markdown-it-py, then nh3), and absolute links for email."""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "figure", "figcaption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "scope"},
    "td": {"align"},
    "ol": {"start"},
}
HEADING = re.compile(r"<(/?)h([1-6])>")
RELATIVE_URL = re.compile(r'(href|src)="(/[^"/][^"]*|/)"')


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # html False: raw HTML in the source is shown as text, never passed on (nh3 then cleans what Markdown made).
    return MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": True}).enable(
        ["table", "strikethrough", "linkify", "replacements", "smartquotes"]
    )


def _demote(match: re.Match) -> str:
    # A section's own heading is an h2, so headings inside its body start at h3.
    level = min(int(match.group(2)) + 2, 6)
    return f"<{match.group(1)}h{level}>"


def _own_images_only(tag: str, attribute: str, value: str) -> str | None:
    """Pictures come from this site (the issue's uploads): an image from anywhere else could tell its owner who
    opened the email, and when. Its address is dropped; the alt text stays."""
    if tag == "img" and attribute == "src":
        site = settings.SITE_URL.rstrip("/") + "/"
        own = (value.startswith("/") and not value.startswith("//")) or value.startswith(site)
        return value if own else None
    return value


def markdown_html(text: str) -> SafeString:
    """Render Markdown to HTML that is safe to show: raw HTML is escaped (shown as text), the output is cleaned by
    nh3, and images from other sites are dropped."""
    html = _parser().render(text or "")
    html = HEADING.sub(_demote, html)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        attribute_filter=_own_images_only,
    )
    return mark_safe(cleaned)


def absolute_links(html: SafeString) -> SafeString:
    """Make site-relative href/src absolute in cleaned HTML, so links and images work in every mail client."""
    return mark_safe(RELATIVE_URL.sub(lambda m: f'{m.group(1)}="{settings.SITE_URL}{m.group(2)}"', html))


def absolute_markdown_links(text: str) -> str:
    """The same for Markdown source used as the plain-text part: ](/path) becomes ](https://site/path)."""
    return re.sub(r"\]\((/[^)\s]*)", lambda m: f"]({settings.SITE_URL}{m.group(1)}", text or "")


def first_image(html: str) -> str | None:
    match = re.search(r'<img[^>]+src="([^"]+)"', html)
    return match.group(1) if match else None
