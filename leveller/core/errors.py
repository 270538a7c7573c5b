"""Styled error pages that say why and where to go next. Each status has templates/errors/<code>.html, which
extends errors/base.html (itself the site's base.html); add a status by adding its template and, if Django
has a handler for it, a view here. The 500 page falls back to a plain page when even rendering fails."""

from __future__ import annotations

import logging

from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

log = logging.getLogger(__name__)

PLAIN_500 = (
    "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'><title>Something went wrong</title>"
    "<meta name='viewport' content='width=device-width, initial-scale=1'></head><body>"
    "<main><h1>Something went wrong</h1><p>The problem is ours, not yours, and it has been logged. "
    "Please try again in a minute, or <a href='/'>go to the home page</a>.</p></main></body></html>"
)
# What the API answers for a bug: the same sentence as the page, as `{"detail"}` JSON, and nothing of the error.
API_500 = "Something went wrong on our side. It has been logged; please try again in a minute."


def _reason(exception) -> str:
    """The message a view gave (PermissionDenied("Only staff can do that.")), never Django's internal ones."""
    return str(exception or "").strip()[:300]


def render_error(request, code: int, context: dict | None = None) -> HttpResponse:
    template = loader.get_template(f"errors/{code}.html")
    body = template.render({"status_code": code, **(context or {})}, request)
    return HttpResponse(body, status=code)


@requires_csrf_token
def permission_denied(request, exception=None):
    return render_error(request, 403, {"reason": _reason(exception)})


@requires_csrf_token
def page_not_found(request, exception=None):
    return render_error(request, 404, {"request_path": request.path})


@requires_csrf_token
def bad_request(request, exception=None):
    return render_error(request, 400, {})


def csrf_failure(request, reason=""):
    return render_error(
        request,
        403,
        {
            "reason": "The form had expired or came from another site, so nothing was changed. Go back, reload the "
            "page and try again.",
            "csrf": True,
        },
    )


@requires_csrf_token
def server_error(request):
    """handler500 (through core/unavailable.py): the styled page, or `{"detail"}` JSON under /api/. Neither says
    anything about the error itself (it is in the log)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": API_500}, status=500)
    try:
        return render_error(request, 500, {})
    except Exception:  # the error may be in what the page needs (the database): say so plainly
        log.exception("the 500 page itself failed to render")
        return HttpResponseServerError(PLAIN_500)
