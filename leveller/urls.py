"""URLs: each leveller app with a urls.py (and app_name) is included at the site root."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.contrib import admin
from django.urls import include, path

from leveller.api import api

handler500 = "leveller.core.unavailable.server_error"  # a database outage is 503, not 500

urlpatterns = [
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
]

for config in apps.get_app_configs():
    if config.name.startswith("leveller."):
        try:
            module = importlib.import_module(f"{config.name}.urls")
        except ModuleNotFoundError as error:
            if error.name == f"{config.name}.urls":
                continue
            raise
        urlpatterns.append(path("", include(module)))

# Styled error pages (templates/errors/<code>.html; see leveller/core/errors.py).
handler400 = "leveller.core.errors.bad_request"
handler403 = "leveller.core.errors.permission_denied"
handler404 = "leveller.core.errors.page_not_found"
