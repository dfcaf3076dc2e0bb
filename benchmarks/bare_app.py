"""The bare Litestar app of the service benchmark: one JSON route, default settings.

Uvicorn runs it as a factory (``bare_app:create_app``) with the settings of ``anbiao serve``.
"""

from __future__ import annotations

from litestar import Litestar, get


@get("/plain")
async def plain() -> dict[str, str]:
    """The ceiling: a JSON response and nothing else."""
    return {"hello": "world"}


def create_app() -> Litestar:
    return Litestar(route_handlers=[plain])
