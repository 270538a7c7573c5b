"""Chat background work: the batched email about mentions and direct messages a member has not read."""

from __future__ import annotations

from django_tasks import task

from leveller.chat.actions import digests


@task()
def send_mention_digest(member_id: int) -> int:
    """Send one email listing unread mentions/DMs since the last digest. Returns how many it listed."""
    return digests.send_mention_digest(member_id=member_id)
