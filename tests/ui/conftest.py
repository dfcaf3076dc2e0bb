"""The browser tests' shared chromium (one per module)."""

from support_browser import browser

__all__ = ["browser"]
