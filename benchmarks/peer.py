"""The peer (issue 11, yardstick 3): CISO Assistant's way, Django + DRF in ``peer_django/``.

Its own virtual environment (``build/peer-venv``, made from ``peer_django/requirements.txt`` on
first use), its own PostgreSQL database (``peer_bench``), seeded with the sizes of anbiao's load
test; served as CISO Assistant's ``backend/startup.sh`` serves it — gunicorn's default (sync)
worker class, ``--timeout 100 --keep-alive 30 --limit-request-line 5120`` — but with one
worker pinned to core 0 like anbiao's (CISO Assistant's default is 3 workers).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from load import Plans, Result, Writes, measure_get, measure_patch
from servers import BENCH_DATABASES, HERE, Served, free_port, pinned, recreate_pg, server
from workflow import REVIEWERS, Answers, Firm

PROJECT = HERE / "peer_django"
VENV = HERE.parent / "build" / "peer-venv"
PYTHON = VENV / "bin" / "python"
DATABASE = BENCH_DATABASES[1]
PEER = Writes(
    "/api/compliance-assessments/", "/answers/", lambda i: f"/api/compliance-assessments/{i}/"
)


def ensure_venv() -> None:
    """The peer's virtual environment, made once (pip from PyPI)."""
    if PYTHON.exists():
        return
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    requirements = PROJECT / "requirements.txt"
    subprocess.run([str(PYTHON), "-m", "pip", "install", "-q", "-r", str(requirements)], check=True)


def environment(pg_base: str) -> dict[str, str]:
    """The peer's database settings, on the PostgreSQL server of ``pg_base``."""
    host = pg_base.split("@", 1)[1].split("/", 1)[0]
    user = pg_base.split("://", 1)[1].split("@", 1)[0]
    name, _, port = host.partition(":")
    return {
        "PEER_DATABASE": DATABASE,
        "PEER_DATABASE_HOST": name,
        "PEER_DATABASE_PORT": port or "5432",
        "PEER_DATABASE_USER": user,
    }


def manage(env: dict[str, str], *args: str) -> str:
    import os

    return subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=PROJECT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def node(item: Any) -> dict[str, Any]:
    """A core ``Item`` as CISO Assistant's ``RequirementNode``: the Chinese text in its fields
    (one language, as anbiao's checklist sends), the deductions in ``questions``."""
    data = item.model_dump(mode="json", exclude_none=True)

    def text(key: str, language: str) -> str:
        return str(data.get(key, {}).get(language, ""))

    return {
        "urn": item.id,
        "ref_id": item.id.rsplit(".", 1)[-1],
        "name": text("requirement", "zh_CN")[:200],
        "description": text("requirement", "zh_CN"),
        "annotation": text("guidance", "zh_CN"),
        "typical_evidence": text("evidence", "zh_CN"),
        "questions": {"max_score": data["max_score"], "deductions": data.get("deductions", [])},
    }


def seed(folder: Path, pg_base: str, answers: Answers, firms: int) -> tuple[dict[str, str], Plans]:
    """A fresh ``peer_bench`` database, migrated and seeded; the plans for wrk."""
    ensure_venv()
    asyncio.run(recreate_pg(pg_base, DATABASE))
    env = environment(pg_base)
    manage(env, "migrate", "-v0")
    spec, out = folder / "peer-spec.json", folder / "peer-plan.json"
    data = {
        "nodes": [node(i) for i in answers.items],
        "firms": firms,
        "reviewers": REVIEWERS,
        "answers": answers.full,
    }
    spec.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    manage(env, "seed_peer", str(spec), str(out))
    seeded = json.loads(out.read_text(encoding="utf-8"))
    filled = [
        Firm(n, f["token"], assessment_id=f["assessment"]) for n, f in enumerate(seeded["firms"])
    ]
    fresh = [Firm(n, f["token"], assessment_id=f["fresh"]) for n, f in enumerate(seeded["firms"])]
    return env, Plans(filled, filled, fresh, seeded["queue"], answers)


def peer_server(env: dict[str, str], cwd: Path, pin: str) -> AbstractContextManager[Served]:
    port = free_port()
    command = [str(VENV / "bin" / "gunicorn"), "--chdir", str(PROJECT)]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "100"]
    command += ["--keep-alive", "30", "--limit-request-line", "5120", "--log-level", "warning"]
    command += ["peer.wsgi:application"]
    return server(pinned(command, pin), "/api/compliance-assessments/", port, env, cwd)


def peer_load(
    served: Served, folder: Path, plans: Plans, seconds: int, connections: int
) -> dict[str, Result]:
    """The three operations and a single-answer save of a new assessment's ``to_do`` row (an
    update: CISO Assistant creates every row with the assessment)."""
    spare = connections + connections // 2
    checklist = [
        (f"/api/compliance-assessments/{f.assessment_id}/checklist/", f.token)
        for f in plans.patch[:connections]
    ]
    queue = [("/api/compliance-assessments/?status=in_review", t) for t in plans.queue]
    toggle, singles = plans.answers.toggle, plans.answers.singles
    return {
        "peer checklist": measure_get(served, folder, checklist, seconds, connections),
        "peer reviewer queue": measure_get(served, folder, queue, seconds, connections),
        "peer batch save": measure_patch(
            served, folder, PEER, toggle, plans.patch[:spare], seconds, connections
        ),
        "peer autosave": measure_patch(
            served, folder, PEER, singles, plans.fresh, seconds, connections
        ),
    }


def peer_statements(env: dict[str, str], folder: Path, plans: Plans) -> dict[str, tuple[int, int]]:
    """Counted by the peer's ``count_statements`` command (Django's query capture)."""
    last, fresh = plans.patch[-1], plans.fresh[-1]  # the save pool lacks it; last items unanswered
    plan = {
        "firms": [
            {"assessment": last.assessment_id, "fresh": fresh.assessment_id, "token": last.token}
        ],
        "queue": plans.queue,
    }
    toggle = plans.answers.toggle
    sets = [[toggle[1], toggle[0], toggle[1]], plans.answers.singles[-3:]]
    (folder / "peer-count.json").write_text(json.dumps(plan), encoding="utf-8")
    (folder / "peer-sets.json").write_text(json.dumps(sets, ensure_ascii=False), encoding="utf-8")
    out = manage(
        env, "count_statements", str(folder / "peer-count.json"), str(folder / "peer-sets.json")
    )
    counted = json.loads(out.strip().splitlines()[-1])
    return {f"peer {k}": (statements, size) for k, (statements, size) in counted.items()}
