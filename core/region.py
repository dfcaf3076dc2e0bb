"""Administrative division codes (行政区划代码, GB/T 2260): structural validation only.

County-level lists change every year; the structure check here never rejects a real code. A region
plugin may add stricter checks through the ``validate_profile`` hook.
"""

from __future__ import annotations

# One row per major area (the first digit of GB/T 2260): 华北, 东北, 华东, 中南, 西南, 西北, 台港澳.
# fmt: off
PROVINCES = frozenset([
    "11", "12", "13", "14", "15",
    "21", "22", "23",
    "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46",
    "50", "51", "52", "53", "54",
    "61", "62", "63", "64", "65",
    "71", "81", "82",
])
# fmt: on


def region_error(code: str) -> str | None:
    """Why ``code`` is not a structurally valid 6-digit region code, or None."""
    if len(code) != 6 or not code.isdigit():
        return "须为 6 位数字的行政区划代码 / must be a 6-digit GB/T 2260 code, e.g. 350102"
    if code[:2] not in PROVINCES:
        return f"省级代码 {code[:2]} 不存在 / no province has code {code[:2]}"
    if code[2:4] == "00" and code[4:6] != "00":
        return "地级代码为 00 时县级代码也须为 00 / county digits need a prefecture"
    return None


def region_prefixes(code: str) -> tuple[str, str, str]:
    """Province, prefecture and county prefixes of a code: '35', '3501', '350102'."""
    return code[:2], code[:4], code
