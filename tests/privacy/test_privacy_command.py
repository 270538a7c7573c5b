"""`leveller privacy`, as an operator runs it: the register printed, written and checked against the committed
docs/data-protection.md, and retention run by hand (a dry run first) with a line per rule and any failure on
stderr. Bad arguments are refused with a usage error and change nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from leveller.phonebank.models import Campaign, Contact
from leveller.privacy import register, registry
from leveller.privacy.models import RetentionRun
from tests.privacy.test_retention import _campaign

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("privacy", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def doc(tmp_path, monkeypatch):
    """The register's file, moved to a scratch copy so the committed one is never touched."""
    path = tmp_path / "data-protection.md"
    monkeypatch.setattr(register, "DOC_PATH", path)
    return path


@pytest.fixture
def old_closed_campaign(organiser):
    closed = _campaign(organiser, name="Closed", status="finished")
    Campaign.objects.filter(pk=closed.pk).update(updated_at=timezone.now() - dt.timedelta(days=100))
    return closed


# --- the register -----------------------------------------------------------------------------------------


def test_the_register_is_printed_as_the_committed_file_has_it():
    out, _ = run("register")
    assert out == register.render() == register.DOC_PATH.read_text()
    assert "## Register of processing" in out


def test_check_passes_when_the_committed_file_matches():
    out, _ = run("register", "--check")
    assert out.strip() == f"{register.DOC_PATH} matches the code."


def test_check_fails_when_the_file_is_out_of_date_or_missing(doc):
    with pytest.raises(CommandError, match="is out of date: run `leveller privacy register --write`"):
        run("register", "--check")
    doc.write_text("# An old register\n")
    with pytest.raises(CommandError, match="is out of date"):
        run("register", "--check")
    assert doc.read_text() == "# An old register\n"  # checking never writes


def test_write_brings_the_file_up_to_date(doc):
    doc.write_text("# An old register\n")
    out, _ = run("register", "--write")
    assert out.strip() == f"Wrote {doc}"
    assert doc.read_text() == register.render()
    assert run("register", "--check")[0].strip() == f"{doc} matches the code."


def test_a_model_with_no_declaration_stops_the_register(doc, monkeypatch):
    monkeypatch.setattr(register, "undeclared_models", lambda: ["groups.Secret", "chat.Hidden"])
    with pytest.raises(CommandError, match=r"no data-protection declaration: groups\.Secret, chat\.Hidden"):
        run("register", "--write")
    assert not doc.exists()


# --- retention by hand ------------------------------------------------------------------------------------


def test_a_dry_run_says_what_would_go_and_deletes_nothing(old_closed_campaign):
    out, err = run("retention", "--dry-run")
    assert "Would remove 3: phonebank.contacts" in out and not err
    assert Contact.objects.filter(campaign=old_closed_campaign).count() == 3
    assert RetentionRun.objects.get().dry_run


def test_a_real_run_removes_and_says_how_many(old_closed_campaign):
    out, err = run("retention")
    assert "Removed 3: phonebank.contacts" in out and not err
    assert not Contact.objects.filter(campaign=old_closed_campaign).exists()
    again, _ = run("retention")
    assert "Removed 0: phonebank.contacts" in again


def test_a_failing_rule_is_reported_on_stderr_and_the_others_still_run(old_closed_campaign, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    rule = registry.retention_rule("core.audit_entries")
    monkeypatch.setitem(registry._retention, rule.key, dataclasses.replace(rule, apply=broken))
    out, err = run("retention")
    assert f"Failed: {rule.key}: RuntimeError: disk on fire" in err
    assert "Removed 3: phonebank.contacts" in out
    assert not Contact.objects.filter(campaign=old_closed_campaign).exists()


# --- bad arguments ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "the following arguments are required: subcommand"),
        (("forget",), "invalid choice: 'forget'"),
        (("retention", "--everything"), "unrecognized arguments: --everything"),
        (("register", "--dry-run"), "unrecognized arguments: --dry-run"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_runs(old_closed_campaign, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert Contact.objects.filter(campaign=old_closed_campaign).count() == 3
    assert not RetentionRun.objects.exists()
