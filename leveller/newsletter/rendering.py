"""Newsletter Markdown to safe HTML (leveller.core.markdown's long-form profile), and absolute links for email."""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from leveller.core import markdown

RELATIVE_URL = re.compile(r'(href|src)="(/[^"/][^"]*|/)"')


def markdown_html(text: str) -> SafeString:
    """Render Markdown to HTML that is safe to show: the long-form profile of the one renderer (raw HTML
    escaped, output cleaned by nh3, headings demoted below the section's h2, images from other sites dropped)."""
    return markdown.render_safe(text, markdown.LONG_FORM)


def absolute_links(html: SafeString) -> SafeString:
    """Make site-relative href/src absolute in cleaned HTML, so links and images work in every mail client."""
    return mark_safe(RELATIVE_URL.sub(lambda m: f'{m.group(1)}="{settings.SITE_URL}{m.group(2)}"', html))


def absolute_markdown_links(text: str) -> str:
    """The same for Markdown source used as the plain-text part: ](/path) becomes ](https://site/path)."""
    return re.sub(r"\]\((/[^)\s]*)", lambda m: f"]({settings.SITE_URL}{m.group(1)}", text or "")


def first_image(html: str) -> str | None:
    match = re.search(r'<img[^>]+src="([^"]+)"', html)
    return match.group(1) if match else None
