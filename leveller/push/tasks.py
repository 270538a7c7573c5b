"""Push background work: each send runs in the task queue, never in the request that made the news."""

from __future__ import annotations

from django_tasks import task

from leveller.push import delivery


@task()
def deliver_push(message_id: int) -> int:
    return delivery.deliver(message_id)


@task()
def withdraw_push(member_id: int, tag: str) -> int:
    return delivery.withdraw(member_id, tag)


@task()
def push_announcement(message_id: int) -> int:
    from leveller.push.hooks import announce

    return announce(message_id)
