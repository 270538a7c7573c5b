"""Slack's message markup ("mrkdwn") to Leveller's Markdown, and Slack emoji names to Unicode.

- `<@U123>` / `<@U123|sam>`: a mention of the member that user became (plain `@name` text when unknown);
- `<#C123|general>`: a link to the imported channel;
- `<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^S1|@team>`: kept as text that notifies nobody;
- `<!date^…|fallback>`: the fallback text; `<url|label>`: a link; `<url>`: the url;
- `*bold*` → `**bold**`, `_italic_` stays, `~strike~` → `~~strike~~`, code spans and ``` blocks kept
  (inline ```code``` becomes a fenced block), `>` quotes kept; `&amp;`, `&lt;`, `&gt;` unescaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import emoji as emoji_lib

from leveller.chat.render import render
from leveller.core.markdown import SPECIAL_MENTIONS

MARKUP_CHARS = re.compile(r"[<>&*~`\n:]")
SHORTCODE_RE = re.compile(r":([a-z0-9_+'-]+(?:::skin-tone-[2-6])?):")
SPECIAL_RE = re.compile(r"<([^<>\n]+)>")
CODE_RE = re.compile(r"```.*?```|`[^`\n]+`", re.DOTALL)
BOLD_RE = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
STRIKE_RE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")
# Text the Markdown renderer would output as just <p>text</p>: letters first, no markup, links or mentions.
PLAIN_RE = re.compile(r"^[^\W\d_](?:[^\W_]|[ ,;'\"?!()-]|\.(?= |$))*$")
SKIN_TONES = {f"skin-tone-{n}": chr(0x1F3FB + n - 2) for n in range(2, 7)}
EMOJI_ALIASES = {"simple_smile": "🙂", "thumbsup_all": "👍", "slightly_smiling_face": "🙂", "white_frowning_face": "☹️"}

UserLookup = Callable[[str], tuple[str | None, str]]  # slack user id -> (handle or None, name)
ChannelLookup = Callable[[str], tuple[int, str] | None]  # slack channel id -> (our id, name)


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _escape_md(text: str) -> str:
    return re.sub(r"([\\`*_~\[\]<>#@|])", r"\\\1", text)


def _special(body: str, users: UserLookup, channels: ChannelLookup, handles: set[str]) -> str:
    target, _, label = body.partition("|")
    if target.startswith("@"):
        handle, name = users(target[1:])
        if handle:
            handles.add(handle)
            return f"@{handle}"
        return "@" + _escape_md(unescape(label.lstrip("@") or name or target[1:]))
    if target.startswith("#"):
        found = channels(target[1:])
        name = unescape(label) or (found[1] if found else target[1:])
        if found:
            return f"[#{_escape_md(found[1])}](/chat/c/{found[0]}/)"
        return "#" + _escape_md(name)
    if target.startswith("!"):
        word = target[1:]
        if word.startswith("date^"):
            return _escape_md(unescape(label)) if label else ""
        if word.startswith("subteam^"):
            return "\\@" + _escape_md(unescape(label).lstrip("@") or "group")
        word = word.split("^", 1)[0]
        return "\\@" + _escape_md(label.lstrip("@") if label else word)
    url = unescape(target)
    if not re.match(r"^(https?|mailto):", url, re.IGNORECASE):
        return _escape_md(unescape(label or target))
    url = url.replace(" ", "%20").replace(")", "%29").replace("(", "%28")
    if label and unescape(label) != url and unescape(label) != url.removeprefix("mailto:"):
        return f"[{_escape_md(unescape(label))}]({url})"
    return f"<{url}>"


def _shortcode(match: re.Match) -> str:
    found = reaction_emoji(match.group(1))
    return match.group(0) if found.startswith(":") else found


def _styles(text: str) -> str:
    if ":" in text:
        text = SHORTCODE_RE.sub(_shortcode, text)
    text = BOLD_RE.sub(r"**\1**", text)
    return STRIKE_RE.sub(r"~~\1~~", text)


def _code(segment: str) -> str:
    if segment.startswith("```"):
        inner = unescape(segment[3:-3]).strip("\n")
        return f"\n```\n{inner}\n```\n"
    return unescape(segment)


def convert(text: str, *, users: UserLookup, channels: ChannelLookup) -> tuple[str, set[str]]:
    """(Markdown text, handles of the members it mentions)."""
    handles: set[str] = set()
    if not text:
        return "", handles
    if not MARKUP_CHARS.search(text):  # most messages: nothing to convert
        return text.replace("\r\n", "\n").strip(), handles
    out: list[str] = []
    position = 0
    for match in CODE_RE.finditer(text):
        out.append(_plain(text[position : match.start()], users, channels, handles))
        out.append(_code(match.group(0)))
        position = match.end()
    out.append(_plain(text[position:], users, channels, handles))
    result = _end_quotes("".join(out).replace("\r\n", "\n"))
    return re.sub(r"\n{3,}", "\n\n", result).strip(), handles


def _end_quotes(text: str) -> str:
    """A Slack quote is one line: end it there, or Markdown would carry on quoting the next line."""
    if ">" not in text:
        return text
    lines, out, fenced = text.split("\n"), [], False
    for index, line in enumerate(lines):
        out.append(line)
        if line.startswith("```"):
            fenced = not fenced
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if not fenced and line.startswith(">") and following.strip() and not following.startswith(">"):
            out.append("")
    return "\n".join(out)


def _plain(text: str, users: UserLookup, channels: ChannelLookup, handles: set[str]) -> str:
    if not text:
        return ""
    pieces: list[str] = []
    position = 0
    for match in SPECIAL_RE.finditer(text):
        pieces.append(_styles(unescape(text[position : match.start()])))
        pieces.append(_special(match.group(1), users, channels, handles))
        position = match.end()
    pieces.append(_styles(unescape(text[position:])))
    return "".join(pieces)


# One line of simple inline pieces, a space apart, that the renderer would turn into one paragraph of exactly
# the HTML `_inline` builds: words, mentions, links to http(s) or our channel pages, <autolinks>, **bold**,
# ~~strike~~, `code` and a lone &. Anything else (other characters, a leading digit that could start a list,
# several lines) goes through the renderer. tests/chat/test_slack_import_markup.py checks that both agree.
_W = r"[^\W_]"  # a letter or digit
_PUNCT = r"[,.;:!?]?"
_URL = r"https?://[A-Za-z0-9][A-Za-z0-9./_-]*"
_INNER = rf"{_W}(?:(?:{_W}|[ '])*{_W})?"
INLINE_PIECE = re.compile(
    rf"(?P<word>{_W}(?:(?:{_W}|['-])*{_W})?{_PUNCT})"
    rf"|@(?P<handle>[A-Za-z0-9](?:[A-Za-z0-9-]{{0,58}}[A-Za-z0-9])?)(?P<after>{_PUNCT})"
    rf"|\[(?P<label>(?:{_W}|#)(?:(?:{_W}|[ #-])*{_W})?)\]\((?P<href>{_URL}|/chat/c/[0-9]+/)\)"
    rf"|<(?P<auto>{_URL})>"
    rf"|\*\*(?P<bold>{_INNER})\*\*(?P<bold_after>{_PUNCT})"
    rf"|~~(?P<strike>{_INNER})~~(?P<strike_after>{_PUNCT})"
    r"|`(?P<code>[A-Za-z0-9](?:[A-Za-z0-9 ._-]*[A-Za-z0-9])?)`"
    r"|(?P<amp>&)"
)
LINK_ATTRS = 'target="_blank" rel="noopener noreferrer nofollow ugc"'


def _inline(text: str, handles: set[str]) -> str | None:
    """The paragraph for a line of simple pieces (see INLINE_PIECE), or None when it has anything else."""
    if not text or text[0].isdigit() or "\n" in text:
        return None
    out: list[str] = []
    match_at = INLINE_PIECE.match
    position, end = 0, len(text)
    while True:
        found = match_at(text, position)
        if found is None:
            return None
        position = found.end()
        if position < end and text[position] != " ":
            return None
        kind = found.lastgroup
        if kind == "word":
            out.append(found.group(0))
        elif kind in ("handle", "after"):
            handle = found.group("handle")
            lowered = handle.lower()
            if lowered in SPECIAL_MENTIONS or lowered in handles:
                css = "mention mention-special" if lowered in SPECIAL_MENTIONS else "mention"
                out.append(f'<span class="{css}" data-handle="{lowered}">@{handle}</span>{found.group("after")}')
            else:
                out.append(found.group(0))
        elif kind == "href":
            out.append(f'<a href="{found.group("href")}" {LINK_ATTRS}>{found.group("label")}</a>')
        elif kind == "auto":
            url = found.group("auto")
            out.append(f'<a href="{url}" {LINK_ATTRS}>{url}</a>')
        elif kind in ("bold", "bold_after"):
            out.append(f"<strong>{found.group('bold')}</strong>{found.group('bold_after')}")
        elif kind in ("strike", "strike_after"):
            out.append(f"<s>{found.group('strike')}</s>{found.group('strike_after')}")
        elif kind == "code":
            out.append(f"<code>{found.group('code')}</code>")
        else:
            out.append("&amp;")
        if position >= end:
            return "<p>" + " ".join(out) + "</p>\n"
        position += 1  # the one space between pieces
        if position >= end or text[position] == " ":
            return None


def to_html(text: str, handles: set[str]) -> str:
    """The rendered HTML: plain sentences and lines of simple inline markup directly (most messages),
    everything else through the renderer. Only members this message really mentioned (Slack's `<@U…>`)
    become mentions."""
    if PLAIN_RE.match(text) and "  " not in text and text[-1] != " ":
        return f"<p>{text}</p>\n"
    html = _inline(text, handles)
    if html is not None:
        return html
    return render(text, known_handle=lambda handle: handle in handles)


def reaction_emoji(name: str) -> str:
    """A Slack reaction name (`+1`, `thumbsup::skin-tone-3`) as Unicode; unknown custom emoji stay `:name:`."""
    base, _, tone = name.partition("::")
    char = EMOJI_ALIASES.get(base) or emoji_lib.emojize(f":{base}:", language="alias")
    if char == f":{base}:":
        return f":{name}:"[:32]
    if tone in SKIN_TONES:
        char = char.replace("\ufe0f", "") + SKIN_TONES[tone]
    return char[:32]
