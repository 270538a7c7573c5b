"""Read reports over the websocket (chat.read_state), driven in-process with a WebsocketCommunicator (tests/support/websocket.py):
a member's reports are merged to the furthest position and written in one batch; a thread read clears the
thread; bad reports get an error; reports about channels or threads the member cannot read change nothing."""

from __future__ import annotations

import asyncio
import logging

import pytest
from asgiref.sync import async_to_sync

from leveller.chat import read_state
from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.models import ChannelMembership, ThreadFollow
from leveller.realtime.consumer import LevellerConsumer
from tests.support.personas import make_member
from tests.support.websocket import WebsocketCommunicator

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people():
    author = make_member("Ann Author", "ann@example.org", password=None)
    reader = make_member("Rae Reader", "rae@example.org", password=None)
    channel = channel_actions.create_channel(actor=author, name="live")
    channel_actions.add_channel_member(actor=reader, channel=channel, member=reader)
    return author, reader, channel


def last_read(channel, member) -> int:
    return ChannelMembership.objects.get(channel=channel, member=member).last_read_id


async def until(socket, type_: str) -> dict:
    while True:
        event = await socket.receive_json_from(timeout=5)
        if event["type"] == type_:
            return event


async def settled(socket) -> None:
    """Every frame sent before this one has been handled (the consumer handles a socket's frames in order)."""
    await socket.send_json_to({"type": "ping"})
    await until(socket, "pong")


def on_a_socket(member, script):
    """Run `script(socket)` on a connected socket of `member`, then close it."""

    async def run():
        socket = WebsocketCommunicator(LevellerConsumer.as_asgi(), user=member)
        connected, _ = await socket.connect()
        assert connected
        await until(socket, "hello")
        try:
            return await script(socket)
        finally:
            await socket.disconnect()

    return async_to_sync(run)()


def test_a_members_reports_are_merged_to_the_furthest_and_written_once(people):
    author, reader, channel = people
    first, second, third = (
        message_actions.send_message(actor=author, channel=channel, text=t) for t in ("one", "two", "three")
    )

    async def script(socket):
        for up_to in (first.pk, third.pk, second.pk):  # out of order, inside one flush interval
            await socket.send_json_to({"type": "chat.read", "channel_id": channel.pk, "up_to": up_to})
        await settled(socket)
        await asyncio.sleep(read_state.FLUSH_SECONDS * 3)

    on_a_socket(reader, script)
    assert last_read(channel, reader) == third.pk


def test_a_report_without_up_to_reads_to_the_latest_message(people):
    author, reader, channel = people
    message_actions.send_message(actor=author, channel=channel, text="one")
    latest = message_actions.send_message(actor=author, channel=channel, text="two")

    async def script(socket):
        await socket.send_json_to({"type": "chat.read", "channel_id": channel.pk, "up_to": latest.pk - 1})
        await socket.send_json_to({"type": "chat.read", "channel_id": channel.pk})
        await settled(socket)
        await asyncio.sleep(read_state.FLUSH_SECONDS * 3)

    on_a_socket(reader, script)
    assert last_read(channel, reader) == latest.pk


@pytest.mark.parametrize(
    "report",
    [
        {"type": "chat.read"},
        {"type": "chat.read", "channel_id": True},
        {"type": "chat.read", "channel_id": "general"},
        {"type": "chat.read", "channel_id": "THIS", "up_to": "latest"},
    ],
)
def test_a_malformed_read_report_gets_a_clear_error_and_moves_nothing(people, report):
    author, reader, channel = people
    message_actions.send_message(actor=author, channel=channel, text="one")
    report = {**report, "channel_id": channel.pk} if report.get("channel_id") == "THIS" else report

    async def script(socket):
        await socket.send_json_to(report)
        return await until(socket, "error")

    error = on_a_socket(reader, script)
    assert error["message"] == "chat.read needs a channel_id (and an integer up_to)."
    assert last_read(channel, reader) == 0


def test_a_thread_read_over_the_socket_clears_the_thread_even_reported_from_a_reply(people):
    author, reader, channel = people
    root = message_actions.send_message(actor=reader, channel=channel, text="My question")
    reply = message_actions.send_message(actor=author, channel=channel, text="The answer", thread=root)

    async def script(socket):
        await socket.send_json_to({"type": "chat.thread_read", "thread_id": reply.pk})
        return await until(socket, "thread.read")

    event = on_a_socket(reader, script)
    assert event["thread_id"] == root.pk and event["last_read_id"] == reply.pk
    assert ThreadFollow.objects.get(thread=root, member=reader).last_read_id == reply.pk


def test_a_socket_writes_a_threads_read_at_most_once_a_second(people, monkeypatch):
    author, reader, channel = people
    root = message_actions.send_message(actor=reader, channel=channel, text="My question")
    first = message_actions.send_message(actor=author, channel=channel, text="First answer", thread=root)
    monkeypatch.setattr(read_state, "THREAD_READ_INTERVAL", 60.0)

    async def script(socket):
        await socket.send_json_to({"type": "chat.thread_read", "thread_id": root.pk})
        await settled(socket)
        await asyncio.to_thread(
            lambda: message_actions.send_message(actor=author, channel=channel, text="Second answer", thread=root)
        )
        await socket.send_json_to({"type": "chat.thread_read", "thread_id": root.pk})
        await settled(socket)

    on_a_socket(reader, script)
    assert ThreadFollow.objects.get(thread=root, member=reader).last_read_id == first.pk


def test_a_thread_read_without_a_thread_id_gets_an_error(people):
    _, reader, _ = people

    async def script(socket):
        await socket.send_json_to({"type": "chat.thread_read", "thread_id": "seventy"})
        return await until(socket, "error")

    assert on_a_socket(reader, script)["message"] == "chat.thread_read needs a thread_id."


def test_an_outsiders_reports_about_a_private_channel_change_nothing(people):
    author, reader, _ = people
    outsider = make_member("Oz Outsider", "oz@example.org", password=None)
    closed = channel_actions.create_channel(actor=author, name="closed", private=True)
    channel_actions.add_channel_member(actor=author, channel=closed, member=reader)
    root = message_actions.send_message(actor=reader, channel=closed, text="Committee only")
    reply = message_actions.send_message(actor=author, channel=closed, text="Agreed", thread=root)
    readers_position = ThreadFollow.objects.get(thread=root, member=reader).last_read_id

    async def script(socket):
        await socket.send_json_to({"type": "chat.read", "channel_id": closed.pk, "up_to": reply.pk})
        await socket.send_json_to({"type": "chat.thread_read", "thread_id": root.pk})
        await socket.send_json_to({"type": "chat.thread_read", "thread_id": 999999})
        await settled(socket)
        await asyncio.sleep(read_state.FLUSH_SECONDS * 3)
        return await socket.receive_nothing(timeout=0.2)

    assert on_a_socket(outsider, script)  # nothing about the private channel reached the outsider
    assert not ChannelMembership.objects.filter(channel=closed, member=outsider).exists()
    assert not ThreadFollow.objects.filter(member=outsider).exists()
    assert ThreadFollow.objects.get(thread=root, member=reader).last_read_id == readers_position


def test_a_failed_batch_write_is_logged_and_the_next_report_carries_the_position(people, monkeypatch, caplog):
    author, reader, channel = people
    message = message_actions.send_message(actor=author, channel=channel, text="one")

    def broken(batch):
        raise RuntimeError("database went away")

    async def scenario():
        buffer = read_state.ReadBuffer()
        await buffer.flush()  # nothing held: nothing written
        monkeypatch.setattr(read_state, "_write", broken)
        buffer.add(reader.pk, channel.pk, message.pk)
        await buffer.flush()
        assert buffer.pending == {}
        monkeypatch.undo()
        buffer.add(reader.pk, channel.pk, message.pk)
        await buffer.flush()
        buffer.task.cancel()

    with caplog.at_level(logging.ERROR, logger="leveller.chat.read_state"):
        async_to_sync(scenario)()
    assert "writing 1 read positions failed" in caplog.text
    assert last_read(channel, reader) == message.pk
