"""The one Markdown renderer: markdown-it-py, then nh3, under a named profile.

Every profile escapes raw HTML (markdown-it's `html` option is always off: a `<b>` a person types is shown as
text, never passed on), and every profile's output is then cleaned by nh3. Profiles differ only in what they
declare: the markdown-it rules and plugins they enable, and the tags, attributes and URL schemes nh3 keeps.

- `CHAT`: messages. Line breaks kept, bare links linked, `@mentions` of known handles, tables; links open in a
  new tab with `rel="… nofollow ugc"`.
- `LONG_FORM`: newsletters, lobbying asks and statements. Typographer on; headings demoted by two (a section's
  own heading is an h2); images only from this site (an image from elsewhere could tell its owner who opened an
  email).
- `SCRIPT`: phone bank calling scripts. No bare-link linking (a script is read aloud), tables kept.

`render(text, CHAT, env={...})` returns a `str` of cleaned HTML; `render_safe` marks it safe for templates.
The hostile-markup corpus in tests/core/test_markdown_hostile.py runs against every profile in `PROFILES`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

Plugin = Callable[[MarkdownIt], None]
AttributeFilter = Callable[[str, str, str], "str | None"]

MENTION_RE = re.compile(r"(?<![\w@])@([\w][\w.-]{0,58}[\w]|[\w])", re.UNICODE)
SPECIAL_MENTIONS = frozenset({"channel", "here", "everyone"})


# Markdown-it's inline parser costs a rule dispatch (and for `[` a look-ahead for the label's end) per delimiter,
# so a 100 KB paragraph of `[[[[…`, `![ ![ …` or `*_*_…` takes seconds. Before inline parsing (code blocks are
# never inline-parsed, code spans are skipped) two things no real text needs are defused by backslash-escaping,
# which shows the characters exactly as typed: a run of RUN_LIMIT or more delimiters, and every `[` of a
# paragraph holding more than BRACKET_LIMIT of them (its links are then shown as typed).
RUN_LIMIT = 32
BRACKET_LIMIT = 500
_DELIMITER_RUN = re.compile(r"[\[\]!*_~]{" + str(RUN_LIMIT) + ",}")
_CODE_SPAN = re.compile(r"(`+)(?:.*?[^`])?\1(?!`)", re.DOTALL)


def _escape_run(match: re.Match) -> str:
    return "".join("\\" + char for char in match.group(0))


def _defuse_part(text: str, brackets: bool) -> str:
    text = _DELIMITER_RUN.sub(_escape_run, text)
    return re.sub(r"(?<!\\)\[", r"\\[", text) if brackets else text


def _defuse(text: str) -> str:
    brackets = text.count("[") > BRACKET_LIMIT
    if "`" not in text:
        return _defuse_part(text, brackets)
    out, position = [], 0
    for match in _CODE_SPAN.finditer(text):
        out.append(_defuse_part(text[position : match.start()], brackets))
        out.append(match.group(0))
        position = match.end()
    out.append(_defuse_part(text[position:], brackets))
    return "".join(out)


def _defuse_rule(state) -> None:
    for token in state.tokens:
        if token.type == "inline" and len(token.content) >= RUN_LIMIT:
            token.content = _defuse(token.content)


# -- plugins -------------------------------------------------------------------------------------------------------


def mentions_plugin(md: MarkdownIt) -> None:
    """`@handle` becomes `<span class="mention" data-handle="handle">` when `env["known_handle"](handle)` is true
    (or the handle is one of SPECIAL_MENTIONS). Not inside links or code; nothing happens without the callable."""

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

    md.core.ruler.after("linkify", "mentions", rule)


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
        # An html_inline token is written out as it is; everything in it is escaped here and nh3 checks it after.
        html = Token("html_inline", "", 0)
        css = "mention mention-special" if lowered in SPECIAL_MENTIONS else "mention"
        html.content = f'<span class="{css}" data-handle="{_escape(lowered)}">@{_escape(handle)}</span>'
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


def demote_headings_plugin(md: MarkdownIt) -> None:
    """`#` becomes h3, `##` h4 … (never past h6): the section the text sits in already has its h2."""

    def rule(state) -> None:
        for token in state.tokens:
            if token.type in {"heading_open", "heading_close"}:
                token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"

    md.core.ruler.push("demote_headings", rule)


def own_images_only(tag: str, attribute: str, value: str) -> str | None:
    """Images come from this site (its uploads); another site's image address is dropped, the alt text stays."""
    if tag == "img" and attribute == "src":
        from django.conf import settings

        site = settings.SITE_URL.rstrip("/") + "/"
        own = (value.startswith("/") and not value.startswith("//")) or value.startswith(site)
        return value if own else None
    return value


# -- profiles ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """What one kind of text may contain. Raw HTML is not an option: it is escaped in every profile."""

    name: str
    rules: tuple[str, ...]  # markdown-it rules enabled on top of the commonmark preset
    tags: frozenset[str]
    attributes: Mapping[str, frozenset[str]]
    url_schemes: frozenset[str] = frozenset({"http", "https", "mailto"})
    plugins: tuple[Plugin, ...] = ()
    linkify: bool = False
    breaks: bool = False
    typographer: bool = False
    link_rel: str = "noopener noreferrer"
    tag_attribute_values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    style_properties: frozenset[str] | None = None
    attribute_filter: AttributeFilter | None = None

    def __post_init__(self) -> None:
        for tag, names in self.attributes.items():
            if any(name.startswith("on") for name in names):
                raise ValueError(f"{self.name}: event handler attributes on <{tag}> are never allowed")
            if "style" in names and not self.style_properties:
                raise ValueError(f"{self.name}: style on <{tag}> needs style_properties (a CSS allow-list)")
        if self.url_schemes - {"http", "https", "mailto", "tel"}:
            raise ValueError(f"{self.name}: only http, https, mailto and tel links may be allowed")

    def parser(self) -> MarkdownIt:
        return _parser(self)


_PARSERS: dict[str, MarkdownIt] = {}

_BASE_TAGS = frozenset(
    {"p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
)
_TABLE_TAGS = frozenset({"table", "thead", "tbody", "tr", "th", "td"})

CHAT = Profile(
    name="chat",
    rules=("linkify", "strikethrough", "table"),
    tags=_BASE_TAGS | _TABLE_TAGS | {"span", "h1", "h2", "h3", "h4", "h5", "h6"},
    attributes={
        "a": frozenset({"href", "title"}),
        "span": frozenset({"class", "data-handle"}),
        "code": frozenset({"class"}),
        "th": frozenset({"style"}),
        "td": frozenset({"style"}),
    },
    plugins=(mentions_plugin,),
    linkify=True,
    breaks=True,
    link_rel="noopener noreferrer nofollow ugc",
    tag_attribute_values={"a": {"target": "_blank"}},
    style_properties=frozenset({"text-align"}),
)

LONG_FORM = Profile(
    name="long-form",
    rules=("table", "strikethrough", "linkify", "replacements", "smartquotes"),
    tags=_BASE_TAGS | _TABLE_TAGS | {"h3", "h4", "h5", "h6", "img", "figure", "figcaption"},
    attributes={
        "a": frozenset({"href", "title"}),
        "img": frozenset({"src", "alt", "title", "width", "height"}),
        "th": frozenset({"style", "scope"}),
        "td": frozenset({"style"}),
        "ol": frozenset({"start"}),
    },
    plugins=(demote_headings_plugin,),
    linkify=True,
    typographer=True,
    # markdown-it writes table alignment as style="text-align:…"; nh3 keeps only that property.
    style_properties=frozenset({"text-align"}),
    attribute_filter=own_images_only,
)

SCRIPT = Profile(
    name="script",
    rules=("table",),
    tags=_BASE_TAGS | _TABLE_TAGS | {"h2", "h3", "h4"},
    attributes={
        "a": frozenset({"href", "title"}),
        "ol": frozenset({"start"}),
        "th": frozenset({"style"}),
        "td": frozenset({"style"}),
    },
    style_properties=frozenset({"text-align"}),
)

PROFILES: dict[str, Profile] = {profile.name: profile for profile in (CHAT, LONG_FORM, SCRIPT)}


def _parser(profile: Profile) -> MarkdownIt:
    parser = _PARSERS.get(profile.name)
    if parser is None:
        # Built once per profile: compiling the linkify patterns is the expensive part.
        options = {"html": False, "linkify": profile.linkify, "breaks": profile.breaks}
        parser = MarkdownIt("commonmark", {**options, "typographer": profile.typographer})
        if profile.rules:
            parser.enable(list(profile.rules))
        parser.core.ruler.before("inline", "defuse_delimiter_runs", _defuse_rule)
        for plugin in profile.plugins:
            parser.use(plugin)
        _PARSERS[profile.name] = parser
    return parser


def clean(html: str, profile: Profile) -> str:
    """nh3 with the profile's allow-lists (for HTML the renderer made, or to re-check stored HTML)."""
    options: dict[str, Any] = {}
    if profile.tag_attribute_values:
        options["set_tag_attribute_values"] = {t: dict(v) for t, v in profile.tag_attribute_values.items()}
    if profile.style_properties:
        options["filter_style_properties"] = set(profile.style_properties)
    if profile.attribute_filter is not None:
        options["attribute_filter"] = profile.attribute_filter
    return nh3.clean(
        html,
        tags=set(profile.tags),
        attributes={tag: set(names) for tag, names in profile.attributes.items()},
        url_schemes=set(profile.url_schemes),
        link_rel=profile.link_rel,
        strip_comments=True,
        **options,
    )


def render(text: str | None, profile: Profile | str, *, env: dict | None = None) -> str:
    """The cleaned HTML for Markdown `text` under `profile` (a Profile or its name)."""
    if isinstance(profile, str):
        profile = PROFILES[profile]
    html = _parser(profile).render(text or "", env if env is not None else {})
    return clean(html, profile)


def render_safe(text: str | None, profile: Profile | str, *, env: dict | None = None) -> SafeString:
    """`render`, marked safe for a template (it is: parsed with raw HTML escaped, then cleaned by nh3)."""
    return mark_safe(render(text, profile, env=env))  # cleaned by nh3 with the profile's allow-lists
