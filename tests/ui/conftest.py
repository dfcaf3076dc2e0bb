"""The browser tests' shared chromium (one per module), and the guard that no request writes
part of a change (``support_atomic``)."""

from support_atomic import _watched, atomic_requests
from support_browser import browser

__all__ = ["_watched", "atomic_requests", "browser"]
