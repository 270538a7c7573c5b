"""Erasure (UK GDPR Article 17): a member asks, staff approve (or it runs by itself after the grace period),
then every domain's eraser runs, in one transaction:

- the profile and contact details go: the member row stays only as "Former member" with no address, so what
  they wrote can still be shown to others (or is deleted, where they asked and the policy allows);
- each domain removes what is only about them (memberships, RSVPs, survey answers given about them as a
  phonebank contact, subscriptions, tokens …) and DMs left with nobody in them;
- ballots are untouched: they never named anyone, and every counted ballot stays counted;
- their email and phone go onto the suppression list (keyed hashes), and a final sweep blanks any copy of
  them left in any text column of any table.

Asking, deciding and erasing are in actions/erasure.py; this module says who is erased.
"""

from __future__ import annotations

FORMER_MEMBER = "Former member"


def erased_email(member_id: int) -> str:
    return f"erased-{member_id}@erased.invalid"


def is_erased(member) -> bool:
    return member.email == erased_email(member.pk)
