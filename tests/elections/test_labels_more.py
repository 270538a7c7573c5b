"""The category labels people read beside candidates and minimum-representation rules: known keys become
words, unknown ones are tidied, never shown as raw keys."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from leveller.elections.actions import setup as setup_actions
from leveller.elections.actions import transitions as transition_actions
from leveller.elections.labels import tag_label
from tests.elections.helpers import stv_election


def test_known_categories_read_as_words_and_unknown_ones_are_tidied():
    assert tag_label("woman") == "Woman"
    assert tag_label(" BAME ") == "Black, Asian or minority ethnic"
    assert tag_label("under_30") == "Under 30"
    assert tag_label("care-leaver") == "Care leaver"
    assert tag_label("rural_branch") == "Rural branch"
    assert tag_label("") == ""
    assert tag_label(None) == ""
    rendered = Template("{% load elections %}{{ tags|tag_labels }}").render(Context({"tags": ["lgbt+", "youth"]}))
    assert rendered == "LGBT+, Young member"


@pytest.mark.django_db
def test_members_see_category_labels_on_the_vote_page_not_the_stored_keys(client, staff, member):
    election = stv_election(staff, names=("Bob",), open_voting=False)
    setup_actions.add_candidate(actor=staff, election=election, name="Ann", tags=["under-30", "care_leaver", "woman"])
    setup_actions.set_minimum_rule(actor=staff, election=election, category="woman", minimum=1)
    transition_actions.open_voting(actor=staff, election=election)
    client.force_login(member)
    page = client.get(reverse("elections:detail", args=[election.pk])).content.decode()
    assert (
        '<span class="tag">Under 30</span>' in page
        and '<span class="tag">Woman</span>' in page
        and '<span class="tag">Care leaver</span>' in page
    )
    assert "the category “Woman”" in page
