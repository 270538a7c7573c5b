"""The calling script: Markdown rendered safely (leveller.core.markdown's script profile), then the contact's
own details substituted, escaped.

Rendering happens before substitution, so nothing in a contact's name or custom fields can become markup:
each value is HTML-escaped where a `{placeholder}` stood.
"""

from __future__ import annotations

import functools
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from leveller.core import markdown

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]{0,40})\}")


def render_markdown(text: str) -> str:
    return markdown.render(text, markdown.SCRIPT)


def placeholders_for(contact) -> dict[str, str]:
    values = {key: str(value) for key, value in (contact.fields or {}).items()}
    values.update(first_name=contact.first_name, name=contact.name, postcode=contact.postcode, country=contact.country)
    return values


@functools.lru_cache(maxsize=64)
def _rendered(template: str) -> str:
    return render_markdown(template)


def render(template: str, values: dict[str, str]) -> SafeString:
    html = _rendered(template)  # the same script for every contact: render it once

    def substitute(match: re.Match) -> str:
        key = match.group(1)
        return escape(values[key]) if key in values else match.group(0)

    return mark_safe(PLACEHOLDER.sub(substitute, html))  # rendered, cleaned by nh3, values escaped


def render_for(campaign, contact) -> SafeString:
    return render(campaign.script, placeholders_for(contact))


def preview(campaign) -> SafeString:
    return render(campaign.script, {"first_name": "Alex", "name": "Alex Example"})
