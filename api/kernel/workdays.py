"""Deadlines in Chinese working days (工作日): weekends, public holidays and adjusted workdays.

Holiday data comes from the ``chinese-calendar`` package, which covers the years the State Council
has announced. Beyond them only weekends are skipped, and ``covered()`` says so, so that a deadline
computed on assumed data can be flagged.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=4096)  # a deadline walks up to ~30 days per request; the data never changes
def is_workday(day: date) -> bool:
    """A working day: announced holidays and adjusted workdays where known, else Mon–Fri."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def covered(day: date) -> bool:
    """Whether the holiday data covers ``day``'s year."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_workday(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when end is earlier)."""
    sign = 1 if end >= start else -1
    low, high = (start, end) if sign == 1 else (end, start)
    count = sum(1 for n in range(1, (high - low).days + 1) if is_workday(low + timedelta(days=n)))
    return sign * count
