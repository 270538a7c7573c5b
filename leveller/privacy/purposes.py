"""The purposes a member (or a phonebank contact) can consent to, with the wording shown for each.

Each purpose says what happens when there is no record at all: opt-in purposes (the newsletter, research,
sharing with the parent party) need a recorded consent; opt-out purposes rest on the organisation's
legitimate interest towards its own members and run until the person withdraws.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Purpose(models.TextChoices):
    NEWSLETTER = "newsletter", "The members' newsletter"
    CAMPAIGN_CALLS = "campaign_calls", "Phone calls about our campaigns"
    EVENT_REMINDERS = "event_reminders", "Reminders about events you signed up to"
    RESEARCH = "research", "Research and surveys"
    PARTY_SHARING = "party_sharing", "Sharing your details with the parent party"
    GROUP_MESSAGES = "group_messages", "Messages from organisers of your groups"
    CHAT_NOTIFICATIONS = "chat_notifications", "Notifications about chat messages to you"


class Method(models.TextChoices):
    FORM = "form", "A form they filled in"
    IMPORT = "import", "An imported list"
    CALL = "call", "On a phone call"
    ADMIN = "admin", "Recorded by staff"


class Basis(models.TextChoices):
    CONSENT = "consent", "Consent"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests"
    CONTRACT = "contract", "Contract (membership)"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation"


@dataclass(frozen=True)
class PurposeInfo:
    purpose: str
    wording: str
    opt_in: bool
    basis: str
    channel: str  # how it reaches the person: email, phone, push, export


PURPOSES: dict[str, PurposeInfo] = {
    Purpose.NEWSLETTER: PurposeInfo(
        Purpose.NEWSLETTER,
        "Email me the members' newsletter, about once a month. I can unsubscribe at any time.",
        True,
        Basis.CONSENT,
        "email",
    ),
    Purpose.CAMPAIGN_CALLS: PurposeInfo(
        Purpose.CAMPAIGN_CALLS,
        "Volunteers may phone me about our campaigns, between 10am and 8pm. I can ask them to stop at any time.",
        False,
        Basis.LEGITIMATE_INTERESTS,
        "phone",
    ),
    Purpose.EVENT_REMINDERS: PurposeInfo(
        Purpose.EVENT_REMINDERS,
        "Email me a reminder the day before and the hour before an event I have signed up to.",
        False,
        Basis.LEGITIMATE_INTERESTS,
        "email",
    ),
    Purpose.RESEARCH: PurposeInfo(
        Purpose.RESEARCH,
        "Invite me to take part in research and surveys about the movement. My answers are used only in "
        "summaries that do not name me.",
        True,
        Basis.CONSENT,
        "email",
    ),
    Purpose.PARTY_SHARING: PurposeInfo(
        Purpose.PARTY_SHARING,
        "Share my name, email, phone and postcode with the parent party so that it can contact me about "
        "party membership and elections.",
        True,
        Basis.CONSENT,
        "export",
    ),
    Purpose.GROUP_MESSAGES: PurposeInfo(
        Purpose.GROUP_MESSAGES,
        "Email me messages that organisers send to the groups I belong to, and push me announcements in the "
        "channels I am in.",
        False,
        Basis.LEGITIMATE_INTERESTS,
        "email, push",
    ),
    Purpose.CHAT_NOTIFICATIONS: PurposeInfo(
        Purpose.CHAT_NOTIFICATIONS,
        "Email or push me about direct messages, mentions of me and replies in threads I follow that I have "
        "not read yet.",
        False,
        Basis.LEGITIMATE_INTERESTS,
        "email, push",
    ),
}


@dataclass(frozen=True)
class SendingPath:
    path: str  # where the code sends
    what: str
    purpose: str | None  # None: a service message, which needs no consent (see `why`)
    why: str


# Every way Leveller reaches a person, and the purpose it checks with `consent.permits` / `consent.permitted`.
# A purpose of None is a service message: the person asked for it or it is part of something they are doing
# (or of membership itself), so no consent is asked; it still goes only to active, unsuppressed people.
# tests/privacy/test_sending.py exercises each path with a purpose.
SENDING_PATHS: list[SendingPath] = [
    SendingPath(
        "newsletter.sending", "The newsletter", Purpose.NEWSLETTER, "Sent to confirmed subscribers only (double opt-in)"
    ),
    SendingPath(
        "events.reminders", "Event reminders (email and push)", Purpose.EVENT_REMINDERS, "Opt-out; checked per RSVP"
    ),
    SendingPath(
        "groups.tasks.email_group_message",
        "An organiser's email to a group",
        Purpose.GROUP_MESSAGES,
        "Opt-out; the group's members who withdrew are left out of the fan-out",
    ),
    SendingPath(
        "chat.tasks.send_mention_digest",
        "The email about unread mentions and direct messages",
        Purpose.CHAT_NOTIFICATIONS,
        "Opt-out; chat's own email preference also stops it",
    ),
    SendingPath(
        "push.actions.notify (dm, mention, thread_reply)",
        "Web Push about chat",
        Purpose.CHAT_NOTIFICATIONS,
        "Checked when queued and again when delivered (pushes held through quiet hours)",
    ),
    SendingPath(
        "push.actions.notify (announcement)",
        "Web Push of a channel announcement",
        Purpose.GROUP_MESSAGES,
        "As for the push above",
    ),
    SendingPath("push.actions.notify (event_reminder)", "Web Push event reminder", Purpose.EVENT_REMINDERS, "As above"),
    SendingPath(
        "phonebank.actions.next_contact",
        "A phone call from a volunteer",
        Purpose.CAMPAIGN_CALLS,
        "Checked as each contact is handed to a caller; withdrawals also go on the do-not-call list",
    ),
    SendingPath(
        "privacy.views_staff.party_export",
        "The export to the parent party",
        Purpose.PARTY_SHARING,
        "Opt-in; only members who agreed are in the file",
    ),
    SendingPath(
        "push.actions.notify (phonebank_shift)",
        "Web Push that calling has started in a campaign",
        None,
        "Sent to the campaign's callers about a role they took on; turned off per kind in push settings",
    ),
    SendingPath(
        "elections.notify and push (nominations_open, voting_open, vote_results)",
        "Election notices: nominations open, voting open, a reminder to vote, results",
        None,
        "Membership notices the rules require (contract); each kind has its own one-click unsubscribe",
    ),
    SendingPath(
        "accounts, privacy, newsletter confirm",
        "Invitations, email-change confirmations, sign-up confirmations, copies ready, erasure notices",
        None,
        "Transactional: the person asked for it",
    ),
    SendingPath(
        "events.actions, events.rsvp_actions, events.course_actions",
        "Event decisions, cancellations, waiting-list places, course applications",
        None,
        "Transactional: about something the member submitted or signed up to",
    ),
    SendingPath(
        "lobbying",
        "Letter confirmations, copies, moderation results, the one 'Has your MP replied?' follow-up",
        None,
        "Transactional: about a letter the person wrote themself; not sent to a suppressed address",
    ),
    SendingPath(
        "phonebank.export",
        "The results CSV for a campaign's organisers",
        None,
        "Internal processing, not a send: the organisers of the campaign see it (the download is audited)",
    ),
]


# What each Web Push kind (leveller.push.models.Kind) needs.
PUSH_PURPOSES: dict[str, str | None] = {
    "dm": Purpose.CHAT_NOTIFICATIONS,
    "mention": Purpose.CHAT_NOTIFICATIONS,
    "thread_reply": Purpose.CHAT_NOTIFICATIONS,
    "announcement": Purpose.GROUP_MESSAGES,
    "event_reminder": Purpose.EVENT_REMINDERS,
    "phonebank_shift": None,
    "nominations_open": None,
    "voting_open": None,
    "vote_results": None,
}


def info(purpose: str) -> PurposeInfo:
    try:
        return PURPOSES[purpose]
    except KeyError:
        raise ValueError(f"unknown purpose {purpose!r}: use one of {', '.join(PURPOSES)}") from None
