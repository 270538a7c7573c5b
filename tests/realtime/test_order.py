"""On PostgreSQL two transactions can commit out of event-id order (ids come from a sequence when a row is
written, not when its transaction commits), so live events can reach a socket out of id order. Like Zulip's
queue, the client does not rely on live order: it keeps what it has, and a resume sends what it lacks, including
an event older than the newest it has (the reorder window, minus what the client says it `have`s). SQLite lets
one writer at a time commit, in id order, so these run on PostgreSQL only."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection, transaction
from websockets.sync.client import connect

from leveller.accounts.actions import members as members_actions
from leveller.realtime.publish import publish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgresql_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite commits one writer at a time, in id order")


def receive(ws, timeout=10):
    return json.loads(ws.recv(timeout=timeout))


class OpenTransaction:
    """Publishes an event in a transaction on another connection and holds it open until commit()."""

    def __init__(self, stream: str):
        self.written, self.go, self.event_id = threading.Event(), threading.Event(), None
        self.thread = threading.Thread(target=self._run, args=(stream,))
        self.thread.start()
        assert self.written.wait(10)

    def _run(self, stream: str) -> None:
        try:
            with transaction.atomic():
                self.event_id = publish(streams=[stream], type="test.early", payload={})[0].id
                self.written.set()
                self.go.wait(10)
        finally:
            connection.close()

    def commit(self) -> None:
        self.go.set()
        self.thread.join(10)


def test_events_committed_out_of_id_order_reach_an_open_socket_once_each_and_a_resume_fills_the_gap(
    postgresql_only, live_server_asgi, member
):
    stream = f"user-{member.pk}"
    token = members_actions.create_api_token(actor=member, member=member, name="ws")[1]
    url = f"{live_server_asgi.ws_url}?token={token}"
    with connect(url) as open_socket, connect(url) as leaving:
        assert receive(open_socket)["type"] == "hello"
        floor = receive(leaving)["last_event_id"]
        early = OpenTransaction(stream)  # gets the lower id, commits last
        with transaction.atomic():
            late = publish(streams=[stream], type="test.late", payload={})[0].id
        assert early.event_id < late
        assert receive(open_socket)["event_id"] == late  # the later id arrives first: live order is commit order
        assert receive(leaving)["event_id"] == late
        leaving.close()  # this client goes away having seen only the later event
        early.commit()
        assert receive(open_socket)["event_id"] == early.event_id  # the open socket gets it too, once

        with connect(url) as back:
            assert receive(back)["type"] == "hello"
            back.send(json.dumps({"type": "resume", "after": late, "have": [late], "floor": floor}))
            replayed = receive(back)
            assert (replayed["type"], replayed["event_id"]) == ("test.early", early.event_id)
            assert receive(back)["type"] == "resumed"  # and nothing it already has
        with pytest.raises(TimeoutError):
            open_socket.recv(timeout=1)  # no event twice
