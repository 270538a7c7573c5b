"""`Idempotency-Key` on every write of the API: a retry with the same key returns the first result and changes
nothing.

A client that sends a write and loses the answer (a timeout, a server killed mid-request, a dropped
connection) cannot tell whether it was done. Sent again with the same `Idempotency-Key` header (any string of
1-255 visible characters, a UUID say), the request is not run again: the first response comes back, with
`Idempotent-Replayed: true`.

How: the key is recorded (actor, key → method, path, body fingerprint) in the SAME transaction as the write,
and the response stored in it before commit. So either both the change and the key are committed, and a retry
is answered from the key, or neither is, and a retry runs as if for the first time. Two copies sent at once
wait for each other on the key's unique index; the second gets the first's response. Errors the client should
retry as they are (5xx, 401, 429) are not kept: they roll back, and the retry runs afresh. The same key with a
different method, path or body is refused with 422. Keys are per caller (a member), kept
LEVELLER_IDEMPOTENCY_HOURS (pruned with the event log).

One mechanism, two transports: `IdempotencyMiddleware` for every API request through Django (any endpoint of
any app gets it), and `run()` called by the fast lane (core/fastlane.py) for its token-authenticated calls.
Requests without the header pay nothing.

Secret ballots are the exception (`SECRET_PATHS`): a ballot's request and answer (the receipt, the ranking's
fingerprint, who sent it and when) are never stored beside it, since that would link a member to their
receipt, and the published receipts to their preferences. A ballot sent twice is refused the second time
("you have already voted"), which is the retry's answer there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone

HEADER = "Idempotency-Key"
SECRET_PATHS = re.compile(r"^/api/v1/elections/[^/]+/ballot/?$")  # never remembered: see the docstring
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOT_KEPT = frozenset({401, 408, 425, 429})


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    replayed: bool = False


class Refused(Exception):
    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status = status
        self.detail = detail

    def answer(self) -> Answer:
        return Answer(self.status, "application/json", json.dumps({"detail": self.detail}).encode())


def valid_key(key: str) -> bool:
    return 0 < len(key) <= 255 and key.isascii() and key.isprintable()


def kept(status: int) -> bool:
    return status < 500 and status not in NOT_KEPT


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256(method.encode() + b" " + path.encode() + b"\n")
    digest.update(body)
    return digest.hexdigest()


def run(*, actor: str, key: str, method: str, path: str, body: bytes, call: Callable[[], Answer]) -> Answer:
    """Run `call` once for this (actor, key); a later call with the same key gets the first Answer back."""
    from leveller.core.models import IdempotentRequest

    if not valid_key(key):
        return Refused(400, "Idempotency-Key must be 1 to 255 visible ASCII characters.").answer()
    print_ = fingerprint(method, path, body)
    for _ in range(3):  # the first holder may roll back (a 5xx) while we wait: then the key is ours
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotentRequest.objects.create(
                        actor=actor, key=key, method=method, path=path[:500], fingerprint=print_
                    )
            except IntegrityError:
                record = None
            if record is not None:
                answer = call()
                if kept(answer.status):
                    record.status, record.content_type, record.body = answer.status, answer.content_type, answer.body
                    record.save(update_fields=["status", "content_type", "body"])
                else:
                    transaction.set_rollback(True)
                return answer
        earlier = IdempotentRequest.objects.filter(actor=actor, key=key).first()
        if earlier is None:
            continue
        if earlier.fingerprint != print_:
            return Refused(422, "This Idempotency-Key was already used for a different request.").answer()
        if earlier.status is None:
            return Refused(409, "A request with this Idempotency-Key is still being processed.").answer()
        return Answer(earlier.status, earlier.content_type, bytes(earlier.body), replayed=True)
    return Refused(409, "A request with this Idempotency-Key is still being processed.").answer()


def prune(*, now: dt.datetime | None = None) -> int:
    from leveller.core.models import IdempotentRequest

    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.LEVELLER_IDEMPOTENCY_HOURS)
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- Django: every API write ----------------------------------------------------------------------------------
def _actor(request) -> str | None:
    """Who is asking, as the API would judge it: a Bearer token, else a session with a valid CSRF token."""
    kind, _, secret = request.headers.get("Authorization", "").partition(" ")
    if kind.lower() == "bearer" and secret.strip():
        from leveller.accounts.tokens import member_for_token

        member = member_for_token(secret.strip())
        return f"m{member.pk}" if member is not None else None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    from django.middleware.csrf import CsrfViewMiddleware

    if CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}) is not None:  # type: ignore[arg-type]  # only its check is used
        return None  # the API refuses it (403): nothing to remember
    return f"m{user.pk}"


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if key is None or request.method not in WRITES or not request.path.startswith("/api/"):
            return self.get_response(request)
        if SECRET_PATHS.match(request.path):
            return self.get_response(request)
        actor = _actor(request)
        if actor is None:
            return self.get_response(request)
        live: list[HttpResponse] = []

        def call() -> Answer:
            response = self.get_response(request)
            live.append(response)
            if response.streaming:
                return Answer(500, "", b"")  # never kept (no API endpoint streams)
            return Answer(response.status_code, response.get("Content-Type", ""), response.content)

        try:
            body = request.body
        except Exception:  # too large to fingerprint (an upload): served without the key
            return self.get_response(request)
        answer = run(actor=actor, key=key, method=request.method, path=request.path, body=body, call=call)
        if live and not answer.replayed and answer.status == live[0].status_code:
            return live[0]
        response = HttpResponse(answer.body, status=answer.status, content_type=answer.content_type or None)
        if answer.replayed:
            response["Idempotent-Replayed"] = "true"
        return response
