"""Errors of the service and their RFC 9457 problem documents (409, 422, 500)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import (
    ProblemDetailsException,
)

from anbiao.api.kernel import i18n
from anbiao.core.errors import AnbiaoError, Message

E = TypeVar("E", bound=HTTPException)


class LocalizedProblem(ProblemDetailsException):
    """A problem document written in the request's language (``Accept-Language``: Chinese by
    default, English on request). Coded messages also go out as ``errors``: code,
    parameters and the message, for programs: the error's own, then its coded reasons."""

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
            if isinstance(extra.get("reasons"), list):
                extra["reasons"] = [i18n.message(lang, r) for r in extra["reasons"]]
            messages = [*getattr(self.error, "messages", ()), *getattr(self.error, "reasons", ())]
            if coded := [m for m in messages if isinstance(m, Message)]:
                extra["errors"] = [
                    {"code": m.code, "params": jsonable(m.params), "message": i18n.message(lang, m)}
                    for m in coded
                ]
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
    error = AnbiaoError.of([Message("server.internal")])
    return LocalizedProblem(error, 500).to_response(request)


def jsonable(value: Any) -> Any:
    if isinstance(value, Message):
        return {"code": value.code, "params": jsonable(value.params)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class Coded(AnbiaoError):
    """A service error made of a coded message (``str()``: its English) and, for refusals, the
    reasons: coded messages, or plain text shown as it is (item ids, a finding's text)."""

    def __init__(self, message: Message, reasons: Iterable[Message | str] = ()) -> None:
        super().__init__(str(message))
        self.messages = (message,)
        self.reasons = list(reasons)


class StaleVersion(Coded):
    """The row changed since the caller read it; carries the current state."""

    def __init__(self, current: dict[str, Any]) -> None:
        self.current = current
        super().__init__(Message("record.stale"))


class Conflict(Coded):
    """A request that contradicts the current state (409), e.g. a second active application."""


class Rejected(Coded):
    """A request the rules refuse (422), with the reasons."""


def coded(exc: E, message: Message) -> E:
    """A Litestar HTTP error (404, 401, 403, 503…) carrying a coded message: its ``detail`` is
    the English, its problem document is written in the reader's language."""
    exc.detail = str(message)
    exc.messages = (message,)  # type: ignore[attr-defined]
    return exc
