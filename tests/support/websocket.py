"""An in-process websocket client for the ASGI consumer, like channels.testing.WebsocketCommunicator (whose
package imports daphne, which Leveller does not install): connect, send and receive JSON frames, disconnect."""

from __future__ import annotations

import json
from unittest import mock

from asgiref.testing import ApplicationCommunicator


def _no_op():
    pass


class WebsocketCommunicator(ApplicationCommunicator):
    def __init__(self, application, path: str = "/ws/", *, user=None, headers=None):
        scope = {"type": "websocket", "path": path, "query_string": b"", "headers": headers or [], "subprotocols": []}
        if user is not None:
            scope["user"] = user
        super().__init__(application, scope)

    # As channels' own communicator does: a consumer's database_sync_to_async must not close the test's
    # connections between frames.
    async def send_input(self, message):
        with mock.patch("channels.db.close_old_connections", _no_op):
            return await super().send_input(message)

    async def receive_output(self, timeout=1):
        with mock.patch("channels.db.close_old_connections", _no_op):
            return await super().receive_output(timeout)

    async def connect(self, timeout: float = 5) -> tuple[bool, object]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        return True, response.get("subprotocol")

    async def send_json_to(self, data) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_json_from(self, timeout: float = 5):
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 5) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)
