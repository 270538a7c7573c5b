"""The phonebank's panel on the workspace home: live campaigns the member may call."""

from __future__ import annotations

from django.template.loader import render_to_string

from leveller.phonebank import access
from leveller.phonebank.models import Campaign, CampaignStatus


def home_panel(request):
    if not request.user.is_authenticated:
        return None
    live = [c for c in Campaign.objects.filter(status=CampaignStatus.LIVE)[:50] if access.may_call(request.user, c)]
    if not live:
        return None
    return render_to_string("phonebank/_home_panel.html", {"campaigns": live[:5]}, request=request)
