"""Make /openapi.json describe the errors the server really sends."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "ErrorBody",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "title": "ErrorDetail",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
            },
        }
    },
}
ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}


def install_openapi(app: FastAPI) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, routes=app.routes)
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        schemas["ErrorBody"] = ERROR_SCHEMA
        for path_item in doc.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)
                responses["default"] = {
                    "description": "Error",
                    "content": {"application/json": {"schema": ERROR_REF}},
                }
        app.openapi_schema = doc
        return doc

    app.openapi = build  # type: ignore[method-assign]
