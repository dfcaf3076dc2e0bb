"""Request bodies are bounded before they are decoded: a JSON body larger than
``JSON_BYTES_MAX`` is a 413 and one nested deeper than ``JSON_DEPTH_MAX`` a 400, each a problem
document naming its limit. (msgspec decodes recursively: 1,000 nested brackets exhausted
Python's stack and answered 500.) The app uses :class:`BoundedRequest` for every request."""

from __future__ import annotations

from array import array
from itertools import accumulate
from typing import Any

from litestar import Request
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.types import Empty

from anbiao.api.kernel.errors import coded
from anbiao.api.kernel.limits import JSON_BYTES_MAX, JSON_DEPTH_MAX
from anbiao.core.errors import Message

# Opening brackets count +1, closing ones -1 (as signed bytes); everything else is dropped.
_SIGN = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKET = bytes(set(range(256)) - set(b"[]{}"))


def depth(body: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest, without decoding it (no recursion,
    linear): escapes and strings are cut out, the brackets left are summed up as they open and
    close. Malformed JSON gets some number; decoding refuses it afterwards."""
    unescaped = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside_strings = b"".join(unescaped.split(b'"')[::2])
    brackets = outside_strings.translate(_SIGN, _NOT_BRACKET)
    return max(accumulate(array("b", brackets)), default=0)


def too_deep(body: bytes, limit: int = JSON_DEPTH_MAX) -> bool:
    """Whether a JSON text nests deeper than ``limit``."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    return depth(body) > limit


def check_json(body: bytes) -> None:
    """Raise the problem a JSON body over a limit deserves."""
    if len(body) > JSON_BYTES_MAX:
        raise coded(
            ProblemDetailsException(
                status_code=413, extra={"limit": "json_bytes", "max": JSON_BYTES_MAX}
            ),
            Message("request.json_too_large", {"max": JSON_BYTES_MAX}),
        )
    if too_deep(body):
        raise coded(
            ProblemDetailsException(
                status_code=400, extra={"limit": "json_depth", "max": JSON_DEPTH_MAX}
            ),
            Message("request.json_too_deep", {"max": JSON_DEPTH_MAX}),
        )


class BoundedRequest(Request[Any, Any, Any]):
    """Litestar's request, with the JSON body checked against the limits before decoding."""

    async def json(self) -> Any:
        if self._json is Empty and self._connection_state.json is Empty:
            check_json(await self.body())
        return await super().json()
