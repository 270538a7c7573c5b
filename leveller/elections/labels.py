"""Candidate categories (tags, and the minimum-representation rules that name them) are stored as short keys
("woman", "bame"); people read labels."""

from __future__ import annotations

KNOWN = {
    "woman": "Woman",
    "women": "Women",
    "bame": "Black, Asian or minority ethnic",
    "bme": "Black or minority ethnic",
    "poc": "Person of colour",
    "disabled": "Disabled",
    "lgbt": "LGBT+",
    "lgbtq": "LGBTQ+",
    "lgbt+": "LGBT+",
    "lgbtq+": "LGBTQ+",
    "trans": "Trans",
    "youth": "Young member",
    "young": "Young member",
    "under-30": "Under 30",
    "under_30": "Under 30",
    "working-class": "Working class",
}


def tag_label(key: str) -> str:
    key = (key or "").strip()
    known = KNOWN.get(key.lower())
    if known:
        return known
    words = key.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else key
