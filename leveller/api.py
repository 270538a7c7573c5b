"""The JSON API at /api/v1 (OpenAPI at /api/openapi.json).

Each domain app may have an `api.py` with `router` (a ninja Router) and `PREFIX` (e.g. "/channels"); they
are mounted under /api/v1 automatically. Auth: `Authorization: Bearer <token>`, or the session cookie
with a CSRF token.
"""

from __future__ import annotations

import importlib

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from leveller.accounts.tokens import member_for_token


class BearerToken(HttpBearer):
    openapi_description = "A personal API token (create one in Settings, or `leveller token create EMAIL`)."

    def authenticate(self, request, token):
        member = member_for_token(token)
        if member is not None:
            request.user = member
        return member


class StrictJsonParser(Parser):
    """Bodies too deep to parse or with lone surrogates are 400s, like any other body that is not JSON."""

    def parse_body(self, request):
        from leveller.core.text import parse_json

        return parse_json(request.body)


class ActiveSession(SessionAuth):
    def __call__(self, request):
        # A request that sends an Authorization header is judged by that header alone (a bad token is 401; the
        # session cookie beside it is never used, so it cannot skip the CSRF check). One without a session
        # cookie has no session to protect: 401, not the CSRF check's 403. Otherwise: CSRF, then the session.
        if "authorization" in request.headers or self.param_name not in request.COOKIES:
            return None
        return super().__call__(request)

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


class LevellerAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        from leveller.core.openapi import document_errors

        return document_errors(super().get_openapi_schema(**kwargs))


api = LevellerAPI(
    title="Leveller API",
    version="1",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=[BearerToken(), ActiveSession()],
    parser=StrictJsonParser(),
)


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{field}: {' '.join(msgs)}" if field != "__all__" else " ".join(msgs)
            for field, msgs in error.message_dict.items()
        )
    return " ".join(error.messages)


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    return api.create_response(request, {"detail": _messages(exc)}, status=400)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "You may not do that."}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(OverflowError)
def number_too_large(request, exc):
    # An id or number beyond what the database stores (SQLite raises this before the query runs).
    return api.create_response(request, {"detail": "A number in the request is too large."}, status=400)


@api.exception_handler(DataError)
def data_error(request, exc):
    return api.create_response(request, {"detail": "A value in the request is too large or not valid."}, status=400)


@api.exception_handler(AuthenticationError)
def unauthorised(request, exc):
    response = api.create_response(request, {"detail": "Authenticate with a Bearer token or log in."}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request, exc):
    from leveller.core import unavailable

    response = api.create_response(request, {"detail": unavailable.DETAIL}, status=503)
    response["Retry-After"] = unavailable.RETRY_AFTER
    return response


def _mount_domain_routers() -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith("leveller."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.api")
        except ModuleNotFoundError as error:
            if error.name == f"{config.name}.api":
                continue
            raise
        api.add_router(f"/v1{module.PREFIX}", module.router, tags=[config.label])


_mount_domain_routers()
