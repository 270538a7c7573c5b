"""users.json → members (through the accounts actions), bots → names, and the lookups messages need."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from leveller.accounts import actions as accounts
from leveller.accounts.models import Member
from leveller.accounts.validation import clean_email, clean_time_zone
from leveller.chat.handles import handle_for
from leveller.chat.slack_import.models import SlackUser
from leveller.chat.slack_import.report import Report
from leveller.realtime.publish import batched

PLACEHOLDER_DOMAIN = "slack-import.invalid"
CHUNK = 250


@dataclass
class Person:
    member_id: int | None
    name: str
    handle: str | None = None
    is_bot: bool = False


def placeholder_email(user: dict) -> str:
    team = (user.get("team_id") or "workspace").lower()
    return f"{user['id'].lower()}.{team}@{PLACEHOLDER_DOMAIN}"


def is_placeholder(email: str) -> bool:
    return email.endswith("@" + PLACEHOLDER_DOMAIN)


def display_name(user: dict) -> str:
    profile = user.get("profile") or {}
    for value in (
        profile.get("display_name"),
        profile.get("real_name"),
        user.get("real_name"),
        user.get("name"),
        user.get("id"),
    ):
        if value and str(value).strip():
            return str(value).strip()[:120]
    return "Slack user"


def _is_bot(user: dict) -> bool:
    return bool(user.get("is_bot") or (user.get("is_app_user") and not (user.get("profile") or {}).get("email"))) or (
        user.get("id") == "USLACKBOT"
    )


class People:
    """Slack user id → Person. Built from SlackUser rows (earlier runs) and users.json."""

    def __init__(self, report: Report):
        self.report = report
        self.by_id: dict[str, Person] = {}
        self.bots_by_bot_id: dict[str, str] = {}

    def lookup(self, slack_id: str) -> tuple[str | None, str]:
        person = self.by_id.get(slack_id)
        if person is None:
            return None, slack_id
        return person.handle, person.name

    def load(self, users: list, *, actor, dry_run: bool, file: str = "users.json") -> None:
        known = {row.slack_id: row for row in SlackUser.objects.select_related("member")}
        emails = {
            (u.get("profile") or {}).get("email", "").strip().lower()
            for u in users
            if isinstance(u, dict) and (u.get("profile") or {}).get("email")
        }
        existing: dict[str, Member] = {}
        emails_list = sorted(emails)
        for start in range(0, len(emails_list), 500):  # matched case-insensitively, as the accounts actions do
            chunk = emails_list[start : start + 500]
            for member in Member.objects.annotate(lowered=Lower("email")).filter(lowered__in=chunk):
                existing[member.email.lower()] = member
        for start in range(0, len(users), CHUNK):  # a transaction per chunk; broadcasts sent together
            with batched(), transaction.atomic():
                for index, user in enumerate(users[start : start + CHUNK], start=start):
                    if not isinstance(user, dict) or not user.get("id"):
                        self.report.problem(f"user #{index + 1} has no id; skipped", file=file)
                        continue
                    self._one(user, known.get(user["id"]), existing, actor=actor, dry_run=dry_run, file=file)

    def _one(self, user: dict, row: SlackUser | None, existing: dict, *, actor, dry_run: bool, file: str) -> None:
        slack_id, name = user["id"], display_name(user)
        profile = user.get("profile") or {}
        if profile.get("bot_id"):
            self.bots_by_bot_id[profile["bot_id"]] = name
        if _is_bot(user):
            self.report.people["bots"] += 1
            self.by_id[slack_id] = Person(None, name, is_bot=True)
            if not dry_run and row is None:
                SlackUser.objects.create(slack_id=slack_id, name=name, is_bot=True)
            return
        if row is not None and row.member_id:
            self.report.people["already"] += 1
            self.by_id[slack_id] = Person(row.member_id, row.member.display_name, handle_for(row.member))
            return
        email = (profile.get("email") or "").strip()
        try:
            email = clean_email(email) if email else ""
        except ValidationError:
            self.report.problem(
                f"user {slack_id} ({name}) has an invalid email {email!r}; imported without it", file=file
            )
            email = ""
        match = existing.get(email.lower()) if email else None
        if match is not None:
            self.report.people["matched"] += 1
        else:
            self.report.people["new"] += 1
            if not email:
                self.report.people["without_email"] += 1
                self.report.without_email.append(f"{name} ({slack_id})")
            if user.get("deleted"):
                self.report.people["deactivated"] += 1
        if dry_run:
            self.by_id[slack_id] = Person(match.pk if match else None, match.display_name if match else name)
            return
        with transaction.atomic():
            created = match is None
            if created:
                fields = {}
                with contextlib.suppress(ValidationError):
                    fields["time_zone"] = clean_time_zone(user.get("tz") or "")
                match, _ = accounts.add_or_update_member(
                    actor=actor, email=email or placeholder_email(user), display_name=name, **fields
                )
                if user.get("deleted") and match.is_active:
                    accounts.deactivate_member(actor=actor, member=match, reason="Deleted in Slack (imported).")
            SlackUser.objects.update_or_create(
                slack_id=slack_id, defaults={"member": match, "name": name, "is_bot": False, "created": created}
            )
            self.by_id[slack_id] = Person(match.pk, match.display_name, handle_for(match))

    def author(self, slack_id: str | None) -> Person | None:
        return self.by_id.get(slack_id) if slack_id else None
