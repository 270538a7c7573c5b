"""Write the emoji picker's data (leveller/chat/static/chat/emoji.json) from the `emoji` package.

The file is committed, so nothing is built at run time or install time (there is no npm step); run this again
after upgrading `emoji` to pick up new Unicode emoji:  leveller chat_emoji  (or python -m django chat_emoji).

Each entry is [emoji, name, keywords]: every fully-qualified emoji except the skin-tone variants, faces and
people first (the order people look for them), flags last.
"""

from __future__ import annotations

import json
from pathlib import Path

import emoji
from django.core.management.base import BaseCommand

OUT = Path(__file__).resolve().parents[2] / "static" / "chat" / "emoji.json"
SKIN_TONES = {chr(c) for c in range(0x1F3FB, 0x1F400)}
# Rough Unicode blocks in the order a picker shows them (emoji has no groups; search does the real work).
BLOCKS = [
    (0x1F600, 0x1F64F),  # emoticons: faces
    (0x1F910, 0x1F92F),  # more faces
    (0x1F970, 0x1F97A),
    (0x1FAE0, 0x1FAEF),
    (0x1F440, 0x1F4AF),  # body parts, people, hearts
    (0x1F90C, 0x1F90F),
    (0x1F930, 0x1F94F),
    (0x1F9B0, 0x1F9FF),
    (0x1FAF0, 0x1FAFF),
    (0x2600, 0x27BF),  # symbols, hands, hearts
    (0x1F300, 0x1F43F),  # weather, food, animals
    (0x1F950, 0x1F96F),
    (0x1F980, 0x1F9AF),
    (0x1FA70, 0x1FADF),
    (0x1F4B0, 0x1F5FF),  # objects
    (0x1F680, 0x1F6FF),  # transport
    (0x1F000, 0x1F1E5),
]


def rank(char: str) -> tuple[int, int]:
    first = ord(char[0])
    if 0x1F1E6 <= first <= 0x1F1FF or (first == 0x1F3F4 and len(char) > 2):
        return (len(BLOCKS) + 1, first)  # flags last
    for n, (low, high) in enumerate(BLOCKS):
        if low <= first <= high:
            return (n, first)
    return (len(BLOCKS), first)


def name_of(code: str) -> str:
    return code.strip(":").replace("_", " ")


def entries() -> list[list[str]]:
    out = []
    for char, data in emoji.EMOJI_DATA.items():
        if data.get("status") != emoji.STATUS["fully_qualified"] or SKIN_TONES & set(char):
            continue
        aliases = sorted({name_of(a) for a in data.get("alias", [])} - {name_of(data["en"]).lower()})
        out.append((rank(char), char, name_of(data["en"]), " ".join(aliases)))
    out.sort()
    return [[char, name, keywords] for _, char, name, keywords in out]


class Command(BaseCommand):
    help = "Write the chat emoji picker's data file from the installed emoji package."

    def handle(self, *args, **options):
        data = entries()
        OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        self.stdout.write(f"{len(data)} emoji (emoji {emoji.__version__}) -> {OUT}")
