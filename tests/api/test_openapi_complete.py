"""Every operation in /api/openapi.json says what it answers: its success with a schema a client can be
generated from (not a bare object), and its errors with the one shared error schema."""

from __future__ import annotations

import pytest

from leveller.api import api

pytestmark = pytest.mark.django_db

ERROR_REF = "#/components/schemas/Detail"
METHODS = {"get", "post", "put", "patch", "delete"}


def operations():
    schema = api.get_openapi_schema()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation, schema


def typed(schema: dict, components: dict) -> bool:
    """A $ref to a component with properties, a list of such, or a scalar: not `{"type": "object"}` alone."""
    if "$ref" in schema:
        target = components[schema["$ref"].rsplit("/", 1)[1]]
        return bool(
            target.get("properties") or target.get("enum") or target.get("anyOf") or target.get("type") != "object"
        )
    if schema.get("type") == "array":
        return typed(schema.get("items", {}), components)
    if "anyOf" in schema:
        return all(typed(option, components) for option in schema["anyOf"])
    if schema.get("type") == "object":
        return bool(schema.get("properties"))
    return bool(schema.get("type"))


def test_every_operation_documents_a_typed_success_response():
    untyped = []
    for name, operation, schema in operations():
        components = schema["components"]["schemas"]
        successes = {code: r for code, r in operation["responses"].items() if str(code).startswith("2")}
        assert successes, f"{name} documents no success response"
        for code, response in successes.items():
            if str(code) == "204":
                continue
            content = response.get("content", {})
            body = next(iter(content.values()), {}).get("schema") if content else None
            if body is None or not typed(body, components):
                untyped.append(f"{name} {code}")
    assert untyped == [], "\n".join(untyped)


def test_every_error_response_uses_the_one_error_schema():
    others = []
    schema = api.get_openapi_schema()
    for name, operation, _ in operations():
        codes = {str(code) for code in operation["responses"]}
        has_input = operation.get("parameters") or operation.get("requestBody")
        assert "400" in codes and ("422" in codes or not has_input), name
        if operation.get("security"):
            assert {"401", "403"} <= codes, name
        for code, response in operation["responses"].items():
            if not str(code).startswith(("4", "5")) or str(code) == "429":
                continue
            body = response["content"]["application/json"]["schema"]
            if body.get("$ref") != ERROR_REF:
                others.append(f"{name} {code}")
    assert others == [], "\n".join(others[:40])
    assert "detail" in schema["components"]["schemas"]["Detail"]["properties"]
