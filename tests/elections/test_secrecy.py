"""Ballot secrecy: nothing stored with a ballot leads back to the member who cast it."""

import pytest
from django.db import connection, models

from leveller.core.models import AuditEntry
from leveller.elections.actions import transitions as transition_actions
from leveller.elections.models import Ballot, VoterRoll
from tests.elections.helpers import stv_election, vote_ranked, voters
from tests.support.services import on_sqlite, requires_postgres

pytestmark = pytest.mark.django_db


def _physical_order() -> list[str]:
    """Ballot ids in the order the database stores them (what `SELECT *` with no ORDER BY tends to show)."""
    column = "rowid" if on_sqlite else "ctid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM elections_ballot ORDER BY {column}")  # noqa: S608 - fixed column names
        return [str(row[0]).replace("-", "") for row in cursor.fetchall()]


def test_the_ballot_table_has_no_member_and_no_timestamp():
    fields = Ballot._meta.get_fields()
    for field in fields:
        assert not isinstance(field, models.DateField | models.DateTimeField | models.TimeField), field.name
        if field.is_relation:
            assert field.related_model._meta.label == "elections.Election", field.name
    assert isinstance(Ballot._meta.pk, models.UUIDField)


def test_the_voter_roll_records_only_who_voted_and_the_day():
    names = {f.name for f in VoterRoll._meta.get_fields()}
    assert names == {"id", "election", "member", "voted_on"}
    assert isinstance(VoterRoll._meta.get_field("voted_on"), models.DateField)
    assert not isinstance(VoterRoll._meta.get_field("voted_on"), models.DateTimeField)


def test_nothing_in_the_ballot_table_joins_back_to_members(election):
    people = voters(12)
    receipts = [vote_ranked(election, m, "Ann", "Bob") for m in people]
    member_ids = {str(m.pk) for m in people}
    emails = {m.email for m in people}
    for row in Ballot.objects.values():
        values = {str(v) for v in row.values()} | {str(x) for x in row["choices"]}
        # Choices are candidate ids; none may equal a member's id by coincidence of design.
        assert not ({str(row["id"]), row["receipt"]} & member_ids)
        assert not (values & emails)
    # Nothing anywhere else ties a receipt to a member either: not the audit log, not the roll.
    audit_text = " ".join(str(e.data) + e.summary for e in AuditEntry.objects.all())
    assert not any(r in audit_text for r in receipts)
    assert set(VoterRoll.objects.values_list("member_id", flat=True)) == {m.pk for m in people}


def test_after_close_the_stored_order_of_ballots_is_their_random_key_not_the_order_of_voting(election, staff):
    people = voters(20)
    cast_order = []
    for member in people:
        receipt = vote_ranked(election, member, "Ann", "Cat")
        cast_order.append(Ballot.objects.get(receipt=receipt).id.hex)
    transition_actions.close_voting(actor=staff, election=election)
    stored = _physical_order()
    assert stored == sorted(stored)  # ordered by random UUID: carries no trace of time
    assert stored != cast_order
    # Receipts are random too: sorting by receipt does not recover the order of voting.
    by_receipt = [b.id.hex for b in Ballot.objects.order_by("receipt")]
    assert by_receipt != cast_order


def test_while_voting_the_newest_row_rarely_is_the_newest_ballot(election):
    newest_is_last = 0
    trials = 0
    for index, member in enumerate(voters(30)):
        receipt = vote_ranked(election, member, "Bob")
        if index >= 8:  # once there are enough earlier ballots to mix with
            trials += 1
            newest_is_last += _physical_order()[-1] == Ballot.objects.get(receipt=receipt).id.hex
    # Each cast re-inserts 7 earlier ballots with the new one in random order: about 1 in 8 by chance.
    assert newest_is_last <= trials // 2


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_ballots_share_no_transaction_id_with_the_voter_roll_after_close(staff):
    election = stv_election(staff)
    for member in voters(10):
        vote_ranked(election, member, "Dan")
    transition_actions.close_voting(actor=staff, election=election)
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT xmin::text FROM elections_ballot")
        ballot_xids = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT DISTINCT xmin::text FROM elections_voterroll")
        roll_xids = {row[0] for row in cursor.fetchall()}
    assert len(ballot_xids) == 1  # all rewritten by the closing transaction
    assert not (ballot_xids & roll_xids)


def test_a_ballot_sent_with_an_idempotency_key_leaves_no_record_of_who_sent_it(api_client, election):
    """The API remembers keyed writes (actor, request fingerprint, answer) for a day; a ballot's would link the
    member to their receipt, and the published receipts to their preferences. Ballots are never remembered."""
    import uuid

    from leveller.core.models import IdempotentRequest
    from tests.elections.helpers import candidate_ids, voter

    client = api_client(voter())
    ids = candidate_ids(election)
    key = str(uuid.uuid4())
    cast = client.post(
        f"/api/v1/elections/{election.pk}/ballot",
        {"ranking": [ids["Bob"], ids["Ann"]]},
        headers={"Idempotency-Key": key},
    )
    assert cast.status_code == 201
    assert not IdempotentRequest.objects.exists()
    again = client.post(
        f"/api/v1/elections/{election.pk}/ballot", {"ranking": [ids["Bob"]]}, headers={"Idempotency-Key": key}
    )
    assert again.status_code == 400 and "already voted" in again.json()["detail"]  # the retry's answer
    assert Ballot.objects.count() == 1 and not IdempotentRequest.objects.exists()
    assert cast.json()["receipt"] not in str(list(IdempotentRequest.objects.values()))
