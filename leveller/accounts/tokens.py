"""Reading API tokens (writing them is in actions.py)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from leveller.accounts.models import ApiToken, Member, hash_secret

TOUCH_EVERY = dt.timedelta(minutes=5)

# Every API call runs this, so it is one plain query (token, member and roles together) rather than three ORM
# ones: the ORM's query building cost several times the query itself (docs/architecture.md, Measured choices).
_ROLES = {"sqlite": "group_concat(r.role, ',')", "postgresql": "string_agg(r.role, ',')"}
_LOOKUP = """
SELECT m.*, t.id AS token_id, (t.last_used_at IS NULL OR t.last_used_at < %s) AS token_stale,
       (SELECT {roles} FROM accounts_memberrole r WHERE r.member_id = m.id) AS role_list
FROM accounts_apitoken t JOIN accounts_member m ON m.id = t.member_id
WHERE t.token_hash = %s AND t.revoked_at IS NULL AND m.is_active
"""


def member_for_token(secret: str):
    """The active member a token belongs to, or None. Records last use at most every few minutes."""
    if not secret or not secret.startswith(ApiToken.PREFIX) or len(secret) > 100:
        return None
    now = timezone.now()
    sql = _LOOKUP.format(roles=_ROLES.get(connection.vendor, _ROLES["postgresql"]))
    stale_before = connection.ops.adapt_datetimefield_value(now - TOUCH_EVERY)
    member = next(iter(Member.objects.raw(sql, [stale_before, hash_secret(secret)])), None)
    if member is None:
        return None
    member._roles_cache = frozenset(filter(None, (member.role_list or "").split(",")))
    if member.token_stale:
        ApiToken.objects.filter(pk=member.token_id).update(last_used_at=now)
    return member
