"""docs/data-protection.md is generated from the code's declarations, so it cannot drift."""

from __future__ import annotations

from django.apps import apps

from leveller.privacy import registry
from leveller.privacy.register import DOC_PATH, render, undeclared_models


def test_every_model_declares_what_it_holds_why_how_long_and_who_sees_it():
    assert undeclared_models() == [], "add a declare(...) to the app's data_rights.py"
    for declaration in registry.declarations():
        assert all([declaration.what, declaration.why, declaration.basis, declaration.kept, declaration.who])


def test_declarations_name_real_models():
    for declaration in registry.declarations():
        assert apps.get_model(declaration.label) is not None


def test_the_committed_register_matches_the_code():
    assert DOC_PATH.read_text() == render(), "run `leveller privacy register --write` and commit the result"


def test_every_retention_rule_and_exported_kind_is_in_the_register():
    text = render()
    for rule in registry.retention_rules():
        assert f"`{rule.key}`" in text
    for kind in registry.exporters():
        assert f"`{kind.kind}.json`" in text
