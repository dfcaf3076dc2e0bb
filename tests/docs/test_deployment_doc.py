"""docs/deployment.md shows the nginx configuration the scale-out test runs, and every setting."""

from __future__ import annotations

import re
from pathlib import Path

from anbiao.api.kernel.settings import Settings
from anbiao.api.kernel.storage import StorageSettings

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")


def test_the_nginx_configuration_is_the_tested_one():
    shown = re.search(r"<!-- BEGIN nginx.conf -->\n```nginx\n(.*?)```\n<!-- END", DOC, re.S)
    assert shown, "docs/deployment.md lacks the nginx.conf block"
    assert shown.group(1) == (ROOT / "tests" / "scaleout" / "nginx.conf").read_text()


def test_every_setting_says_whether_it_must_be_equal_on_every_host():
    for model in (Settings, StorageSettings):
        for name in model.model_fields:
            assert f"ANBIAO_{name.upper()}" in DOC, f"docs/deployment.md: ANBIAO_{name.upper()}"
