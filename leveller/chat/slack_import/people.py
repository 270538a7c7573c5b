"""users.json → members (through the accounts actions), bots → names, and the lookups messages need."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from leveller.accounts.actions import members as accounts
from leveller.accounts.models import Member
from leveller.accounts.validation import clean_email, clean_time_zone
from leveller.chat.handles import _base_handle, handle_for
from leveller.chat.models import ChatProfile
from leveller.chat.slack_import.models import SlackUser
from leveller.chat.slack_import.report import Report
from leveller.core.markdown import SPECIAL_MENTIONS
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
        self._matched: list[tuple[str, Member, str]] = []
        self._handles_needed: list[Member] = []
        self._new_emails: set[str] = set()

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
        new: list[tuple[dict, str, str]] = []  # (user, email or "", name)
        for index, user in enumerate(users):
            if not isinstance(user, dict) or not user.get("id"):
                self.report.problem(f"user #{index + 1} has no id; skipped", file=file)
                continue
            found = self._classify(user, known.get(user["id"]), existing, dry_run=dry_run, file=file)
            if found is not None:
                new.append(found)
        if dry_run:
            return
        for start in range(0, len(new), CHUNK):
            with batched(), transaction.atomic():
                self._create(new[start : start + CHUNK], actor=actor)
        self._link_matched(known)

    def _classify(self, user: dict, row: SlackUser | None, existing: dict, *, dry_run: bool, file: str):
        """Note a bot, an earlier run's member or an email match; return (user, email, name) when new."""
        slack_id, name = user["id"], display_name(user)
        profile = user.get("profile") or {}
        if profile.get("bot_id"):
            self.bots_by_bot_id[profile["bot_id"]] = name
        if _is_bot(user):
            self.report.people["bots"] += 1
            self.by_id[slack_id] = Person(None, name, is_bot=True)
            if not dry_run and row is None:
                SlackUser.objects.get_or_create(slack_id=slack_id, defaults={"name": name, "is_bot": True})
            return None
        if row is not None and row.member_id:
            self.report.people["already"] += 1
            self.by_id[slack_id] = Person(row.member_id, row.member.display_name, None)
            self._handles_needed.append(row.member)
            return None
        email = (profile.get("email") or "").strip()
        try:
            email = clean_email(email) if email else ""
        except ValidationError:
            self.report.problem(
                f"user {slack_id} ({name}) has an invalid email {email!r}; imported without it", file=file
            )
            email = ""
        if email and email.lower() in self._new_emails:
            self.report.problem(f"user {slack_id} ({name}) shares the email {email} with another user; imported "
                                "without it", file=file)  # fmt: skip
            email = ""
        match = existing.get(email.lower()) if email else None
        if match is not None:
            self.report.people["matched"] += 1
            self.by_id[slack_id] = Person(match.pk, match.display_name)
            self._matched.append((slack_id, match, name))
            return None
        self.report.people["new"] += 1
        if email:
            self._new_emails.add(email.lower())
        if not email:
            self.report.people["without_email"] += 1
            self.report.without_email.append(f"{name} ({slack_id})")
        if user.get("deleted"):
            self.report.people["deactivated"] += 1
        self.by_id[slack_id] = Person(None, name)
        return user, email, name

    def _create(self, chunk: list[tuple[dict, str, str]], *, actor) -> None:
        people = []
        for user, email, name in chunk:
            fields = {"email": email or placeholder_email(user), "display_name": name}
            with contextlib.suppress(ValidationError):
                fields["time_zone"] = clean_time_zone(user.get("tz") or "")
            people.append(fields)
        members = accounts.add_members_in_bulk(actor=actor, people=people)
        for (user, _, _name), member in zip(chunk, members, strict=True):
            if user.get("deleted"):
                accounts.deactivate_member(actor=actor, member=member, reason="Deleted in Slack (imported).")
            self.by_id[user["id"]] = Person(member.pk, member.display_name)
        # rows an earlier run left without a member (deleted since) make way for the new ones
        SlackUser.objects.filter(slack_id__in=[u["id"] for u, _, _ in chunk]).delete()
        SlackUser.objects.bulk_create(
            [
                SlackUser(slack_id=u["id"], member=m, name=n, created=True)
                for (u, _, n), m in zip(chunk, members, strict=False)
            ],
            ignore_conflicts=True,
        )
        self._handles(members)

    def _link_matched(self, known: dict) -> None:
        with transaction.atomic():
            for slack_id, member, name in self._matched:
                SlackUser.objects.update_or_create(
                    slack_id=slack_id, defaults={"member": member, "name": name, "is_bot": False, "created": False}
                )
            self._handles([m for _, m, _ in self._matched] + self._handles_needed)

    def _handles(self, members: list) -> None:
        """Every member's chat handle (for converting Slack mentions), created in bulk where missing."""
        ids = [m.pk for m in members]
        have = dict(ChatProfile.objects.filter(member_id__in=ids).values_list("member_id", "handle"))
        taken = set(ChatProfile.objects.values_list("handle", flat=True)) | SPECIAL_MENTIONS
        fresh = []
        for member in members:
            if member.pk in have:
                continue
            base = _base_handle(member.display_name)
            handle, n = base, 1
            while handle in taken:
                n += 1
                handle = f"{base}{n}"
            taken.add(handle)
            have[member.pk] = handle
            fresh.append(ChatProfile(member_id=member.pk, handle=handle))
        ChatProfile.objects.bulk_create(fresh, ignore_conflicts=True)
        if fresh:  # a handle taken meanwhile by someone else: those members get theirs the usual way
            stored = dict(ChatProfile.objects.filter(member_id__in=ids).values_list("member_id", "handle"))
            for member in members:
                if member.pk not in stored:
                    stored[member.pk] = handle_for(member)
            have = stored
        for person in self.by_id.values():
            if person.member_id in have:
                person.handle = have[person.member_id]

    def author(self, slack_id: str | None) -> Person | None:
        return self.by_id.get(slack_id) if slack_id else None
