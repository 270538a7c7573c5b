"""A database outage answers 503 at once, never Django's HTML 500: `{"detail"}` JSON under /api/, a styled page
elsewhere (templates/errors/503.html), with Retry-After. The page is rendered without touching the database
(no session, no member, no navigation), since the database is what is missing."""

from __future__ import annotations

import logging
import sys

from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

log = logging.getLogger(__name__)
DETAIL = "The service cannot reach its database right now. Try again in a few seconds."
RETRY_AFTER = "5"


def is_outage(error: BaseException | None) -> bool:
    """Lost or refused connections, timeouts, a full disk, a read-only or locked database: the database's state,
    not a bug (IntegrityError and ProgrammingError stay 500/400 as before)."""
    return isinstance(error, OperationalError | InterfaceError)


def json_response() -> JsonResponse:
    response = JsonResponse({"detail": DETAIL}, status=503)
    response["Retry-After"] = RETRY_AFTER
    return response


def page_response() -> HttpResponse:
    try:
        from django.conf import settings

        html: str = render_to_string(
            "errors/503.html", {"SITE_NAME": settings.SITE_NAME, "user": AnonymousUser(), "nav_items": []}
        )
    except Exception:  # the template itself failed: a plain page is better than none
        log.exception("rendering the 503 page failed")
        html = f"<!doctype html><title>Temporarily unavailable</title><h1>Temporarily unavailable</h1><p>{DETAIL}</p>"
    response = HttpResponse(html, status=503)
    response["Retry-After"] = RETRY_AFTER
    return response


def for_request(request) -> HttpResponse:
    return json_response() if request.path.startswith("/api/") else page_response()


def server_error(request, *args, **kwargs):
    """handler500: a database outage becomes 503; anything else is the styled 500 page (core/errors.py)."""
    if is_outage(sys.exc_info()[1]):
        return for_request(request)
    from leveller.core.errors import server_error as styled_server_error

    return styled_server_error(request)
