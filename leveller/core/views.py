from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from leveller.core import home_panels, page_cache


@login_required
def home(request):
    """The workspace home: every domain's panels. The page is cached per session for a few seconds
    (core.page_cache), the panels too (a page with a flash message to show is rendered, with cached panels)."""
    return page_cache.cached(
        request, "home", lambda: render(request, "core/home.html", {"panels": home_panels.render_all(request)})
    )
