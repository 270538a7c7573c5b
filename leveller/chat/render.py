"""Message text -> safe HTML: the chat profile of the one Markdown renderer (leveller.core.markdown).

Nothing a member types can run script in another member's browser: raw HTML is escaped by the parser, and
the output is then cleaned by nh3 with the chat profile's allow-list of tags, attributes and URL schemes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from leveller.core import markdown
from leveller.core.markdown import MENTION_RE


def render(text: str, *, known_handle: Callable[[str], bool] = lambda handle: False) -> str:
    """The sanitised HTML for a message's Markdown text."""
    return markdown.render(text, markdown.CHAT, env={"known_handle": known_handle})


def mentioned_handles(text: str) -> set[str]:
    """Every @word in the text, lower-cased (special words included); callers resolve them to members."""
    stripped = re.sub(r"```.*?```|`[^`]*`", " ", text or "", flags=re.DOTALL)
    return {m.group(1).lower() for m in MENTION_RE.finditer(stripped)}
