"""One write path per domain: views, API endpoints, websocket consumers, tasks and management commands call an
app's actions; none writes a model itself.

Like Datasette's test_docs.py this reads the source rather than running it: every entry-point module is
parsed and each call that writes through the ORM (`.save()`, `.delete()`, `.create()`, `bulk_create`,
`get_or_create`, `update_or_create`, or `.update()` on a manager or queryset) fails the test unless it is in
ALLOWED below with its reason. The fix is almost always to move the write into `<app>/actions/<topic>.py`.

A write one step away counts too: an entry point that calls a function of another leveller module (not an
actions module, not models) whose body writes, itself or through a helper of its own module, fails unless
that function is in WRITING_HELPERS. This is what once let two-factor enrolment (accounts/two_factor.py) and
the follow-up answer (lobbying/followups.py) write from the views' side of the line unseen.
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

# Module -> (functions entry points may call although they write, why). Each is a reason, not a habit.
ENGINE = "a background engine's own ledger (claims, deliveries), run only by tasks and commands"
WRITING_HELPERS: dict[str, tuple[tuple[str, ...], str]] = {
    "leveller.accounts.tokens": (("member_for_token",), "authenticating stamps last_used_at, like a session"),
    "leveller.chat.handles": (("profile_for", "suggestions"), "a member's derived @handle is made on first read"),
    "leveller.core.idempotency": (("prune",), "housekeeping: drops expired keys"),
    "leveller.realtime.prune": (("prune",), "housekeeping: drops old events"),
    "leveller.events.reminders": (("send_due_reminders",), ENGINE),
    "leveller.lobbying.followups": (("send_due_follow_ups",), ENGINE),
    "leveller.newsletter.sending": (("run",), ENGINE),
    "leveller.push.delivery": (("deliver", "withdraw"), ENGINE),
}


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


def _module_path(dotted: str) -> pathlib.Path | None:
    base = ROOT.joinpath(*dotted.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.exists():
            return path
    return None


def _functions(dotted: str) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    path = _module_path(dotted)
    if path is None:
        return {}
    tree = ast.parse(path.read_text(), filename=str(path))
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def function_writes(dotted: str, name: str, seen: set[tuple[str, str]] | None = None) -> bool:
    """Does `dotted.name` write through the ORM, itself or through a function of its own module?"""
    seen = set() if seen is None else seen
    if (dotted, name) in seen:
        return False
    seen.add((dotted, name))
    functions = _functions(dotted)
    if name not in functions:
        return False
    for node in ast.walk(functions[name]):
        if isinstance(node, ast.Call) and _is_model_write(node):
            return True
        calls_own = isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions
        if calls_own and function_writes(dotted, node.func.id, seen):
            return True
    return False


def _is_helper_module(dotted: str) -> bool:
    parts = dotted.split(".")
    return parts[0] == "leveller" and "actions" not in parts and "models" not in parts


def writes_one_step_away(path: pathlib.Path) -> list[str]:
    """Calls from `path` to another leveller module's function that writes (see WRITING_HELPERS)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    modules: dict[str, str] = {}  # local name -> module
    functions: dict[str, tuple[str, str]] = {}  # local name -> (module, function)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("leveller"):
            for alias in node.names:
                local = alias.asname or alias.name
                if _module_path(f"{node.module}.{alias.name}") is not None:
                    modules[local] = f"{node.module}.{alias.name}"
                else:
                    functions[local] = (node.module, alias.name)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        target = None
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            if node.func.value.id in modules:
                target = (modules[node.func.value.id], node.func.attr)
        elif isinstance(node.func, ast.Name) and node.func.id in functions:
            target = functions[node.func.id]
        if target is None or not _is_helper_module(target[0]):
            continue
        if target[1] in WRITING_HELPERS.get(target[0], ((), ""))[0]:
            continue
        if function_writes(*target):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} calls {target[0]}.{target[1]}, which writes")
    return found


@pytest.mark.parametrize("path", entry_point_modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_entry_points_change_state_only_through_actions(path):
    assert direct_writes(path) == [], "Move these writes into the app's actions (or add to ALLOWED, with why)"
    assert writes_one_step_away(path) == [], "Move these writes into the app's actions (or WRITING_HELPERS, why)"


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


def test_the_scan_catches_a_view_whose_helper_writes_outside_actions():
    helper = PACKAGE / "chat" / "helper_for_this_test_only.py"
    view = PACKAGE / "chat" / "views_for_this_test_only.py"
    helper.write_text(
        "def enrol(*, actor):\n    return _device(actor)\n\n"
        "def _device(actor):\n    return Device.objects.create(user=actor)\n\n"
        "def is_enrolled(actor):\n    return Device.objects.filter(user=actor).exists()\n"
    )
    view.write_text(
        "from leveller.chat import helper_for_this_test_only as helper\n"
        "from leveller.chat.helper_for_this_test_only import enrol\n"
        "def setup(request):\n"
        "    helper.is_enrolled(request.user)\n"
        "    helper.enrol(actor=request.user)\n"
        "    enrol(actor=request.user)\n"
    )
    try:
        found = writes_one_step_away(view)
    finally:
        view.unlink()
        helper.unlink()
    assert [line.split(" calls ")[0].rsplit(":", 1)[1] for line in found] == ["5", "6"]


def test_every_writing_helper_still_writes():
    """A helper that no longer writes (or moved into actions) needs no allowance: remove it."""
    for module, (functions, _why) in WRITING_HELPERS.items():
        for function in functions:
            assert function_writes(module, function), f"{module}.{function}"
