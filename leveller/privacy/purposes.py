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
}


def info(purpose: str) -> PurposeInfo:
    try:
        return PURPOSES[purpose]
    except KeyError:
        raise ValueError(f"unknown purpose {purpose!r}: use one of {', '.join(PURPOSES)}") from None
