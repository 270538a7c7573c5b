"""Helpers for the Slack import tests: the fixture exports, copies to break, and a run's id-free signature."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

from leveller.accounts.models import Member
from leveller.chat.actions.slack_import import import_slack
from leveller.chat.models import Channel, Message, Reaction

DATA = Path(__file__).resolve().parents[1] / "data" / "slack"
OLD = DATA / "old"
MODERN = DATA / "modern"


def copy_export(tmp_path: Path, which: Path = MODERN, name: str = "export") -> Path:
    target = tmp_path / name
    shutil.copytree(which, target)
    return target


def zip_folder(folder: Path, target: Path, *, top: str = "") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, top + path.relative_to(folder).as_posix())
    return target


def run(actor, path, **options):
    return import_slack(actor=actor, path=path, **options)


def signature() -> dict:
    """Everything an import produced, without ids: per conversation, its state, members and messages."""
    slack_ids = dict(Channel.objects.values_list("pk", "slack_id"))

    def no_ids(text: str) -> str:
        return re.sub(r"/chat/c/(\d+)/", lambda m: f"/chat/c/{slack_ids.get(int(m.group(1)))}/", text)

    out = {}
    for channel in Channel.objects.filter(slack_id__isnull=False).order_by("slack_id"):
        messages = []
        for m in Message.objects.filter(channel=channel).select_related("author", "thread").order_by("id"):
            reactions = sorted(
                Reaction.objects.filter(message=m).values_list("emoji", "member__email").order_by("emoji")
            )
            messages.append(
                (
                    m.slack_ts,
                    m.author.email if m.author_id else m.bot_name,
                    m.created_at.isoformat(),
                    no_ids(m.text),
                    no_ids(m.html),
                    m.thread.slack_ts if m.thread_id else None,
                    m.also_in_channel,
                    m.reply_count,
                    bool(m.pinned_at),
                    bool(m.edited_at),
                    bool(m.deleted_at),
                    tuple(reactions),
                    tuple(m.attachments.values_list("name", "size")),
                )
            )
        members = sorted(channel.memberships.values_list("member__email", "last_read_id"))
        last = channel.messages.order_by("-id").values_list("id", flat=True).first() or 0
        out[channel.slack_id] = {
            "name": channel.name,
            "kind": channel.kind,
            "private": channel.private,
            "topic": channel.topic,
            "purpose": channel.purpose,
            "archived": channel.archived,
            "members": [(email, read == last) for email, read in members],
            "messages": messages,
        }
    out["_members"] = sorted(
        Member.objects.filter(slack_users__isnull=False).values_list("email", "display_name", "is_active", "time_zone")
    )
    return out
