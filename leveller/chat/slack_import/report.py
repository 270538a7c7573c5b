"""What an import (or a dry run) did, would do, and could not do: counts, per-channel numbers and problems."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

MAX_PROBLEMS = 1000
MAX_NAMES = 500
# What a per-conversation row's kind (the conversations counter key it was counted under) is called on the page.
KIND_TITLE = {
    "channels": "Public channel",
    "private": "Private channel",
    "group_dms": "Group direct message",
    "dms": "Direct message",
}


@dataclass
class Report:
    dry_run: bool = False
    people: Counter = field(default_factory=Counter)
    without_email: list[str] = field(default_factory=list)
    conversations: Counter = field(default_factory=Counter)
    renamed: list[str] = field(default_factory=list)
    channels: dict[str, dict] = field(default_factory=dict)  # slack id -> {name, kind, private, messages, ...}
    messages: Counter = field(default_factory=Counter)
    problems: list[dict] = field(default_factory=list)
    problem_count: int = 0
    skipped_subtypes: Counter = field(default_factory=Counter)
    timings: dict[str, float] = field(default_factory=dict)

    def problem(self, reason: str, *, file: str = "", line: int | None = None) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"file": file, "line": line, "reason": reason})

    def channel(self, slack_id: str) -> dict:
        return self.channels.setdefault(slack_id, {"name": slack_id, "kind": "", "messages": 0, "already": 0})

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "people": dict(self.people),
            "without_email": self.without_email[:MAX_NAMES],
            "conversations": dict(self.conversations),
            "renamed": self.renamed,
            "channels": sorted(self.channels.values(), key=lambda row: (row["kind"], row["name"])),
            "messages": dict(self.messages),
            "problems": self.problems,
            "problem_count": self.problem_count,
            "skipped_subtypes": dict(self.skipped_subtypes),
            "timings": self.timings,
        }

    def lines(self) -> list[str]:
        """The report as text (the CLI prints it; the admin page shows the same facts)."""
        verb = "would be" if self.dry_run else "were"
        p, c, m = self.people, self.conversations, self.messages
        out = [
            f"People: {p['matched']} matched to existing members by email, {p['new']} new "
            f"({p['without_email']} without an email), {p['deactivated']} deactivated (deleted in Slack), "
            f"{p['bots']} bots, {p['already']} already imported, {p['invited']} invited.",
            f"Conversations: {c['channels']} public channels, {c['private']} private channels, {c['dms']} direct "
            f"messages, {c['group_dms']} group direct messages ({c['already']} already imported).",
            f"Messages: {m['imported']} {verb} imported ({m['replies']} thread replies), {m['already']} already "
            f"there, {m['reactions']} reactions, {m['attachments']} files attached, {m['file_links']} files kept "
            f"as links, {m['state_changes']} system messages applied as changes.",
        ]
        if self.without_email:
            out.append("Without an email (claimable later): " + ", ".join(self.without_email[:50]))
        for line in self.renamed:
            out.append(line)
        out.append("Per conversation:")
        for row in sorted(self.channels.values(), key=lambda r: (r["kind"], r["name"])):
            out.append(f"  {row['kind']:<9} {row['name']}: {row['messages']} messages ({row['already']} already there)")
        if self.skipped_subtypes:
            out.append(
                "Not imported (no content): "
                + ", ".join(f"{n} {name}" for name, n in self.skipped_subtypes.most_common())
            )
        if self.timings:
            out.append("Seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in self.timings.items()))
        if self.problem_count:
            out.append(f"Problems ({self.problem_count}):")
            for item in self.problems:
                where = item["file"] + (f", line {item['line']}" if item["line"] else "")
                out.append(f"  {where}: {item['reason']}" if where else f"  {item['reason']}")
            if self.problem_count > len(self.problems):
                out.append(f"  … and {self.problem_count - len(self.problems)} more")
        return out
