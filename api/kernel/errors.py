"""Errors of the service and their RFC 9457 problem documents (409, 422, 500)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response
from litestar.exceptions import ValidationException
from litestar.plugins.problem_details import (
    ProblemDetailsException,
)

from anbiao.core.errors import AnbiaoError


def problem(
    status: int, *, extra: Callable[[Any], dict[str, Any]] | None = None
) -> Callable[[AnbiaoError], ProblemDetailsException]:
    def convert(exc: AnbiaoError) -> ProblemDetailsException:
        return ProblemDetailsException(
            status_code=status, detail=str(exc), extra=extra(exc) if extra else None
        )

    return convert


def invalid_input(exc: ValidationException) -> ProblemDetailsException:
    """Litestar's validation failure, each field named under ``extra`` (``key``, ``message``):
    422 when a well-formed body is refused field by field, 400 when a parameter is malformed."""
    errors = exc.extra if isinstance(exc.extra, list) else []
    # Litestar names the source of parameters (query, path, header, cookie); body fields have none
    in_body = bool(errors) and all(e.get("source", "body") == "body" for e in errors)
    return ProblemDetailsException(
        status_code=422 if in_body else 400, detail=exc.detail, extra=exc.extra
    )


def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Any unexpected error: a problem document, never a traceback."""
    request.logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return ProblemDetailsException(status_code=500, detail="内部错误 / internal error").to_response(
        request
    )


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class StaleVersion(AnbiaoError):
    """The row changed since the caller read it; carries the current state."""

    def __init__(self, current: dict[str, Any]) -> None:
        self.current = current
        super().__init__(
            "数据已被他人修改，请刷新后重试 / changed by someone else: reload and retry"
        )


class Conflict(AnbiaoError):
    """A request that contradicts the current state (409), e.g. a second active application."""


class Rejected(AnbiaoError):
    """A request the rules refuse (422), with the reasons."""

    def __init__(self, message: str, reasons: list[str] | None = None) -> None:
        self.reasons = reasons or []
        super().__init__(message)
