"""Finding 9: a websocket `?token=` never reaches the log; a password reset or change ends every API token."""

import logging

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from leveller.accounts.actions import members as member_actions
from leveller.accounts.tokens import member_for_token
from leveller.core.logredact import RedactSecrets, uvicorn_log_config


def test_uvicorn_logs_a_websocket_or_request_path_without_its_token():
    config = uvicorn_log_config()
    assert all("redact_secrets" in handler["filters"] for handler in config["handlers"].values())
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("test.uvicorn.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info('%s - "WebSocket %s" [accepted]', "127.0.0.1:5000", "/ws/?token=lvl_secret123&last=5")
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/ws/?last=1&TOKEN=lvl_other", "1.1", 101)
    finally:
        logger.removeHandler(handler)
    assert lines[0] == '127.0.0.1:5000 - "WebSocket /ws/?token=[redacted]&last=5" [accepted]'
    assert "lvl_other" not in lines[1]


@pytest.mark.django_db
def test_a_password_reset_revokes_every_api_token(client, member):
    _, secret = member_actions.create_api_token(actor=member, member=member)
    assert member_for_token(secret) is not None
    uid = urlsafe_base64_encode(force_bytes(member.pk))
    token = default_token_generator.make_token(member)
    step = client.get(f"/password-reset/{uid}/{token}/", follow=True)
    form_url = step.redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"})
    assert done.status_code == 302, done.content
    assert member_for_token(secret) is None


@pytest.mark.django_db
def test_changing_the_password_revokes_every_api_token(client, member):
    _, secret = member_actions.create_api_token(actor=member, member=member)
    client.force_login(member)
    response = client.post(
        "/settings/password/",
        {
            "old_password": "correct-horse-battery-staple",
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert member_for_token(secret) is None
