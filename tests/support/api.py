from __future__ import annotations

import json

from django.test import Client

from leveller.accounts.actions import members as member_actions


class ApiClient:
    """JSON requests with a real Bearer token for a member."""

    def __init__(self, member=None):
        self.client = Client()
        self.headers = {}
        if member is not None:
            _, secret = member_actions.create_api_token(actor=member, member=member, name="test")
            self.headers["Authorization"] = f"Bearer {secret}"

    def _call(self, method, path, data=None, **extra):
        kwargs = {"headers": {**self.headers, **extra.pop("headers", {})}}
        if data is not None:
            kwargs["data"] = json.dumps(data)
            kwargs["content_type"] = "application/json"
        kwargs.update(extra)
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path, **extra):
        return self.client.get(path, headers=self.headers, **extra)

    def post(self, path, data=None, **extra):
        return self._call("post", path, data, **extra)

    def patch(self, path, data=None, **extra):
        return self._call("patch", path, data, **extra)

    def put(self, path, data=None, **extra):
        return self._call("put", path, data, **extra)

    def delete(self, path, **extra):
        return self._call("delete", path, **extra)

    def upload(self, path, files: dict, data: dict | None = None):
        return self.client.post(path, data={**(data or {}), **files}, headers=self.headers)
