"""After close: the count, hidden results until published, the stage table, and downloads that recount."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied

from leveller import stv
from leveller.elections import exports
from leveller.elections.access import results_election
from leveller.elections.actions import setup as setup_actions
from leveller.elections.actions import transitions as transition_actions
from leveller.elections.models import Ballot, State
from tests.elections.helpers import stv_election, vote_ranked, voter, voters

pytestmark = pytest.mark.django_db

# 9 ballots, 2 seats. Ann has a quota's surplus; Bob beats Cat and Dan on transfers.
PAPERS = [("Ann", "Bob")] * 4 + [("Ann", "Cat")] + [("Bob",)] * 2 + [("Cat", "Bob")] + [("Dan", "Cat")]


def _run(election, staff, papers=PAPERS):
    receipts = [vote_ranked(election, m, *p) for m, p in zip(voters(len(papers)), papers, strict=True)]
    transition_actions.close_voting(actor=staff, election=election)
    election.refresh_from_db()
    return receipts


def test_closing_counts_the_ballots_and_publishing_shows_the_stage_table(client, election, staff):
    _run(election, staff)
    assert election.state == State.COUNTED
    assert election.result.data["elected"] == ["Ann", "Bob"]
    member = voter()
    client.force_login(member)
    assert client.get(f"/votes/{election.pk}/results/").status_code == 403  # hidden until published
    transition_actions.publish_results(actor=staff, election=election)
    page = client.get(f"/votes/{election.pk}/results/").content.decode()
    assert 'id="stage-table"' in page and "Stage 1" in page
    assert "<svg" in page and "<title" in page and "quota" in page
    assert "Elected at stage 1" in page


def test_staff_can_preview_a_count_before_publishing(client, election, staff):
    _run(election, staff)
    client.force_login(staff)
    page = client.get(f"/votes/{election.pk}/results/").content.decode()
    assert "not published yet" in page


def test_the_blt_download_recounts_to_the_same_winners(election, staff):
    _run(election, staff)
    blt = exports.blt_text(election)
    recount = stv.count(stv.parse_blt(blt), "scottish", seed=1)
    assert recount.elected == election.result.data["elected"]


def test_the_receipts_csv_points_each_receipt_at_its_ballot_line_in_the_blt(election, staff):
    receipts = _run(election, staff)
    blt_lines = exports.blt_text(election).splitlines()
    rows = list(csv.DictReader(io.StringIO(exports.receipts_csv(election))))
    assert sorted(r["receipt"] for r in rows) == sorted(receipts)
    names = {c.name: i + 1 for i, c in enumerate(election.candidates.all())}
    for row in rows:
        ranking = row["preferences"].split(" > ")
        expected = " ".join(["1", *(str(names[n]) for n in ranking), "0"])
        assert blt_lines[int(row["blt_line"]) - 1] == expected


def test_a_member_checks_their_receipt_by_post(client, election, staff):
    receipts = _run(election, staff)
    transition_actions.publish_results(actor=staff, election=election)
    client.force_login(voter())
    page = client.post(f"/votes/{election.pk}/results/check/", {"receipt": receipts[-1].lower()}).content.decode()
    assert "That ballot was counted as" in page and "1st: Dan" in page
    page = client.post(f"/votes/{election.pk}/results/check/", {"receipt": "AAAA-BBBB-CCCC"}).content.decode()
    assert "No ballot in this vote has that receipt code" in page


def test_a_minimum_rule_changes_who_is_elected(staff):
    election = stv_election(staff, names=("Ann", "Bob", "Cat", "Dan"), seats=2, open_voting=False)
    dan = election.candidates.get(name="Dan")
    setup_actions.update_candidate(actor=staff, candidate=dan, tags="woman")
    setup_actions.set_minimum_rule(actor=staff, election=election, category="woman", minimum=1)
    transition_actions.open_voting(actor=staff, election=election)
    _run(election, staff)
    assert set(election.result.data["elected"]) == {"Ann", "Dan"}
    assert election.result.data["minimums"][0]["category"] == "woman"


def test_a_candidate_withdrawn_during_voting_is_skipped_in_the_count(election, staff):
    for member, paper in zip(voters(3), [("Bob", "Cat"), ("Bob", "Dan"), ("Ann",)], strict=True):
        vote_ranked(election, member, *paper)
    setup_actions.withdraw_candidate(actor=staff, candidate=election.candidates.get(name="Bob"))
    transition_actions.close_voting(actor=staff, election=election)
    election.refresh_from_db()
    assert "Bob" not in election.result.data["elected"]
    assert election.result.data["withdrawn"] == ["Bob"]


def test_large_votes_are_counted_in_a_background_task(election, staff, settings, run_on_commit):
    settings.ELECTIONS_SYNC_COUNT_LIMIT = 2
    for member, paper in zip(voters(3), PAPERS[:3], strict=True):
        vote_ranked(election, member, *paper)
    with run_on_commit():
        transition_actions.close_voting(actor=staff, election=election)
        election.refresh_from_db()
        assert election.state == State.CLOSED
    election.refresh_from_db()
    assert election.state == State.COUNTED  # the immediate task backend ran the count after commit


def test_results_and_downloads_are_refused_before_publication(client, election, staff):
    _run(election, staff)
    member = voter()
    with pytest.raises(PermissionDenied):
        results_election(member, election.pk)
    client.force_login(member)
    for path in ("results/", "ballots.blt", "receipts.csv", "result.json"):
        assert client.get(f"/votes/{election.pk}/{path}").status_code == 403, path
    transition_actions.publish_results(actor=staff, election=election)
    response = client.get(f"/votes/{election.pk}/ballots.blt")
    assert response.status_code == 200 and response.content.decode().startswith("4 2\n")
    assert Ballot.objects.count() == len(PAPERS)


def test_the_published_recount_command_reproduces_the_count_with_its_minimum_rule(tmp_path, capsys, staff):
    import json

    from leveller.elections.results import recount_command
    from leveller.stv.cli import main

    election = stv_election(staff, names=("Ann", "Bob", "Cat", "Dan"), seats=2, open_voting=False)
    setup_actions.update_candidate(actor=staff, candidate=election.candidates.get(name="Dan"), tags="woman")
    setup_actions.set_minimum_rule(actor=staff, election=election, category="woman", minimum=1)
    transition_actions.open_voting(actor=staff, election=election)
    _run(election, staff)
    (tmp_path / f"vote-{election.pk}.blt").write_text(exports.blt_text(election))
    command = recount_command(election, election.result.data)
    assert "--minimum woman:1:4" in command
    argv = command.split()[2:]  # after "leveller stv"
    argv[argv.index(f"vote-{election.pk}.blt")] = str(tmp_path / f"vote-{election.pk}.blt")
    main([*argv, "--json"])
    assert json.loads(capsys.readouterr().out)["elected"] == election.result.data["elected"] == ["Ann", "Dan"]


@pytest.mark.parametrize("rules", ["scottish", "ers97", "meek"])
def test_every_rule_set_counts_a_stored_election(staff, rules):
    election = stv_election(staff, rules=rules)
    _run(election, staff)
    assert election.result.data["rules"] == rules
    assert election.result.data["elected"] == ["Ann", "Bob"]


def test_one_seat_is_an_instant_runoff(staff):
    election = stv_election(staff, seats=1, names=("Ann", "Bob", "Cat"))
    papers = [("Ann",)] * 4 + [("Bob",)] * 3 + [("Cat", "Bob")] * 2
    _run(election, staff, papers)
    assert election.result.data["elected"] == ["Bob"]


def test_a_vote_closes_and_is_counted_by_the_scheduled_task_once_its_closing_time_passes(election, staff):
    import datetime as dt

    from django.utils import timezone

    from leveller.elections.models import Election
    from leveller.elections.tasks import close_when_due_task

    vote_ranked(election, voter(), "Cat")
    assert close_when_due_task.call(election_id=election.pk) == "not due yet"
    past = timezone.now() - dt.timedelta(seconds=1)
    Election.objects.filter(pk=election.pk).update(voting_opens_at=past - dt.timedelta(hours=1), voting_closes_at=past)
    assert close_when_due_task.call(election_id=election.pk) == "closed"
    election.refresh_from_db()
    assert election.state == State.COUNTED and election.result.data["elected"]
    assert close_when_due_task.call(election_id=election.pk) == "not open"


def test_opening_voting_queues_the_automatic_close_for_the_closing_time(staff, settings, run_on_commit):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with run_on_commit():
        election = stv_election(staff)
    queued = DBTaskResult.objects.get(task_path="leveller.elections.tasks.close_when_due_task")
    assert queued.run_after == election.voting_closes_at
    assert queued.args_kwargs["kwargs"] == {"election_id": election.pk}
