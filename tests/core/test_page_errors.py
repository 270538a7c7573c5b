"""A page view reports an action's refusal one way: on the form, or as a flash message, with a 400 outcome."""

from __future__ import annotations

import ast
import inspect
import pathlib

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver

from leveller.core.page_errors import error_text, reported


class NameForm(forms.Form):
    name = forms.CharField(required=False)


def a_request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def flashed(request) -> list[str]:
    return [str(m) for m in get_messages(request)]


def test_a_refusal_of_the_values_goes_onto_the_form_field_it_names():
    form = NameForm({"name": "x"})
    form.is_valid()
    with reported(a_request(), form=form) as outcome:
        raise ValidationError({"name": "That name is taken.", "other": "Something else."})
    assert not outcome.ok and outcome.status == 400
    assert form.errors["name"] == ["That name is taken."]
    assert form.non_field_errors() == ["Something else."]


def test_without_a_form_the_refusal_is_flashed():
    request = a_request()
    with reported(request) as outcome:
        raise ValidationError("Join the channel first.")
    assert outcome.text == "Join the channel first."
    assert flashed(request) == ["Join the channel first."]


def test_a_refusal_of_the_person_reaches_the_403_page_unless_asked_for():
    with pytest.raises(PermissionDenied), reported(a_request()):
        raise PermissionDenied("Only organisers can do that.")
    request = a_request()
    with reported(request, denied=True) as outcome:
        raise PermissionDenied("Only organisers can do that.")
    assert outcome.messages == ["Only organisers can do that."] and flashed(request) == outcome.messages


def test_other_errors_are_not_swallowed_and_success_is_ok():
    with pytest.raises(KeyError), reported(a_request()):
        raise KeyError("bug")
    with reported(a_request()) as outcome:
        pass
    assert outcome.ok and outcome.status == 200 and outcome.text == "" and outcome.messages == []


def test_error_text_joins_messages_and_names_an_empty_denial():
    assert error_text(ValidationError(["One.", "Two."])) == "One. Two."
    assert error_text(PermissionDenied()) == "You may not do that."


def test_a_field_takes_every_message_of_the_refusal():
    form = NameForm({"name": "x"})
    form.is_valid()
    with reported(a_request(), form=form, field="name") as outcome:
        raise ValidationError(["The file is empty.", "Upload a CSV."])
    assert form.errors["name"] == ["The file is empty.", "Upload a CSV."] and not form.non_field_errors()
    assert outcome.status == 400 and not outcome.denied


def test_a_page_can_answer_403_to_a_refusal_of_the_person():
    with reported(a_request(), denied=True, flash=False) as outcome:
        raise PermissionDenied("Voting closed for you.")
    assert outcome.denied and outcome.text == "Voting closed for you."


# --- The scan: page views report refusals only through `reported` ------------------------------------------
#
# Like tests/test_one_write_path.py this reads the source. A page-view module is every views*.py, *_views.py,
# manage_views.py and manage_people.py under leveller/, and every leveller module a URL pattern routes to. A
# handler there that names ValidationError or PermissionDenied (alone, in a tuple, or by an import alias) fails
# the test unless it is in ALLOWED with its reason: the fix is `with reported(request, ...) as outcome:`.

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
PACKAGE = ROOT / "leveller"
REFUSALS = {"ValidationError", "PermissionDenied"}

# "path:function" -> why this handler may stay. Keep it empty: each entry is a reason, not a habit.
ALLOWED: dict[str, str] = {}


def _is_view_file(path: pathlib.Path) -> bool:
    name = path.name
    return "migrations" not in path.parts and (
        name.startswith("views") or name.endswith("_views.py") or name in {"manage_views.py", "manage_people.py"}
    )


def _routed_modules() -> set[str]:
    """The dotted names of the leveller modules whose functions or classes a URL pattern calls."""
    found: set[str] = set()

    def walk(patterns) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
                continue
            view = getattr(pattern.callback, "view_class", pattern.callback)
            found.add(getattr(inspect.unwrap(view), "__module__", "") or "")

    walk(get_resolver().url_patterns)
    return {name for name in found if name.startswith("leveller.")}


def page_view_modules() -> list[pathlib.Path]:
    by_name = {path for path in PACKAGE.rglob("*.py") if _is_view_file(path)}
    routed = {ROOT.joinpath(*name.split(".")).with_suffix(".py") for name in _routed_modules()}
    return sorted(by_name | {path for path in routed if path.exists()})


def _refusal_names(tree: ast.AST) -> set[str]:
    """ValidationError, PermissionDenied and whatever this module imports them as."""
    names = set(REFUSALS)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names |= {alias.asname for alias in node.names if alias.name in REFUSALS and alias.asname}
    return names


def _caught(handler: ast.ExceptHandler) -> list[str]:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    out = []
    for kind in kinds:
        if isinstance(kind, ast.Name):
            out.append(kind.id)
        elif isinstance(kind, ast.Attribute):  # exceptions.ValidationError
            out.append(kind.attr)
    return out


def refusal_handlers(path: pathlib.Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    refusals = _refusal_names(tree)
    found = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name)
                continue
            if isinstance(child, ast.ExceptHandler) and child.type is not None:
                caught = [name for name in _caught(child) if name in refusals]
                where = f"{path.relative_to(ROOT)}:{function}"
                if caught and where not in ALLOWED:
                    found.append(f"{path.relative_to(ROOT)}:{child.lineno} in {function}(): except {caught}")
            visit(child, function)

    visit(tree, "<module>")
    return found


@pytest.mark.parametrize("path", page_view_modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_page_views_report_refusals_only_through_reported(path):
    assert refusal_handlers(path) == [], "Use `with reported(request, ...) as outcome:` (or add to ALLOWED, with why)"


def test_the_scan_sees_views_manage_pages_and_every_routed_module():
    names = {str(path.relative_to(PACKAGE)) for path in page_view_modules()}
    for expected in (
        "accounts/two_factor_views.py",
        "chat/slack_import/views.py",
        "newsletter/manage_people.py",
        "lobbying/manage_views.py",
        "core/health.py",  # routed, though not named like a view
    ):
        assert expected in names
    routed = {str(path.relative_to(PACKAGE)) for path in page_view_modules() if not _is_view_file(path)}
    assert routed and all(not name.startswith(("api", "migrations")) for name in routed)


def test_the_scan_catches_a_handler_by_name_tuple_alias_or_attribute():
    view = PACKAGE / "chat" / "views_for_this_page_errors_test_only.py"
    source = (
        "from django.core import exceptions\n"
        "from django.core.exceptions import ValidationError as Invalid\n"
        "def one(request):\n"
        "    try:\n"
        "        pass\n"
        "    except KeyError:\n"
        "        pass\n"
        "    except (ValueError, PermissionDenied):\n"
        "        pass\n"
        "def two(request):\n"
        "    try:\n"
        "        pass\n"
        "    except Invalid:\n"
        "        pass\n"
        "    except exceptions.ValidationError:\n"
        "        pass\n"
    )
    view.write_text(source)
    try:
        found = refusal_handlers(view)
    finally:
        view.unlink()
    assert [line.split(" in ")[0].rsplit(":", 1)[1] for line in found] == ["8", "13", "15"]


def test_every_allowance_still_names_a_handler():
    """An allowance for a view that no longer catches a refusal is a stale excuse: remove it."""
    for where in ALLOWED:
        path, function = where.rsplit(":", 1)
        tree = ast.parse((ROOT / path).read_text())
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        handlers = [n for f in functions if f.name == function for n in ast.walk(f) if isinstance(n, ast.ExceptHandler)]
        assert any(set(_caught(h)) & _refusal_names(tree) for h in handlers if h.type is not None), where
