"""Lobbying's panel on the workspace home: open letter campaigns the member has not written in yet."""

from __future__ import annotations

from django.template.loader import render_to_string

from leveller.lobbying.models import Campaign, CampaignStatus, Letter


def home_panel(request):
    user = request.user
    if not user.is_authenticated:
        return None
    written = set(Letter.objects.filter(writer=user).values_list("campaign_id", flat=True))
    open_now = [c for c in Campaign.objects.filter(status=CampaignStatus.PUBLISHED)[:20] if c.is_open()]
    todo = [c for c in open_now if c.pk not in written]
    if not todo and not user.is_organiser:
        return None
    return render_to_string("lobbying/partials/home_panel.html", {"campaigns": todo[:3]}, request=request)
