"""One import name: the four design-card folders install as anbiao.* and nothing else."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
FOLDERS = {
    "core": "anbiao.core",
    "plugins": "anbiao.plugins",
    "industry_checklists": "anbiao.industry_checklists",
    "api": "anbiao.api",
}


def test_every_python_folder_is_listed_as_a_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    assert config["package-dir"] == {v: k for k, v in FOLDERS.items()}
    listed = set(config["packages"])
    for folder, package in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            assert ".".join((package, *relative)) in listed, f"{init.parent} missing from packages"


def test_no_root_package_init():
    assert not (ROOT / "__init__.py").exists() and not (ROOT / "tests" / "__init__.py").exists()


CHECK = """
import importlib.util, json, sys
from importlib.resources import files
import anbiao.core, anbiao.plugins, anbiao.industry_checklists, anbiao.api
from anbiao.core.engine import Engine
text = (files("anbiao.industry_checklists") / "base" / "checklist.yaml").read_text(encoding="utf-8")
engine = Engine.from_plugins(load_entrypoints=False)
print(json.dumps({
    "bare": [n for n in ("core", "api", "plugins", "industry_checklists")
             if importlib.util.find_spec(n) is not None],
    "base_text": "kind: base" in text,
    "packs": sorted(engine.catalog.packs),
    "schema": (files("anbiao.industry_checklists") / "schema" / "checklist.schema.json").is_file(),
}))
"""


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = dist.glob("anbiao-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True
    )
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    assert not {"core", "api", "plugins", "industry_checklists"} & {p.name for p in site.iterdir()}
    out = subprocess.run(
        [python, "-c", CHECK], check=True, capture_output=True, text=True, cwd=tmp_path
    ).stdout
    import json

    report = json.loads(out)
    assert report["bare"] == [] and report["base_text"] and report["schema"]
    assert "base" in report["packs"] and len(report["packs"]) >= 13
