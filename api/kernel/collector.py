"""The cyclic garbage collector tuned for a long-running service.

Reference counting frees almost everything a request makes; the cyclic collector only finds
cycles. With CPython's default thresholds (700, 10, 10) it scans the oldest generation every few
hundred thousand allocations, and a service keeps many long-lived objects (the catalog, composed
checklists, the validated answers kept per assessment, review and application): measured in
process over 150 enterprises' whole workflow, 9 full collections took 1,057 ms, about 117 ms
each, every one a pause of the event loop for every client. With these thresholds the same run
made no full collection and spent 418 ms instead of 1,567 ms in the collector in all
(docs/benchmarks.md, issue 11, session 8).
"""

from __future__ import annotations

import gc

THRESHOLDS = (50_000, 20, 100)  # young objects before a scan; scans before the next generation's


def tune_collector() -> None:
    """Set the service's thresholds (an ``on_startup`` hook: each worker process sets its own)."""
    gc.set_threshold(*THRESHOLDS)
