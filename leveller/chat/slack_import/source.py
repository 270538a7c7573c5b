"""Reading a Slack export, zipped or unpacked, safely and a file at a time.

Layouts understood: Slack's own export (users.json, channels.json, groups.json, dms.json, mpims.json and a
folder of YYYY-MM-DD.json day files per conversation) and slackdump's, whose files sit under
`__uploads/<file id>/<name>` or in each conversation's `attachments/<file id>-<name>`. A zip may hold the
export inside one top folder.

Nothing is trusted: zip entries with absolute or `..` paths are refused, sizes are limited (declared and
actually read), and JSON must be UTF-8; errors name the file and, where there is one, the line.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

DAY_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.json$")
TOP_FILES = ("users.json", "channels.json", "groups.json", "dms.json", "mpims.json")
MB = 1024 * 1024


class ExportError(Exception):
    """Bad input, with the file (and line) it was found in."""

    def __init__(self, message: str, *, file: str = "", line: int | None = None):
        self.file, self.line, self.message = file, line, message
        where = f"{file}, line {line}: " if file and line else f"{file}: " if file else ""
        super().__init__(where + message)


def limits() -> dict[str, int]:
    return {
        "total": getattr(settings, "SLACK_IMPORT_MAX_TOTAL_MB", 50 * 1024) * MB,
        "json": getattr(settings, "SLACK_IMPORT_MAX_JSON_MB", 512) * MB,
        "ratio": getattr(settings, "SLACK_IMPORT_MAX_RATIO", 200),
        "entries": getattr(settings, "SLACK_IMPORT_MAX_ENTRIES", 5_000_000),
    }


def _unsafe(name: str) -> bool:
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return True
    parts = re.split(r"[\\/]", name)
    return any(part == ".." for part in parts)


@dataclass
class Entry:
    name: str  # relative to the export's root, posix separators
    size: int


class Source:
    """The export's files by relative name; read_json() and open() are the only ways in."""

    label: str
    entries: dict[str, Entry]

    def read_bytes(self, name: str, limit: int) -> bytes:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # Layout -------------------------------------------------------------------------------------------------
    def has(self, name: str) -> bool:
        return name in self.entries

    def day_files(self) -> dict[str, list[str]]:
        """{folder: [YYYY-MM-DD, ...]} for every conversation folder with day files."""
        folders: dict[str, list[str]] = {}
        for name in self.entries:
            path = PurePosixPath(name)
            if len(path.parts) == 2 and DAY_RE.match(path.parts[1]):
                folders.setdefault(path.parts[0], []).append(path.parts[1][:10])
        for dates in folders.values():
            dates.sort()
        return folders

    def file_index(self) -> dict[str, str]:
        """{Slack file id: entry name} for files the export holds (slackdump's layouts)."""
        found: dict[str, str] = {}
        for name in self.entries:
            parts = PurePosixPath(name).parts
            if len(parts) == 3 and parts[0] == "__uploads":
                found.setdefault(parts[1], name)
            elif len(parts) == 3 and parts[1] == "attachments" and "-" in parts[2]:
                found.setdefault(parts[2].split("-", 1)[0], name)
        return found

    def read_json(self, name: str):
        """The parsed file; ExportError naming the file and line when it is not UTF-8 JSON."""
        return parse_json(self.read_bytes(name, limits()["json"]), name)

    def read_day(self, name: str) -> list[tuple[int, dict]]:
        """A day file's messages with the line each starts on."""
        return parse_day(self.read_bytes(name, limits()["json"]), name)


def decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ExportError(
            f"is not UTF-8 text (byte {error.start + 1} is {data[error.start : error.start + 1]!r}); "
            "Slack exports are UTF-8, so this file was changed or damaged",
            file=name,
            line=line,
        ) from None


def parse_json(data: bytes, name: str):
    text = decode(data, name)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ExportError(f"is not valid JSON: {error.msg} (column {error.colno})", file=name, line=error.lineno)


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def parse_day(data: bytes, name: str) -> list[tuple[int, dict]]:
    """A JSON array parsed item by item, so each message knows its line (for errors about it)."""
    text = decode(data, name)
    position = _SPACE.match(text, 0).end()
    if not text.startswith("[", position):
        if not text.strip():
            return []
        raise ExportError("is not a day file: it should be a JSON list of messages", file=name, line=1)
    position += 1
    line, counted = 1, 0
    items: list[tuple[int, dict]] = []
    while True:
        position = _SPACE.match(text, position).end()
        if text.startswith("]", position):
            break
        if items:
            if not text.startswith(",", position):
                line += text.count("\n", counted, position)
                raise ExportError("is not valid JSON: expected ',' between messages", file=name, line=line)
            position = _SPACE.match(text, position + 1).end()
        line += text.count("\n", counted, position)
        counted = position
        try:
            item, position = _DECODER.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise ExportError(
                f"is not valid JSON: {error.msg} (column {error.colno})", file=name, line=error.lineno
            ) from None
        items.append((line, item))
    return items


class FolderSource(Source):
    def __init__(self, root: Path):
        self.root = root.resolve()
        self.label = str(root)
        self.entries = {}
        cap = limits()["entries"]
        for directory, dirs, files in os.walk(self.root, followlinks=False):
            dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(directory, d))]
            for filename in files:
                full = Path(directory, filename)
                if full.is_symlink() and not full.resolve().is_relative_to(self.root):
                    continue  # never read outside the export
                name = full.relative_to(self.root).as_posix()
                self.entries[name] = Entry(name, full.stat().st_size)
                if len(self.entries) > cap:
                    raise ExportError(f"has more than {cap:,} files; that is not a Slack export", file=self.label)

    def read_bytes(self, name: str, limit: int) -> bytes:
        entry = self.entries[name]
        if entry.size > limit:
            raise ExportError(f"is {entry.size / MB:.0f} MB, over the {limit / MB:.0f} MB limit", file=name)
        return (self.root / name).read_bytes()


class ZipSource(Source):
    def __init__(self, path: Path):
        self.label = str(path)
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise ExportError(f"is not a readable zip file ({error})", file=path.name) from None
        infos = self.zip.infolist()
        caps = limits()
        if len(infos) > caps["entries"]:
            raise ExportError(f"has more than {caps['entries']:,} entries; refusing it", file=path.name)
        total = 0
        for info in infos:
            if _unsafe(info.filename):
                raise ExportError(
                    f"holds an entry with an unsafe path ({info.filename!r}): absolute or '..' paths could write "
                    "outside the import; refusing the whole file",
                    file=path.name,
                )
            total += info.file_size
            if info.file_size > MB and info.compress_size and info.file_size / info.compress_size > caps["ratio"]:
                raise ExportError(
                    f"looks like a zip bomb: {info.filename!r} expands {info.file_size // info.compress_size}x "
                    f"(the limit is {caps['ratio']}x)",
                    file=path.name,
                )
        if total > caps["total"]:
            raise ExportError(
                f"expands to {total / MB:,.0f} MB, over the {caps['total'] / MB:,.0f} MB limit "
                "(SLACK_IMPORT_MAX_TOTAL_MB)",
                file=path.name,
            )
        names = [i for i in infos if not i.is_dir()]
        prefix = _common_root([i.filename for i in names])
        self.infos = {}
        self.entries = {}
        for info in names:
            name = info.filename[len(prefix) :] if info.filename.startswith(prefix) else ""
            if name:
                self.infos[name] = info
                self.entries[name] = Entry(name, info.file_size)

    def read_bytes(self, name: str, limit: int) -> bytes:
        info = self.infos[name]
        if info.file_size > limit:
            raise ExportError(f"is {info.file_size / MB:.0f} MB, over the {limit / MB:.0f} MB limit", file=name)
        chunks, total = [], 0
        with self.zip.open(info) as handle:  # the declared size may lie: count what really comes out
            while chunk := handle.read(MB):
                total += len(chunk)
                if total > max(limit, info.file_size):
                    raise ExportError("expands past its declared size; refusing it (zip bomb?)", file=name)
                chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        self.zip.close()


def _common_root(names: list[str]) -> str:
    """'export/' when every entry sits inside one top folder holding the export's top files."""
    for top in TOP_FILES:
        candidates = [n[: -len(top)] for n in names if n == top or n.endswith("/" + top)]
        if candidates:
            return min(candidates, key=len)
    return ""


def open_export(path: str | Path) -> Source:
    """A Source for a .zip or a folder; ExportError when it is neither or is not a Slack export."""
    path = Path(path)
    if not path.exists():
        raise ExportError("does not exist", file=str(path))
    source: Source = FolderSource(path) if path.is_dir() else ZipSource(path)
    if not any(source.has(name) for name in ("users.json", "channels.json")):
        source.close()
        raise ExportError(
            "is not a Slack export: it has no users.json or channels.json (export from Slack's "
            "Settings → Import/Export Data, or with slackdump)",
            file=path.name,
        )
    return source


def iter_days(source: Source, folders: dict[str, str]) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(date, [(folder, entry name), ...]) in date order, for the given {folder: conversation key}."""
    by_date: dict[str, list[tuple[str, str]]] = {}
    for folder, dates in source.day_files().items():
        if folder not in folders:
            continue
        for date in dates:
            by_date.setdefault(date, []).append((folder, f"{folder}/{date}.json"))
    for date in sorted(by_date):
        yield date, by_date[date]
