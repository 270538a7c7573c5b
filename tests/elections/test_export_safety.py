"""Finding 6: downloads never run formulas in a spreadsheet and never fail on odd names; odd names and titles
are refused when they are typed."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError

from leveller import stv
from leveller.elections import exports
from leveller.elections.actions import setup as setup_actions
from leveller.elections.models import Candidate, Election
from tests.elections.helpers import stv_election, vote_ranked, voters

pytestmark = pytest.mark.django_db


def _counted(staff, names):
    election = stv_election(staff, names=names, seats=1)
    for member in voters(3):
        vote_ranked(election, member, *names)
    return election


def test_the_receipts_csv_does_not_let_a_candidate_name_run_as_a_formula(staff):
    election = _counted(staff, ('=HYPERLINK("http://x")'.replace('"', "'"), "Bob"))
    rows = list(csv.reader(io.StringIO(exports.receipts_csv(election))))
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)


def test_the_blt_download_survives_names_and_titles_stored_with_quotes_or_newlines(client, staff):
    election = _counted(staff, ("Ann", "Bob"))
    Candidate.objects.filter(election=election, name="Ann").update(name="Ann\nLine")
    Election.objects.filter(pk=election.pk).update(title='The "big" vote')
    blt = exports.blt_text(Election.objects.get(pk=election.pk))
    parsed = stv.parse_blt(blt)
    assert parsed.candidates[0] == "Ann Line" and parsed.title == "The 'big' vote"


@pytest.mark.parametrize("name", ["Ann\nBob", "Tab\there", 'Quote"d', "Bell\x07"])
def test_candidate_names_with_control_characters_or_quotes_are_refused(staff, name):
    election = stv_election(staff, open_voting=False)
    with pytest.raises(ValidationError):
        setup_actions.add_candidate(actor=staff, election=election, name=name)
    ann = election.candidates.get(name="Ann")
    with pytest.raises(ValidationError):
        setup_actions.update_candidate(actor=staff, candidate=ann, name=name)


@pytest.mark.parametrize("title", ['The "big" vote', "Two\nlines"])
def test_titles_with_quotes_or_line_breaks_are_refused(staff, title):
    with pytest.raises(ValidationError):
        stv_election(staff, title=title, open_voting=False)
