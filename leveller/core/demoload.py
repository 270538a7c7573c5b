"""The demo workspace. Each leveller app may have a `demo.py` with `load(*, log) -> None`; apps load in
INSTALLED_APPS order (accounts first). Every loader must be idempotent.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from django.apps import apps
from django.db import transaction

DEMO_PASSWORD = "leveller-demo-2024"
DEMO_LOGINS = [
    ("admin", "admin@demo.leveller.org"),
    ("staff", "staff@demo.leveller.org"),
    ("organiser", "organiser@demo.leveller.org"),
    ("member", "member@demo.leveller.org"),
]


def load_all(*, log: Callable[[str], None] = print) -> list[tuple[str, str]]:
    for config in apps.get_app_configs():
        if not config.name.startswith("leveller."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as error:
            if error.name == f"{config.name}.demo":
                continue
            raise
        with transaction.atomic():
            module.load(log=log)
    return DEMO_LOGINS
