"""Finishing touches on the generated OpenAPI document, so that it tells the whole truth:

* every operation documents the RFC 9457 problem responses it can give;
* public operations (no log-in) carry no security requirement (Litestar's JWT marks all);
* list operations document their CSV download (``?format=csv``);
* request bodies are described by their models' own JSON Schema (pydantic's): Litestar's
  rendering drops the bounds of list items, optional and dictionary values, so the limits and
  the text rule (``anbiao.api.kernel.limits``) would not be in the document otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Reference,
    Schema,
)

from anbiao.api.kernel.schemas import Input
from anbiao.core.engine import Engine

PROBLEM = "application/problem+json"
ERRORS = {
    "400": "请求格式错误 / malformed request",
    "401": "未登录或令牌无效 / not logged in",
    "403": "角色无权限 / role not allowed",
    "404": "对象不存在或无权查看 / not found",
    "409": "与当前状态冲突（含版本过期）/ conflicts with the current state",
    "413": "请求体过大 / request too large",
    "415": "文件类型不允许 / file type not allowed",
    "422": "不满足业务规则 / refused by the rules",
    "500": "内部错误 / internal error",
}
PUBLIC_ERRORS = ("400", "401", "404", "409", "422", "500")
PROBLEM_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    description="RFC 9457 problem details",
    properties={
        "status": Schema(type=OpenAPIType.INTEGER),
        "title": Schema(type=OpenAPIType.STRING),
        "detail": Schema(type=OpenAPIType.STRING),
        "type": Schema(type=OpenAPIType.STRING),
        "instance": Schema(type=OpenAPIType.STRING),
    },
    additional_properties=True,
)


@dataclass
class JsonSchema(Schema):
    """A component written as plain JSON Schema, emitted as is."""

    raw: dict[str, Any] = field(default_factory=dict)

    def to_schema(self) -> dict[str, Any]:
        return self.raw


def finish(app: Litestar, engine: Engine) -> None:
    """Patch the document Litestar generated (it is built once and cached)."""
    document = app.openapi_schema
    components = document.components
    schemas = {**(components.schemas or {}), "Problem": PROBLEM_SCHEMA}
    for name, raw in _input_schemas().items():
        if name in schemas:
            schemas[name] = JsonSchema(raw=raw)
    _registered_vocabulary(schemas, engine)
    components.schemas = schemas
    problem = {PROBLEM: OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Problem"))}
    public = _public_operations(app)
    for path, item in (document.paths or {}).items():
        for method in ("get", "put", "post", "patch", "delete"):
            operation = getattr(item, method, None)
            if operation is None:
                continue
            is_public = (method.upper(), path) in public
            if is_public:
                operation.security = []
            codes = PUBLIC_ERRORS if is_public else ERRORS
            responses = operation.responses or {}
            for code in codes:  # replaces Litestar's default 400 (documented as plain JSON)
                responses[code] = OpenAPIResponse(description=ERRORS[code], content=problem)
            if any(_offers_csv(p) for p in operation.parameters or ()):
                ok = responses.get("200")
                if isinstance(ok, OpenAPIResponse) and ok.content is not None:
                    ok.content["text/csv"] = OpenAPIMediaType(
                        schema=Schema(type=OpenAPIType.STRING, description="CSV (UTF-8, BOM)")
                    )
            operation.responses = responses


def _offers_csv(parameter: Any) -> bool:
    """A ``format`` query parameter with ``csv`` among its values (reports offer pdf/xlsx)."""
    schema = getattr(parameter, "schema", None)
    return getattr(parameter, "name", None) == "format" and "csv" in (
        getattr(schema, "enum", None) or ()
    )


def _registered_vocabulary(schemas: dict[str, Any], engine: Engine) -> None:
    """Industries and hazards are registered by plugins: the document lists the ones loaded."""
    profile = schemas.get("Profile")
    if not isinstance(profile, JsonSchema):
        return
    profile.raw["properties"]["industry"] = {
        "type": "string",
        "enum": sorted(engine.catalog.industries),
        "description": "行业 (registered industries)",
    }
    profile.raw["properties"]["hazards"] = {
        **profile.raw["properties"]["hazards"],
        "uniqueItems": True,
        "items": {"type": "string", "enum": sorted(engine.catalog.hazards)},
        "description": "专项 (registered hazard flags)",
    }


def _input_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of every request model and of the models inside them, by name."""
    found: dict[str, dict[str, Any]] = {}

    def walk(cls: type[Input]) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("anbiao."):
                schema = sub.model_json_schema(ref_template=REF)
                found.update(schema.pop("$defs", {}))
                found[sub.__name__] = schema
            walk(sub)

    walk(Input)
    return found


REF = "#/components/schemas/{model}"


def _public_operations(app: Litestar) -> set[tuple[str, str]]:
    public: set[tuple[str, str]] = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            opts: dict[str, Any] = handler.opt or {}
            if opts.get("exclude_from_auth"):
                path = route.path
                for method in getattr(handler, "http_methods", ()):
                    public.add((method, _openapi_path(path)))
    return public


def _openapi_path(path: str) -> str:
    import re

    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path)
