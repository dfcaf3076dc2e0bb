"""The dependency rule of docs/architecture.md, checked over the source (every import, also
those inside functions): the engine knows no plugin and no service, the kernel no slice, and a
slice only the slices before it in the data flow."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {"core": "anbiao.core", "plugins": "anbiao.plugins", "api": "anbiao.api"}
# The data flow: profile → compose → answers → score → application → review → certificate.
SLICES = [
    "accounts",
    "enterprises",
    "assessments",
    "applications",
    "certificates",
    "statistics",
    "reports",
]


def module_of(path: Path) -> str:
    folder, *rest = path.relative_to(ROOT).with_suffix("").parts
    return ".".join([PACKAGES[folder], *rest]).removesuffix(".__init__")


def imports(path: Path) -> set[str]:
    """Every ``anbiao.…`` module the file imports (relative imports resolved)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module_of(path).split(".")[: -node.level]
                base = ".".join([*parent, base] if base else parent)
            found |= {base} | {f"{base}.{a.name}" for a in node.names}
    return {m for m in found if m.startswith("anbiao.")}


def sources() -> list[Path]:
    return sorted(p for folder in PACKAGES for p in (ROOT / folder).rglob("*.py"))


def allowed(importer: str, imported: str) -> bool:
    if imported.startswith("anbiao.industry_checklists") or imported == importer:
        return True
    layer = importer.split(".")
    if layer[1] == "core":
        return imported.startswith("anbiao.core")
    if layer[1] == "plugins":
        return not imported.startswith("anbiao.api")
    if len(layer) < 3 or layer[2] not in ("kernel", *SLICES):
        return True  # the app factory, the CLI, the demo seed and migrations assemble everything
    target = imported.split(".")
    if target[1] != "api":
        return target[1] == "core"  # the service uses the engine, never a plugin directly
    if len(target) < 3:
        return True  # ``from anbiao.api import x`` names the module x, checked on its own
    if layer[2] == "kernel":
        return target[2] == "kernel"
    own = SLICES.index(layer[2])
    return target[2] == "kernel" or (target[2] in SLICES and SLICES.index(target[2]) <= own)


def test_every_import_follows_the_data_flow():
    broken = [
        f"{module_of(p)} imports {m}"
        for p in sources()
        for m in sorted(imports(p))
        if not allowed(module_of(p), m)
    ]
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize(
    ("importer", "imported", "ok"),
    [
        ("anbiao.core.engine", "anbiao.api.kernel.models", False),
        ("anbiao.core.engine", "anbiao.plugins.default_scoring", False),
        ("anbiao.plugins.default_risk", "anbiao.api.statistics.routes", False),
        ("anbiao.api.kernel.access", "anbiao.api.assessments.service", False),
        ("anbiao.api.assessments.service", "anbiao.api.applications.rules", False),
        ("anbiao.api.applications.service", "anbiao.api.assessments.service", True),
        ("anbiao.api.reports.context", "anbiao.api.applications.review", True),
        ("anbiao.api.app", "anbiao.api.reports.routes", True),
        ("anbiao.api.enterprises.pages", "anbiao.plugins.default_profile", False),
    ],
)
def test_the_rule_itself(importer, imported, ok):
    assert allowed(importer, imported) is ok


def test_every_slice_is_a_folder_of_the_service():
    folders = {p.name for p in (ROOT / "api").iterdir() if (p / "__init__.py").exists()}
    assert folders == {"kernel", "migrations", *SLICES}
