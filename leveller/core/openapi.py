"""The error responses every API operation may give, added to /api/openapi.json so clients (and the
schemathesis run in the test suite, tests/api/test_schemathesis.py) know them.

Each operation documents its own success and domain answers (a 409 for a lost lease, a 429 for a limit…);
this adds, where an operation does not name them itself, the answers the API layer gives for any operation:
- 400: the body is not JSON, a number is beyond what is stored, or an action refused the values;
- 401 and 403 (operations that need a token or session): not authenticated; not allowed;
- 404 (operations with path parameters or a body): the object does not exist, or is not yours to see;
- 422 (operations with parameters or a body): a parameter or field has the wrong type.
Every one of them is the one error schema, `Detail`: `{"detail": …}` (a sentence, or for 422 ninja's list of
field errors). Routers name it for their own error answers too (`from leveller.core.openapi import Detail`).
"""

from __future__ import annotations

from ninja import Field, Schema


class FieldError(Schema):
    type: str
    loc: list[str | int]
    msg: str


class Detail(Schema):
    """The one error shape of the API."""

    detail: str | list[FieldError] = Field(description="What went wrong (422: a list of field errors).")


ERROR = {"$ref": "#/components/schemas/Detail"}
DESCRIPTIONS = {
    "400": "Bad request: not JSON, a value out of range, or refused (see detail).",
    "401": "Not authenticated: send a Bearer token or log in.",
    "403": "Not allowed for you (see detail).",
    "404": "Not found, or not yours to see.",
    "422": "A parameter or field has the wrong type.",
}


def _add_component(schema: dict) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "Detail" not in components:
        definition = Detail.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(definition.pop("$defs", {}))
        components["Detail"] = definition


def document_errors(schema: dict) -> dict:
    _add_component(schema)
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            has_input = bool(operation.get("parameters") or operation.get("requestBody"))
            has_path = any(p.get("in") == "path" for p in operation.get("parameters", []))
            codes = ["400"]
            if operation.get("security"):
                codes += ["401", "403"]
            if has_path or operation.get("requestBody"):
                codes.append("404")
            if has_input:
                codes.append("422")
            responses = operation["responses"]
            known = {str(code) for code in responses}
            for code in codes:
                if code not in known:  # ninja keys responses by int
                    responses[int(code)] = {
                        "description": DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ERROR}},
                    }
    return schema
