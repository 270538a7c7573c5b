"""The notification settings page as a member sees it (their own devices only, clear errors, nothing lost), and
the server's VAPID key as an operator configures it (a PEM or a raw key, a clear error for anything else)."""

from __future__ import annotations

import base64
import html

import pytest
from py_vapid import Vapid

from leveller.env import ConfigError
from leveller.push import keys
from leveller.push.actions import notifications as push_actions
from leveller.push.models import PushSubscription
from tests.push.test_push import browser_subscription

pytestmark = [pytest.mark.django_db]


def text(response) -> str:
    return html.unescape(response.content.decode())


def device_of(who, n: int = 1, label: str = "") -> PushSubscription:
    body = browser_subscription(n)
    row, _ = push_actions.subscribe(
        actor=who, endpoint=body["endpoint"], p256dh=body["keys"]["p256dh"], auth=body["keys"]["auth"], label=label
    )
    return row


def device_url(row) -> str:
    return f"/settings/notifications/devices/{row.pk}/"


# --- the settings page ------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, member):
    row = device_of(member, label="Mo's phone")
    for response in (client.get("/settings/notifications/"), client.post(device_url(row), {"remove": "1"})):
        assert response.status_code == 302 and "/login" in response["Location"]
    assert PushSubscription.objects.filter(pk=row.pk).exists()


def test_a_member_sees_only_their_own_devices(client, member, outsider):
    device_of(member, 1, label="Mo's phone")
    device_of(outsider, 2, label="Oz's laptop")
    client.force_login(member)
    page = text(client.get("/settings/notifications/"))
    assert "Mo's phone" in page and "Oz's laptop" not in page
    assert "Europe/London" in page  # quiet hours are in the member's own time zone
    client.force_login(outsider)
    page = text(client.get("/settings/notifications/"))
    assert "Oz's laptop" in page and "Mo's phone" not in page


def test_a_member_with_no_device_is_told_so(client, member):
    client.force_login(member)
    assert "No device gets notifications yet." in text(client.get("/settings/notifications/"))


def test_saving_settings_says_so(client, member):
    client.force_login(member)
    response = client.post("/settings/notifications/", {"kinds": ["dm"]}, follow=True)
    assert "Notification settings saved." in text(response)
    preference = push_actions.preference_for(member)
    assert preference.kinds == ["dm"] and preference.quiet_start is None


@pytest.mark.parametrize(
    "form, message",
    [
        ({"quiet_start": "22:00"}, "Give quiet hours both a start and an end, or neither."),
        ({"quiet_start": "22:00", "quiet_end": "22:00"}, "Quiet hours need to end at a different time"),
        ({"quiet_start": "25:61", "quiet_end": "07:00"}, "Enter a valid time."),
        ({"kinds": ["gossip"]}, "Select a valid choice. gossip is not one of the available choices."),
    ],
)
def test_bad_settings_are_explained_and_what_was_saved_is_kept(client, member, form, message):
    push_actions.set_preferences(actor=member, kinds=["mention"])
    client.force_login(member)
    response = client.post("/settings/notifications/", {"kinds": ["dm", "announcement"], **form})
    assert response.status_code == 200
    page = text(response)
    assert message in page
    if "quiet_start" in form and form["quiet_start"] != "25:61":
        assert 'value="22:00"' in page  # what was typed is still there
    assert push_actions.preference_for(member).kinds == ["mention"]


# --- one device -------------------------------------------------------------------------------------------


def test_a_member_chooses_what_a_device_gets(client, member):
    row = device_of(member, label="Mo's phone")
    client.force_login(member)
    response = client.post(device_url(row), {f"device-{row.pk}-kinds": ["dm", "mention"]}, follow=True)
    assert "Saved what Mo's phone gets." in text(response)
    row.refresh_from_db()
    assert row.kinds == ["dm", "mention"]


def test_a_device_with_no_name_is_called_a_device(client, member):
    row = device_of(member)
    client.force_login(member)
    response = client.post(device_url(row), {f"device-{row.pk}-kinds": []}, follow=True)
    assert "Saved what A device gets." in text(response)
    row.refresh_from_db()
    assert row.kinds == []


def test_an_unknown_kind_for_a_device_is_explained_and_nothing_changes(client, member):
    row = device_of(member, label="Mo's phone")
    before = list(row.kinds)
    client.force_login(member)
    response = client.post(device_url(row), {f"device-{row.pk}-kinds": ["gossip"]}, follow=True)
    assert "Nothing was saved for Mo's phone: Select a valid choice. gossip is not one" in text(response)
    row.refresh_from_db()
    assert row.kinds == before


def test_a_member_stops_a_device_being_notified(client, member):
    row = device_of(member, label="Mo's phone")
    client.force_login(member)
    response = client.post(device_url(row), {"remove": "1"}, follow=True)
    assert "Mo's phone will get no more notifications." in text(response)
    assert not PushSubscription.objects.filter(pk=row.pk).exists()
    assert "No device gets notifications yet." in text(response)


def test_someone_elses_device_is_a_404_and_untouched(client, member, outsider):
    row = device_of(member, label="Mo's phone")
    client.force_login(outsider)
    assert client.post(device_url(row), {"remove": "1"}).status_code == 404
    assert client.post(device_url(row), {f"device-{row.pk}-kinds": []}).status_code == 404
    row.refresh_from_db()
    assert row.kinds and PushSubscription.objects.filter(pk=row.pk).exists()


def test_the_device_form_only_takes_posts(client, member):
    row = device_of(member)
    client.force_login(member)
    assert client.get(device_url(row)).status_code == 405


# --- the server's key, as the operator configures it ----------------------------------------------------------


@pytest.fixture
def fresh_key(settings, tmp_path, monkeypatch):
    """A key read afresh (it is cached for the process), from a data dir of this test's own."""
    monkeypatch.delenv("LEVELLER_VAPID_PRIVATE_KEY", raising=False)
    monkeypatch.delenv("LEVELLER_VAPID_CONTACT", raising=False)
    settings.DATA_DIR = tmp_path
    keys.vapid.cache_clear()
    yield
    keys.vapid.cache_clear()


def _public(vapid: Vapid) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _generated() -> Vapid:
    vapid = Vapid()
    vapid.generate_keys()
    return vapid


def test_a_pem_key_on_one_line_is_used_and_no_file_is_written(fresh_key, settings, monkeypatch):
    mine = _generated()
    one_line = mine.private_pem().decode().strip().replace("\n", "\\n")
    monkeypatch.setenv("LEVELLER_VAPID_PRIVATE_KEY", one_line)
    assert keys.public_key() == _public(mine)
    assert not (settings.DATA_DIR / keys.FILE_NAME).exists()


def test_a_raw_base64url_key_is_used(fresh_key, monkeypatch):
    mine = _generated()
    number = mine.private_key.private_numbers().private_value.to_bytes(32, "big")
    monkeypatch.setenv("LEVELLER_VAPID_PRIVATE_KEY", base64.urlsafe_b64encode(number).rstrip(b"=").decode())
    assert keys.public_key() == _public(mine)


@pytest.mark.parametrize("value", ["not-a-key", "-----BEGIN PRIVATE KEY-----\\nbroken\\n-----END PRIVATE KEY-----"])
def test_anything_else_is_a_clear_configuration_error(fresh_key, monkeypatch, value):
    monkeypatch.setenv("LEVELLER_VAPID_PRIVATE_KEY", value)
    with pytest.raises(ConfigError, match="LEVELLER_VAPID_PRIVATE_KEY is not a VAPID private key"):
        keys.public_key()


def test_a_key_another_process_wrote_first_is_the_one_used(fresh_key, settings, monkeypatch):
    theirs = _generated()
    real_open = keys.os.open

    def another_process_gets_there_first(path, flags, mode=0o777):
        (settings.DATA_DIR / keys.FILE_NAME).write_bytes(theirs.private_pem())
        return real_open(path, flags, mode)

    monkeypatch.setattr(keys.os, "open", another_process_gets_there_first)
    assert keys.public_key() == _public(theirs)


def test_the_contact_is_the_configured_one_or_the_site(settings, monkeypatch):
    monkeypatch.setenv("LEVELLER_VAPID_CONTACT", "ops@example.org")
    assert keys.contact() == "mailto:ops@example.org"
    monkeypatch.setenv("LEVELLER_VAPID_CONTACT", "https://example.org/contact")
    assert keys.contact() == "https://example.org/contact"
    monkeypatch.delenv("LEVELLER_VAPID_CONTACT")
    settings.SITE_URL = "https://members.example.org"
    assert keys.contact() == "https://members.example.org"
    settings.SITE_URL, settings.DEFAULT_FROM_EMAIL = "http://localhost:8000", "Leveller <noreply@example.org>"
    assert keys.contact() == "mailto:noreply@example.org"


def test_with_no_key_configured_one_is_generated_once_kept_private_and_reused(fresh_key, settings):
    first = keys.public_key()
    path = settings.DATA_DIR / keys.FILE_NAME
    assert path.exists() and oct(path.stat().st_mode & 0o777) == "0o600"
    keys.vapid.cache_clear()  # a restart
    assert keys.public_key() == first
