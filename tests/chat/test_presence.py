"""Presence: who is online, kept in the shared cache by each server process; @here notifies only them; presence
events reach only people who share a DM with the member or are watching a channel member list they belong to."""

from __future__ import annotations

import json
import time
from contextlib import ExitStack

import pytest
from websockets.sync.client import connect

from leveller.accounts.actions.members import create_api_token
from leveller.chat import presence
from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.actions import state as state_actions
from leveller.chat.models import Notification
from tests.realtime.test_two_processes import start_server, wait_healthy
from tests.support.live import free_port
from tests.support.personas import make_member
from tests.support.services import requires_redis


@pytest.fixture(autouse=True)
def fresh_presence():
    """Presence lives in the cache (Redis on CI's second run): start every test with nobody online."""
    presence.store().clear()
    yield
    presence.store().clear()


def socket_url(server, member) -> str:
    return f"{server.ws_url}?token={create_api_token(actor=member, member=member)[1]}"


def recv_until(ws, type_, timeout=5):
    while True:
        event = json.loads(ws.recv(timeout=timeout))
        if event["type"] == type_:
            return event


def events_until_pong(ws) -> list[dict]:
    """Everything the socket received before answering a ping sent now."""
    ws.send(json.dumps({"type": "ping"}))
    seen = []
    while (event := json.loads(ws.recv(timeout=5)))["type"] != "pong":
        seen.append(event)
    return seen


def wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


# --- the store ----------------------------------------------------------------------------------------------


def test_a_member_is_live_until_their_last_process_lets_go():
    presence.mark_live([7], "process-a", now=1000)
    presence.mark_live([7], "process-b", now=1000)
    assert presence.mark_gone(7, "process-a", now=1001) is False
    assert presence.live_ids([7, 8], now=1001) == {7}
    assert presence.mark_gone(7, "process-b", now=1002) is True
    assert presence.live_ids([7], now=1002) == set()


def test_a_heartbeat_keeps_a_member_live_and_a_crashed_process_lapses():
    appeared = presence.mark_live([7], "crashes", now=1000)
    assert appeared == {7}
    presence.mark_live([7], "survives", now=1000 + presence.TTL_SECONDS - 10)
    assert presence.live_ids([7], now=1000 + presence.TTL_SECONDS - 1) == {7}
    # "crashes" never refreshes again; "survives" does, every heartbeat, so 7 stays live through it alone
    presence.mark_live([7], "survives", now=1000 + presence.TTL_SECONDS + 20)
    assert presence.live_ids([7], now=1000 + presence.TTL_SECONDS + 21) == {7}
    presence.mark_gone(7, "survives", now=1000 + presence.TTL_SECONDS + 22)
    assert presence.live_ids([7], now=1000 + presence.TTL_SECONDS + 23) == set()


def test_without_a_heartbeat_a_member_stops_being_live_after_the_ttl():
    presence.mark_live([7], "crashed", now=1000)
    assert presence.live_ids([7], now=1000 + presence.TTL_SECONDS - 1) == {7}
    assert presence.live_ids([7], now=1000 + presence.TTL_SECONDS + 1) == set()
    assert presence.mark_live([7], "restarted", now=1000 + presence.TTL_SECONDS + 2) == {7}  # appeared again


def test_a_member_who_appears_away_is_live_but_not_active(member):
    presence.mark_live([member.pk], "here")
    state_actions.set_presence_preference(actor=member, appear_away=True)
    assert presence.live_ids([member.pk]) == {member.pk}
    assert presence.active_ids([member.pk]) == set()


# --- sockets ------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_presence_follows_connect_and_disconnect_and_reaches_the_dm_partner(live_server_asgi):
    sam = make_member("Sam Gallagher", "sam@example.org", password=None)
    kit = make_member("Kit Partner", "kit@example.org", password=None)
    channel_actions.open_dm(actor=sam, members=[kit])
    with connect(socket_url(live_server_asgi, kit)) as kit_ws:
        recv_until(kit_ws, "hello")
        with connect(socket_url(live_server_asgi, sam)) as sam_ws:
            recv_until(sam_ws, "hello")
            wait_for(lambda: presence.is_active(sam.pk))
            online = recv_until(kit_ws, "presence")
            assert online == {"type": "presence", "stream": f"presence-{sam.pk}", "member_id": sam.pk, "active": True}
            with connect(socket_url(live_server_asgi, sam)) as second_tab:
                recv_until(second_tab, "hello")
            assert presence.is_active(sam.pk)  # one tab closed, the other is still open
        offline = recv_until(kit_ws, "presence")
        assert offline["member_id"] == sam.pk and offline["active"] is False
        assert not presence.is_active(sam.pk)
        assert "event_id" not in offline  # a passing hint, never stored


@pytest.mark.django_db(transaction=True)
def test_a_dm_opened_while_connected_starts_following_presence(live_server_asgi):
    sam = make_member("Sam Gallagher", "sam@example.org", password=None)
    kit = make_member("Kit Partner", "kit@example.org", password=None)
    with connect(socket_url(live_server_asgi, kit)) as kit_ws:
        recv_until(kit_ws, "hello")
        channel_actions.open_dm(actor=sam, members=[kit])
        recv_until(kit_ws, "channel.member_joined")
        with connect(socket_url(live_server_asgi, sam)) as sam_ws:
            recv_until(sam_ws, "hello")
            assert recv_until(kit_ws, "presence")["member_id"] == sam.pk


@pytest.mark.django_db(transaction=True)
def test_presence_never_reaches_members_who_share_no_dm_or_watched_channel(live_server_asgi):
    sam = make_member("Sam Gallagher", "sam@example.org", password=None)
    kit = make_member("Kit Partner", "kit@example.org", password=None)
    outsider = make_member("Oz Outsider", "outsider@example.org", password=None)  # shares only #welcome
    secret = channel_actions.create_channel(actor=sam, name="data-team", private=True)
    channel_actions.open_dm(actor=sam, members=[kit])
    with connect(socket_url(live_server_asgi, kit)) as kit_ws, connect(socket_url(live_server_asgi, outsider)) as oz:
        recv_until(kit_ws, "hello")
        recv_until(oz, "hello")
        oz.send(json.dumps({"type": "presence.watch", "channel_id": secret.pk}))
        assert recv_until(oz, "error")["message"] == "You cannot follow that."
        oz.send(json.dumps({"type": "subscribe", "stream": f"presence-{sam.pk}"}))
        assert recv_until(oz, "error")["stream"] == f"presence-{sam.pk}"
        with connect(socket_url(live_server_asgi, sam)) as sam_ws:
            recv_until(sam_ws, "hello")
            recv_until(kit_ws, "presence")
        assert recv_until(kit_ws, "presence")["active"] is False
        assert not [e for e in events_until_pong(oz) if e["type"].startswith("presence")]


@pytest.mark.django_db(transaction=True)
def test_an_open_member_list_follows_the_channels_members_live(live_server_asgi):
    sam = make_member("Sam Gallagher", "sam@example.org", password=None)
    kit = make_member("Kit Watcher", "kit@example.org", password=None)
    team = channel_actions.create_channel(actor=sam, name="team", private=True)
    channel_actions.add_channel_member(actor=sam, channel=team, member=kit)
    with connect(socket_url(live_server_asgi, kit)) as kit_ws:
        recv_until(kit_ws, "hello")
        kit_ws.send(json.dumps({"type": "presence.watch", "channel_id": team.pk}))
        assert recv_until(kit_ws, "presence.snapshot") == {
            "type": "presence.snapshot",
            "channel_id": team.pk,
            "active": [],
        }
        with connect(socket_url(live_server_asgi, sam)) as sam_ws:
            recv_until(sam_ws, "hello")
            assert recv_until(kit_ws, "presence") == {
                "type": "presence", "stream": f"presence-{sam.pk}", "member_id": sam.pk, "active": True,
            }  # fmt: skip
            kit_ws.send(json.dumps({"type": "presence.watch", "channel_id": team.pk}))
            assert recv_until(kit_ws, "presence.snapshot")["active"] == [sam.pk]


@pytest.mark.django_db(transaction=True)
def test_a_member_removed_from_a_channel_stops_following_its_members_but_not_their_dm_partner(live_server_asgi):
    sam = make_member("Sam Gallagher", "sam@example.org", password=None)
    kit = make_member("Kit Watcher", "kit@example.org", roles=["member"], password=None)
    pat = make_member("Pat Partner", "pat@example.org", password=None)
    team = channel_actions.create_channel(actor=sam, name="team", private=True)
    for person in (kit, pat):
        channel_actions.add_channel_member(actor=sam, channel=team, member=person)
    channel_actions.open_dm(actor=kit, members=[pat])
    with connect(socket_url(live_server_asgi, kit)) as kit_ws:
        recv_until(kit_ws, "hello")
        kit_ws.send(json.dumps({"type": "presence.watch", "channel_id": team.pk}))
        recv_until(kit_ws, "presence.snapshot")
        channel_actions.remove_channel_member(actor=sam, channel=team, member=kit)
        recv_until(kit_ws, "channel.member_left")
        with connect(socket_url(live_server_asgi, sam)):
            wait_for(lambda: presence.is_active(sam.pk))
            with connect(socket_url(live_server_asgi, pat)):
                assert recv_until(kit_ws, "presence")["member_id"] == pat.pk  # sam's would have come first
                assert not [e for e in events_until_pong(kit_ws) if e["type"] == "presence"]


@pytest.mark.django_db(transaction=True)
def test_appearing_away_hides_comings_and_goings_and_switching_tells_partners(live_server_asgi):
    sam = make_member("Sam Gallagher", "sam@example.org", password=None)
    kit = make_member("Kit Partner", "kit@example.org", password=None)
    channel_actions.open_dm(actor=sam, members=[kit])
    state_actions.set_presence_preference(actor=sam, appear_away=True)
    with connect(socket_url(live_server_asgi, kit)) as kit_ws:
        recv_until(kit_ws, "hello")
        with connect(socket_url(live_server_asgi, sam)) as sam_ws:
            recv_until(sam_ws, "hello")
            wait_for(lambda: presence.live_ids([sam.pk]))
            assert not presence.is_active(sam.pk)
            assert not [e for e in events_until_pong(kit_ws) if e["type"] == "presence"]
            state_actions.set_presence_preference(actor=sam, appear_away=False)
            assert recv_until(kit_ws, "presence")["active"] is True
            state_actions.set_presence_preference(actor=sam, appear_away=True)
            assert recv_until(kit_ws, "presence")["active"] is False


@pytest.mark.django_db(transaction=True)
def test_the_servers_heartbeat_refreshes_open_sockets_and_restores_a_lost_entry(live_server_asgi, monkeypatch):
    monkeypatch.setattr(presence, "HEARTBEAT_SECONDS", 0.05)
    sam = make_member("Sam Gallagher", "sam@example.org", password=None)
    with connect(socket_url(live_server_asgi, sam)) as sam_ws:
        recv_until(sam_ws, "hello")
        wait_for(lambda: presence.is_active(sam.pk))
        first = max(presence.store().get(f"chat:presence:{sam.pk}").values())
        wait_for(lambda: max(presence.store().get(f"chat:presence:{sam.pk}", {0: 0}).values()) > first)  # refreshed
        presence.store().delete(f"chat:presence:{sam.pk}")  # lost: evicted, or overwritten by another process
        wait_for(lambda: presence.is_active(sam.pk))
    wait_for(lambda: not presence.live_ids([sam.pk]))


# --- @here --------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_here_notifies_only_channel_members_who_are_active_now(live_server_asgi):
    author = make_member("Ann Author", "ann@example.org", password=None)
    present = make_member("Pat Present", "pat@example.org", password=None)
    absent = make_member("Abe Absent", "abe@example.org", password=None)
    hiding = make_member("Hal Hiding", "hal@example.org", password=None)
    outsider = make_member("Oz Outsider", "outsider@example.org", password=None)
    channel = channel_actions.create_channel(actor=author, name="organising")
    for person in (present, absent, hiding):
        channel_actions.add_channel_member(actor=person, channel=channel, member=person)
    state_actions.set_presence_preference(actor=hiding, appear_away=True)
    online = {present.pk, hiding.pk, outsider.pk}
    with ExitStack() as sockets:
        for person in (present, hiding, outsider):
            sockets.enter_context(connect(socket_url(live_server_asgi, person)))
        wait_for(lambda: presence.live_ids(online) == online)
        here = message_actions.send_message(actor=author, channel=channel, text="@here who can help tonight?")
        everyone = message_actions.send_message(
            actor=author, channel=channel, text="@channel and @here: meeting Tuesday"
        )
    assert set(Notification.objects.filter(message=here).values_list("member_id", flat=True)) == {present.pk}
    assert set(Notification.objects.filter(message=everyone).values_list("member_id", flat=True)) == {
        present.pk, absent.pk, hiding.pk,
    }  # fmt: skip


def test_here_in_a_private_channel_never_notifies_an_outsider_who_is_online(secret, organiser, member, outsider):
    presence.mark_live([member.pk, outsider.pk], "test")
    message = message_actions.send_message(actor=organiser, channel=secret, text="@here quick check")
    assert set(Notification.objects.filter(message=message).values_list("member_id", flat=True)) == {member.pk}


# --- pages --------------------------------------------------------------------------------------------------


def test_the_sidebar_shows_a_dm_partners_presence_with_words_not_only_colour(client, member, organiser):
    channel_actions.open_dm(actor=member, members=[organiser])
    client.force_login(member)
    away = client.get("/chat/sidebar/").content.decode()
    assert f'data-presence="{organiser.pk}" data-active="0"' in away
    assert '<span class="presence-label visually-hidden">away</span>' in away
    presence.mark_live([organiser.pk], "test")
    active = client.get("/chat/sidebar/").content.decode()
    assert f'data-presence="{organiser.pk}" data-active="1"' in active
    assert '<span class="presence-label visually-hidden">active</span>' in active


def test_a_channels_member_list_shows_presence_to_its_members_only(client, general, member, organiser, outsider):
    presence.mark_live([organiser.pk], "test")
    client.force_login(member)
    page = client.get(f"/chat/c/{general.pk}/settings/").content.decode()
    assert f'data-presence-watch="{general.pk}"' in page
    assert f'data-presence="{organiser.pk}" data-active="1"' in page
    client.force_login(outsider)  # may read the public channel's page, but is not in it
    page = client.get(f"/chat/c/{general.pk}/settings/").content.decode()
    assert "data-presence" not in page


def test_the_preferences_page_sets_appear_away(client, member):
    client.force_login(member)
    client.post("/chat/preferences/", {"email_mentions": "on", "appear_away": "on"})
    member.chat_profile.refresh_from_db()
    assert member.chat_profile.appear_away and member.chat_profile.email_mentions
    client.post("/chat/preferences/", {"email_mentions": "on"})
    member.chat_profile.refresh_from_db()
    assert not member.chat_profile.appear_away


# --- several processes sharing REDIS_URL ---------------------------------------------------------------------


@requires_redis
@pytest.mark.slow
def test_presence_crosses_processes_and_a_killed_process_lapses(transactional_db):
    sam = make_member("Sam Gallagher", "sam@example.org", password=None)
    kit = make_member("Kit Partner", "kit@example.org", password=None)
    channel_actions.open_dm(actor=sam, members=[kit])
    ports = [free_port(), free_port()]
    servers = [start_server(port) for port in ports]
    try:
        for port, server in zip(ports, servers, strict=True):
            wait_healthy(port, server)
        with connect(f"ws://127.0.0.1:{ports[1]}/ws/?token={create_api_token(actor=kit, member=kit)[1]}") as kit_ws:
            recv_until(kit_ws, "hello")
            sam_url = f"ws://127.0.0.1:{ports[0]}/ws/?token={create_api_token(actor=sam, member=sam)[1]}"
            with connect(sam_url) as sam_ws:
                recv_until(sam_ws, "hello")
                assert recv_until(kit_ws, "presence", timeout=10)["active"] is True
            assert recv_until(kit_ws, "presence", timeout=10)["active"] is False
            with connect(sam_url) as sam_ws:
                recv_until(sam_ws, "hello")
                assert recv_until(kit_ws, "presence", timeout=10)["active"] is True
                servers[0].kill()  # no disconnect hooks run: sam's entry stays until it lapses
                servers[0].wait(timeout=10)
            assert presence.live_ids([sam.pk]) == {sam.pk}
            assert presence.live_ids([sam.pk], now=time.time() + presence.TTL_SECONDS + 1) == set()
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)
