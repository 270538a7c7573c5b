"""One write path per domain: views, API endpoints, websocket consumers, tasks and management commands call an
app's actions; none writes a model itself.

Like Datasette's test_docs.py this reads the source rather than running it: every entry-point module is
parsed and each call that writes through the ORM (`.save()`, `.delete()`, `.create()`, `bulk_create`,
`get_or_create`, `update_or_create`, or `.update()` on a manager or queryset) fails the test unless it is in
ALLOWED below with its reason. The fix is almost always to move the write into `<app>/actions/<topic>.py`.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "leveller"

ALWAYS_WRITES = {"save", "delete", "create", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
QUERYSET_METHODS = {"filter", "exclude", "all", "select_for_update", "select_related", "order_by", "only"}
NOT_MODELS = {"router", "cache", "session", "messages"}  # ninja's @router.delete, the cache, the session

# "path:function" -> why this write may stay where it is. Keep it short: each entry is a reason, not a habit.
ALLOWED: dict[str, str] = {}


def entry_point_modules() -> list[pathlib.Path]:
    def is_entry_point(path: pathlib.Path) -> bool:
        name = path.name
        return "migrations" not in path.parts and (
            name.startswith(("views", "api", "consumer", "tasks"))
            or name.endswith("_views.py")
            or path.parent.name == "commands"
        )

    return sorted(path for path in PACKAGE.rglob("*.py") if is_entry_point(path))


def _chain(node: ast.AST) -> list[str]:
    """`Model.objects.filter(...).update` -> ["Model", "objects", "filter", "()", "update"]."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            parts.append("()")
            node = node.func
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            break
        else:
            break
    return list(reversed(parts))


def _is_model_write(call: ast.Call) -> bool:
    if not isinstance(call.func, ast.Attribute):
        return False
    method = call.func.attr
    chain = _chain(call.func)
    if NOT_MODELS & set(chain[:-1]):
        return False
    if method in ALWAYS_WRITES:
        return True
    if method == "update":  # dict.update is everywhere; a queryset's is on a manager or after a filter
        return "objects" in chain or any(part in QUERYSET_METHODS for part in chain[:-1])
    return False


def direct_writes(path: pathlib.Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name)
                continue
            if isinstance(child, ast.Call) and _is_model_write(child):
                where = f"{path.relative_to(ROOT)}:{function}"
                if where not in ALLOWED:
                    found.append(f"{path.relative_to(ROOT)}:{child.lineno} in {function}(): {ast.unparse(child)[:90]}")
            visit(child, function)

    visit(tree, "<module>")
    return found


@pytest.mark.parametrize("path", entry_point_modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_entry_points_change_state_only_through_actions(path):
    assert direct_writes(path) == [], "Move these writes into the app's actions (or add to ALLOWED, with why)"


def test_the_scan_sees_views_api_consumers_tasks_and_commands():
    names = {str(path.relative_to(PACKAGE)) for path in entry_point_modules()}
    for expected in ("chat/views.py", "chat/api.py", "realtime/consumer.py", "chat/tasks.py", "events/views.py"):
        assert expected in names
    assert any("/management/commands/" in name for name in names)


def test_the_scan_catches_a_view_that_saves_and_ignores_a_dict_update(tmp_path):
    view = PACKAGE / "chat" / "views_for_this_test_only.py"
    source = (
        "def rename(request, channel):\n"
        "    context = {}\n"
        "    context.update(name=channel.name)\n"
        "    channel.name = 'x'\n"
        "    channel.save()\n"
        "    Channel.objects.filter(pk=1).update(name='y')\n"
        "    Reaction.objects.create(message=m)\n"
    )
    view.write_text(source)
    try:
        found = direct_writes(view)
    finally:
        view.unlink()
    assert [line.split(" in ")[0].rsplit(":", 1)[1] for line in found] == ["5", "6", "7"]


def test_every_allowance_still_names_a_write():
    """An allowance for code that no longer writes is a stale excuse: remove it."""
    for where in ALLOWED:
        path, function = where.rsplit(":", 1)
        tree = ast.parse((ROOT / path).read_text())
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        body = [n for f in functions if f.name == function for n in ast.walk(f)]
        assert any(isinstance(n, ast.Call) and _is_model_write(n) for n in body), where
