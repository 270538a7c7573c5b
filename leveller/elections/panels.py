"""The home-page panel: votes open to this member that they have not voted in yet."""

from __future__ import annotations

from django.template.loader import render_to_string

from leveller.core import home_panels
from leveller.elections.eligibility import is_eligible
from leveller.elections.models import Election, VoterRoll


@home_panels.register(60)
def open_votes(request):
    member = request.user
    if not getattr(member, "is_authenticated", False):
        return None
    voted = set(VoterRoll.objects.filter(member=member).values_list("election_id", flat=True))
    waiting = [e for e in Election.objects.voting_now() if e.pk not in voted and is_eligible(e, member)]
    if not waiting:
        return None
    return render_to_string("elections/panel.html", {"elections": waiting[:5]}, request=request)
