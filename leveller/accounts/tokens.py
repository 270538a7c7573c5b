"""Reading API tokens (writing them is in actions/members.py)."""

from __future__ import annotations

import datetime as dt
import functools

from django.db import connection
from django.utils import timezone

from leveller.accounts.models import ApiToken, Member, hash_secret
from leveller.core import rawload

TOUCH_EVERY = dt.timedelta(minutes=5)

# Every API call runs this, so it is one plain query (token, its member and the member's roles) rather than three
# ORM ones: the ORM's query building cost several times the query itself (docs/architecture.md, Measured choices).
_ROLES = {"sqlite": "group_concat(r.role, ',')", "postgresql": "string_agg(r.role, ',')"}
_LOOKUP = """
SELECT t.id, (t.last_used_at IS NULL OR t.last_used_at < %s),
       (SELECT {roles} FROM accounts_memberrole r WHERE r.member_id = t.member_id), {member}
FROM accounts_apitoken t JOIN accounts_member m ON m.id = t.member_id
WHERE t.token_hash = %s AND t.revoked_at IS NULL AND m.is_active
"""


@functools.cache
def _lookup_sql(vendor: str) -> str:
    return _LOOKUP.format(roles=_ROLES.get(vendor, _ROLES["postgresql"]), member=rawload.columns(Member, "m"))


def member_for_token(secret: str):
    """The active member a token belongs to, or None. Records last use at most every few minutes."""
    if not secret or not secret.startswith(ApiToken.PREFIX) or len(secret) > 100:
        return None
    now = timezone.now()
    stale_before = connection.ops.adapt_datetimefield_value(now - TOUCH_EVERY)
    row = rawload.execute(_lookup_sql(connection.vendor), [stale_before, hash_secret(secret)]).fetchone()
    if row is None:
        return None
    token_id, stale, roles = row[:3]
    member = rawload.build(Member, row[3:])
    member._roles_cache = frozenset(filter(None, (roles or "").split(",")))
    if stale:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return member
