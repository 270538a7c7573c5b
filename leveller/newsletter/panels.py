"""The newsletter's panel on the workspace home: the question of the month and the latest issue."""

from __future__ import annotations

from django.template.loader import render_to_string

from leveller.newsletter.access import is_editor
from leveller.newsletter.actions.voices import open_question
from leveller.newsletter.models import Issue


def home_panel(request):
    user = request.user
    if not user.is_authenticated:
        return None
    return render_to_string(
        "newsletter/partials/home_panel.html",
        {
            "question": open_question(),
            "latest": Issue.objects.published().first(),
            "is_editor": is_editor(user),
        },
        request=request,
    )
