"""Two `leveller serve` processes sharing REDIS_URL: an event published through one reaches a websocket
connected to the other."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from websockets.sync.client import connect

from leveller.accounts.actions import members as member_actions
from tests.support.live import free_port
from tests.support.services import requires_redis

ROOT = Path(__file__).resolve().parents[2]


def database_url_for_test_db() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgresql://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url_for_test_db(), "REDIS_URL": settings.REDIS_URL}
    env["LEVELLER_DATA_DIR"] = str(settings.DATA_DIR)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "leveller",
            "serve",
            "--port",
            str(port),
            "--no-migrate",
            "--no-worker",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_healthy(port: int, process: subprocess.Popen) -> None:
    # A liveness bound, not a timing check: on a loaded 2-core CI machine a cold start took over 30 s.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stdout.read().decode())
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"server on {port} did not become healthy")


@requires_redis
@pytest.mark.slow
def test_an_event_published_in_one_process_reaches_a_socket_on_the_other(transactional_db, member):
    _, secret = member_actions.create_api_token(actor=member, member=member, name="two-processes")
    ports = [free_port(), free_port()]
    servers = [start_server(port) for port in ports]
    try:
        for port, server in zip(ports, servers, strict=True):
            wait_healthy(port, server)
        with connect(f"ws://127.0.0.1:{ports[1]}/ws/?token={secret}") as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "hello"
            response = httpx.patch(
                f"http://127.0.0.1:{ports[0]}/api/v1/me",
                json={"pronouns": "they/them"},
                headers={"Authorization": f"Bearer {secret}"},
                timeout=10,
            )
            assert response.status_code == 200, response.text
            event = json.loads(ws.recv(timeout=10))
            assert event["type"] == "profile.updated"
            assert event["pronouns"] == "they/them"
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)
