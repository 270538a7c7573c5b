import pytest
from leveller.elections import actions
from tests.elections.helpers import stv_election, vote_ranked, voter, voters

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def test_shots(new_page, staff):
    election = stv_election(staff, names=("Ann Archer", "Bob Baker", "Cat Cole", "Dan Dee", "Eve Evans"), seats=2)
    for other, paper in zip(voters(9), [("Ann Archer","Cat Cole"), ("Ann Archer", "Bob Baker"), ("Bob Baker",), ("Dan Dee","Eve Evans","Cat Cole")] * 2 + [("Eve Evans",)], strict=True):
        vote_ranked(election, other, *paper)
    page = new_page(voter(), viewport={"width": 360, "height": 740})
    page.goto(f"/votes/{election.pk}/ballot/")
    page.screenshot(path="/tmp/el-ballot.png", full_page=True)
    actions.close_voting(actor=staff, election=election)
    election.refresh_from_db()
    actions.publish_results(actor=staff, election=election)
    page.goto(f"/votes/{election.pk}/results/")
    page.screenshot(path="/tmp/el-results360.png", full_page=True)
    p2 = new_page(staff)
    p2.goto(f"/votes/{election.pk}/results/")
    p2.screenshot(path="/tmp/el-results.png", full_page=True)
    p2.goto(f"/votes/{election.pk}/manage/")
    p2.screenshot(path="/tmp/el-manage.png", full_page=True)
