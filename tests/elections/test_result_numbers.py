"""Results print numbers for people: to the places the rules count in, no exponents, no 9-place Meek sums."""

from __future__ import annotations

import re

import pytest

from leveller.elections import numbers
from leveller.elections.actions import transitions as transition_actions
from tests.elections.helpers import stv_election, vote_ranked, voter, voters

pytestmark = pytest.mark.django_db

# 6 ballots for 3 candidates, 2 seats: Meek's quota is 2.000000001, its surpluses run to 9 places.
PAPERS = [("Ann", "Bob")] * 3 + [("Bob", "Cat")] + [("Cat", "Ann")] + [("Cat",)]


def test_each_rule_is_shown_to_its_own_decimal_places():
    assert numbers.votes("0E-9", "meek") == "0.00"
    assert numbers.votes("6.833333332", "meek") == "6.83"
    assert numbers.votes("7.000000001", "meek", quota=True) == "7.01"
    assert numbers.votes("12.5", "scottish") == "12.50000"
    assert numbers.votes("1234", "ers97") == "1,234.00"
    assert numbers.change("0E-9", "meek") == "" and numbers.change("-1.5", "ers97") == "-1.50"
    assert numbers.change("0.75", "ers97") == "+0.75"


@pytest.mark.parametrize("rules", ["meek", "scottish", "ers97"])
def test_the_results_page_never_shows_exponents_or_meek_precision(client, staff, rules):
    election = stv_election(staff, names=("Ann", "Bob", "Cat"), rules=rules)
    for member, paper in zip(voters(len(PAPERS)), PAPERS, strict=True):
        vote_ranked(election, member, *paper)
    transition_actions.close_voting(actor=staff, election=election)
    election.refresh_from_db()
    transition_actions.publish_results(actor=staff, election=election)
    client.force_login(voter())
    page = client.get(f"/votes/{election.pk}/results/").content.decode()
    table = page[page.index('id="stage-table"') : page.index("</table>")]
    assert "E-" not in page
    places = numbers.places_for(rules)
    figures = re.findall(r"\d+\.(\d+)", table)
    assert figures and all(len(decimals) == places for decimals in figures)
    quota = re.search(r"quota ([\d.,]+)", page).group(1)
    assert len(quota.split(".")[1]) == places


def test_ballot_tags_show_labels_not_keys(client, staff):
    from leveller.elections.models import Candidate

    election = stv_election(staff, open_voting=False)
    Candidate.objects.filter(election=election, name="Ann").update(tags=["woman", "bame"])
    transition_actions.open_voting(actor=staff, election=election)
    client.force_login(voter())
    for path in (f"/votes/{election.pk}/", f"/votes/{election.pk}/ballot/"):
        page = client.get(path).content.decode()
        assert "Black, Asian or minority ethnic" in page and ">Woman<" in page, path
        assert ">bame<" not in page and ">woman<" not in page
