"""Chat's home-page panels: unread channels and the newcomers waiting for a hello."""

from __future__ import annotations

from django.template.loader import render_to_string

from leveller.chat import queries
from leveller.core import home_panels


@home_panels.register(10)
def unread_panel(request):
    if not request.user.is_authenticated:
        return None
    rows = [row for row in queries.sidebar(request.user) if row["unread"] or row["mentions"]]
    greet = queries.joiners_to_greet(request.user)
    return render_to_string("chat/panels/home.html", {"rows": rows[:8], "greet": greet[:5]}, request=request)
