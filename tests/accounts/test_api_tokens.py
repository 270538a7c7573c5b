import pytest
from django.core.management import call_command

from leveller.accounts.actions import members as member_actions
from leveller.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_a_bearer_token_authenticates_the_api_as_its_member(api_client, member):
    response = api_client(member).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["email"] == "member@example.org"


def test_the_api_refuses_a_request_without_credentials(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_tokens_are_stored_hashed(member):
    _, secret = member_actions.create_api_token(actor=member, member=member)
    stored = ApiToken.objects.get(member=member)
    assert secret not in stored.token_hash
    assert len(stored.token_hash) == 64


def test_a_revoked_token_no_longer_works(api_client, member):
    caller = api_client(member)
    member_actions.revoke_api_token(actor=member, token=ApiToken.objects.get(member=member))
    assert caller.get("/api/v1/me").status_code == 401


def test_a_member_creates_and_revokes_a_token_in_settings(client, member):
    client.force_login(member)
    page = client.post("/settings/tokens/", {"name": "My script"}).content.decode()
    secret = page.split('id="new-token">')[1].split("<")[0].strip()
    assert secret.startswith("lvl_")
    token = ApiToken.objects.get(member=member, name="My script")
    client.post(f"/settings/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_member_cannot_revoke_someone_elses_token(client, member, outsider):
    token, _ = member_actions.create_api_token(actor=member, member=member)
    client.force_login(outsider)
    assert client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404


def test_patching_me_updates_the_profile_with_validation(api_client, member):
    caller = api_client(member)
    response = caller.patch("/api/v1/me", {"pronouns": "they/them", "phone": "+49 151 12345678", "country": "DE"})
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "+4915112345678"
    bad = caller.patch("/api/v1/me", {"time_zone": "Mars/Olympus"})
    assert bad.status_code == 400
    assert "time zone" in bad.json()["detail"]


def test_token_create_command_prints_a_working_token(member, capsys, api_client):
    call_command("token", "create", "member@example.org")
    secret = capsys.readouterr().out.strip()
    from django.test import Client

    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.json()["id"] == member.pk


def test_member_add_command_creates_then_updates_with_a_password_from_stdin(monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("a-very-long-passphrase\n"))
    call_command("member", "add", "ops@example.org", "--name", "Ops Person", "--role", "admin", "--password-stdin")
    assert "Created ops@example.org" in capsys.readouterr().out
    call_command("member", "add", "ops@example.org", "--name", "Ops Renamed")
    assert "Updated ops@example.org (Ops Renamed; roles: admin)" in capsys.readouterr().out
    from leveller.accounts.models import Member

    ops = Member.objects.get(email="ops@example.org")
    assert ops.check_password("a-very-long-passphrase")
    assert ops.is_admin and ops.is_staff
