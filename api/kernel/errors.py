"""Errors of the service and their RFC 9457 problem documents (409, 422, 500…), coded."""

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
        self.extra = self.localized_extra(lang) or None
        response = super().to_response(request)
        response.headers["Content-Language"] = lang
        return response

    def localized_extra(self, lang: str) -> dict[str, Any]:
        """The facts beside the text: reasons in ``lang``, the coded ``errors``; Litestar's list
        of field errors stays under ``extra`` (a "中文 / English" message: its ``lang`` half)."""
        if isinstance(self.extra, list):
            fields = [field_error(e, lang) for e in self.extra]
            extra: dict[str, Any] = {"extra": fields}
        else:
            extra = dict(self.extra or {})
        if isinstance(extra.get("reasons"), list):
            extra["reasons"] = [i18n.message(lang, r) for r in extra["reasons"]]
        messages = [*getattr(self.error, "messages", ()), *getattr(self.error, "reasons", ())]
        if coded := [m for m in messages if isinstance(m, Message)]:
            extra["errors"] = [coded_json(m, lang) for m in coded]
        return extra


def field_error(error: Any, lang: str) -> Any:
    """One of Litestar's field errors, its message's ``lang`` half when it is "中文 / English"."""
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return {**error, "message": i18n.bilingual(error["message"], lang)}
    return error


def problem(
    status: int, *, extra: Callable[[Any], dict[str, Any]] | None = None
) -> Callable[[AnbiaoError], ProblemDetailsException]:
    def convert(exc: AnbiaoError) -> ProblemDetailsException:
        return LocalizedProblem(exc, status, extra=extra(exc) if extra else None)

    return convert


# Litestar's own refusals (no route, wrong method, a malformed body…) by status: coded, so that
# they read in the reader's language like ours
BY_STATUS = {
    400: Message("request.invalid"),
    401: Message("login.required"),
    403: Message("request.forbidden"),
    404: Message("request.no_route"),
    405: Message("request.method_not_allowed"),
    413: Message("request.too_large"),
    429: Message("request.too_many"),
    500: Message("server.internal"),
    503: Message("server.busy"),
}


def status_coded(exc: E) -> E:
    """An HTTP error with its coded message: its own, else the one of its status."""
    if not getattr(exc, "messages", ()):
        status = exc.status_code
        coded(exc, BY_STATUS.get(status) or Message("request.failed", {"status": status}))
    return exc


def http_problem(exc: HTTPException) -> ProblemDetailsException:
    """An HTTP error (404, 401, 405…), its text in the request's language: its coded message,
    else the one of its status."""
    exc = status_coded(exc)
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
    invalid = coded(exc, Message("request.invalid"))
    return LocalizedProblem(invalid, 422 if in_body else 400, extra=exc.extra)


def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Any unexpected error: a problem document, never a traceback."""
    request.logger.exception("unhandled error on %s %s", request.method, request.url.path)
    error = AnbiaoError.of([Message("server.internal")])
    return LocalizedProblem(error, 500).to_response(request)


def coded_json(message: Message, lang: str) -> dict[str, Any]:
    """A coded message for programs and people: its code, its parameters and its text in
    ``lang`` (a problem document's ``errors``, an enterprise's ``warnings``)."""
    params = jsonable(message.params)
    return {"code": message.code, "params": params, "message": i18n.message(lang, message)}


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
