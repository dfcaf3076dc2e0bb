"""What a report's PDF may load: nothing from anywhere, only the report's own ``data:`` URLs
(the findings' photo thumbnails, ``anbiao.api.reports.findings``)."""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

THUMBNAIL_URL = "data:image/jpeg;base64,"


def refuse_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    """What the reports may load: nothing from anywhere; only the report's own ``data:`` URLs
    (the findings' photo thumbnails) are read."""
    if url.startswith(THUMBNAIL_URL):
        from weasyprint.urls import URLFetcherResponse

        content = base64.b64decode(url.removeprefix(THUMBNAIL_URL), validate=True)
        return URLFetcherResponse(url, content, {"Content-Type": "image/jpeg"})
    raise ValueError(f"reports load no external resources: {url[:80]}")


@lru_cache(maxsize=1)
def report_fetcher() -> Any:
    """WeasyPrint's fetcher (it wants an instance of its class) answering as ``refuse_fetch``."""
    from weasyprint.urls import URLFetcher

    class ReportFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            return refuse_fetch(url)

    return ReportFetcher()
