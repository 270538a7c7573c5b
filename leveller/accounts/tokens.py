"""Reading API tokens (writing them is in actions.py)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from leveller.accounts.models import ApiToken, Member, hash_secret
from leveller.core import rawload

TOUCH_EVERY = dt.timedelta(minutes=5)

# Every API call runs this, so it is two plain queries (token with roles, then member) rather than three ORM
# ones: the ORM's query building cost several times the query itself (docs/architecture.md, Measured choices).
_ROLES = {"sqlite": "group_concat(r.role, ',')", "postgresql": "string_agg(r.role, ',')"}
_LOOKUP = """
SELECT t.id, t.member_id, (t.last_used_at IS NULL OR t.last_used_at < %s),
       (SELECT {roles} FROM accounts_memberrole r WHERE r.member_id = t.member_id)
FROM accounts_apitoken t WHERE t.token_hash = %s AND t.revoked_at IS NULL
"""


def member_for_token(secret: str):
    """The active member a token belongs to, or None. Records last use at most every few minutes."""
    if not secret or not secret.startswith(ApiToken.PREFIX) or len(secret) > 100:
        return None
    now = timezone.now()
    sql = _LOOKUP.format(roles=_ROLES.get(connection.vendor, _ROLES["postgresql"]))
    stale_before = connection.ops.adapt_datetimefield_value(now - TOUCH_EVERY)
    with connection.cursor() as cursor:
        cursor.execute(sql, [stale_before, hash_secret(secret)])
        row = cursor.fetchone()
    member = rawload.first(Member, "id = %s AND is_active", [row[1]]) if row else None
    if member is None:
        return None
    token_id, _, stale, roles = row
    member._roles_cache = frozenset(filter(None, (roles or "").split(",")))
    if stale:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return member
