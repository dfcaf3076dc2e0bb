"""Response classes shared by the JSON routes."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Response
from litestar.serialization import default_serializer
from litestar.types import Serializer
from pydantic import BaseModel
from pydantic_core import to_json


class ModelResponse(Response[Any]):
    """A pydantic model is written to JSON by pydantic-core in one pass. Litestar's default
    dumps it to Python objects and encodes those again: most of a large response's time."""

    def render(
        self, content: Any, media_type: str, enc_hook: Serializer = default_serializer
    ) -> bytes:
        if isinstance(content, BaseModel) and media_type == MediaType.JSON:
            return to_json(content)
        return super().render(content, media_type, enc_hook)
