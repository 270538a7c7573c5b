"""The pages this work touched pass axe (no serious or critical violations) in light and in dark mode, and
dark mode and reduced motion follow the system setting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from leveller.elections.actions import transitions as transition_actions
from tests.elections.helpers import stv_election, vote_ranked, voters

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def results_path(staff):
    election = stv_election(staff, names=("Ann", "Bob", "Cat"), rules="meek")
    from leveller.elections.models import Candidate

    Candidate.objects.filter(election=election, name="Ann").update(tags=["woman", "bame"])
    for member, paper in zip(voters(4), [("Ann", "Bob"), ("Ann", "Cat"), ("Bob",), ("Cat", "Ann")], strict=True):
        vote_ranked(election, member, *paper)
    transition_actions.close_voting(actor=staff, election=election)
    election.refresh_from_db()
    transition_actions.publish_results(actor=staff, election=election)
    return f"/votes/{election.pk}/results/"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_touched_pages_are_accessible_in_light_and_dark(new_page, member, staff, results_path, axe, scheme):
    from leveller.events.actions import events as event_actions

    start = timezone.now() + dt.timedelta(days=2)
    event_actions.create_event(
        actor=staff,
        title="Branch meeting",
        type="meeting",
        online=True,
        in_person=False,
        online_url="https://meet.example.org/x",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    page = new_page(member)
    page.emulate_media(color_scheme=scheme)
    for path in [
        "/",
        "/settings/",
        "/settings/notifications/",
        "/events/",
        "/events/?period=week",
        "/events/?view=calendar",
        results_path,
        "/manage/members/",  # 403
        "/no/such/page/",  # 404
        "/offline",
    ]:
        page.goto(path)
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
        axe(page)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (background == "rgb(19, 19, 22)") == (scheme == "dark")


def test_reduced_motion_turns_transitions_off(new_page, member):
    page = new_page(member)
    page.emulate_media(reduced_motion="reduce")
    page.goto("/")
    duration = page.evaluate(
        "(() => { const b = document.createElement('button'); b.style.transition = 'opacity 2s';"
        " document.body.append(b); return getComputedStyle(b).transitionDuration; })()"
    )
    assert duration in {"1e-05s", "0.00001s"}
