"""Message text -> safe HTML: Markdown (markdown-it-py, raw HTML off, linkify on) sanitised by nh3.

Nothing a member types can run script in another member's browser: raw HTML is escaped by the parser, and
the output is then cleaned by nh3 with a small allow-list of tags, attributes and URL schemes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

MENTION_RE = re.compile(r"(?<![\w@])@([\w][\w.-]{0,58}[\w]|[\w])", re.UNICODE)
SPECIAL_MENTIONS = {"channel", "here", "everyone"}

TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a", "span",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "span": {"class", "data-handle"},
    "code": {"class"},
    "th": {"style"},
    "td": {"style"},
}


def _mentions_rule():
    def rule(state) -> None:
        known = state.env.get("known_handle") if isinstance(state.env, dict) else None
        if known is None:
            return
        for block in state.tokens:
            if block.type != "inline" or not block.children:
                continue
            children: list[Token] = []
            inside_link = 0
            for token in block.children:
                if token.type == "link_open":
                    inside_link += 1
                elif token.type == "link_close":
                    inside_link -= 1
                if token.type != "text" or inside_link or "@" not in token.content:
                    children.append(token)
                    continue
                children.extend(_split_mentions(token.content, known))
            block.children = children

    return rule


def _split_mentions(text: str, known: Callable[[str], bool]) -> list[Token]:
    out: list[Token] = []
    position = 0
    for match in MENTION_RE.finditer(text):
        handle = match.group(1)
        lowered = handle.lower()
        if lowered not in SPECIAL_MENTIONS and not known(lowered):
            continue
        if match.start() > position:
            out.append(_text(text[position : match.start()]))
        html = Token("html_inline", "", 0)
        css = "mention mention-special" if lowered in SPECIAL_MENTIONS else "mention"
        html.content = f'<span class="{css}" data-handle="{lowered}">@{_escape(handle)}</span>'
        out.append(html)
        position = match.end()
    if position < len(text):
        out.append(_text(text[position:]))
    return out


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True, "typographer": False})
    md.enable(["linkify", "strikethrough", "table"])
    md.core.ruler.after("linkify", "mentions", _mentions_rule())
    return md


PARSER = _parser()  # built once: compiling the linkify patterns is the expensive part


def render(text: str, *, known_handle: Callable[[str], bool] = lambda handle: False) -> str:
    """The sanitised HTML for a message's Markdown text."""
    html = PARSER.render(text or "", {"known_handle": known_handle})
    return clean(html)


def clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow ugc",
        strip_comments=True,
        set_tag_attribute_values={"a": {"target": "_blank"}},
        filter_style_properties={"text-align"},
    )


def mentioned_handles(text: str) -> set[str]:
    """Every @word in the text, lower-cased (special words included); callers resolve them to members."""
    stripped = re.sub(r"```.*?```|`[^`]*`", " ", text or "", flags=re.DOTALL)
    return {m.group(1).lower() for m in MENTION_RE.finditer(stripped)}
