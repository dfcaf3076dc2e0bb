"""Errors of the service and their RFC 9457 problem documents (409, 422, 500)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import (
    ProblemDetailsException,
)

from anbiao.api.kernel import i18n
from anbiao.core.errors import AnbiaoError


class LocalizedProblem(ProblemDetailsException):
    """A problem document written in the request's language (``Accept-Language``: Chinese by
    default, English on request). Coded engine messages also go out as ``errors``: code,
    parameters and the message, for programs."""

    def __init__(
        self, error: BaseException, status_code: int, *, title: bool = False, **kw: Any
    ) -> None:
        super().__init__(status_code=status_code, detail=str(error), **kw)
        self.error, self.as_title = error, title

    def to_response(self, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        lang = i18n.accepted(request)
        text = i18n.describe(self.error, lang)
        if self.as_title:  # an HTTP error keeps its text in ``title``, as Litestar writes it
            self.title, self.detail = text, None  # type: ignore[assignment]
        else:
            self.detail = text
        if self.extra is None or isinstance(self.extra, dict):  # else: Litestar's error list
            extra = dict(self.extra or {})
            if coded := getattr(self.error, "messages", ()):
                extra["errors"] = [
                    {"code": m.code, "params": jsonable(m.params), "message": i18n.message(lang, m)}
                    for m in coded
                ]
            if isinstance(extra.get("reasons"), list):
                extra["reasons"] = [i18n.bilingual(str(r), lang) for r in extra["reasons"]]
            self.extra = extra or None
        response = super().to_response(request)
        response.headers["Content-Language"] = lang
        return response


def problem(
    status: int, *, extra: Callable[[Any], dict[str, Any]] | None = None
) -> Callable[[AnbiaoError], ProblemDetailsException]:
    def convert(exc: AnbiaoError) -> ProblemDetailsException:
        return LocalizedProblem(exc, status, extra=extra(exc) if extra else None)

    return convert


def http_problem(exc: HTTPException) -> ProblemDetailsException:
    """Litestar's own HTTP errors (404, 401, 405…), their text in the request's language."""
    if isinstance(exc, ProblemDetailsException):
        return LocalizedProblem(exc, exc.status_code, extra=exc.extra, headers=exc.headers)
    return LocalizedProblem(exc, exc.status_code, title=True, extra=exc.extra, headers=exc.headers)


def problem_response(
    request: Request[Any, Any, Any], exc: ProblemDetailsException
) -> Response[Any]:
    """A problem raised as such (e.g. 413 from the uploads), in the request's language."""
    return http_problem(exc).to_response(request)


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
    return LocalizedProblem(AnbiaoError("内部错误 / internal error"), 500).to_response(request)


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
