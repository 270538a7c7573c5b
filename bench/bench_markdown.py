"""Hostile 100 KB inputs: markdown-it alone vs leveller.core.markdown's chat profile (CPU seconds, same run).

Run: LEVELLER_DATA_DIR=var/bench .venv/bin/python bench/bench_markdown.py
"""

from __future__ import annotations

import os
import time

BOMBS = {"[ x100k": "[" * 100_000, "![ x33k": "![ " * 33_000, "*_ x50k": "*_" * 50_000, "*a ** x20k": "*a **" * 20_000}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leveller.settings")
    import django

    django.setup()
    from markdown_it import MarkdownIt

    from leveller.core import markdown

    raw = MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True})
    raw.enable(["linkify", "strikethrough", "table"])
    for name, text in BOMBS.items():
        start = time.process_time()
        raw.render(text)
        before = time.process_time() - start
        start = time.process_time()
        markdown.render(text, markdown.CHAT)
        after = time.process_time() - start
        print(f"{name:12} markdown-it alone {before:.3f}s CPU   core.markdown CHAT (defused + nh3) {after:.3f}s CPU")


if __name__ == "__main__":
    main()
