"""Report benchmark: time to render each PDF, and how fast a cheap request (``/health``) stays
while PDFs render — on the event loop (baseline), in a thread, or in the worker process.

Run: ``.venv/bin/python benchmarks/bench_reports.py [--rounds 3] [--seconds 8]``.

For each mode a uvicorn server runs in its own process (seeded through the test helpers with an
enterprise taken all the way to a certificate); this process is the client. Absolute times vary
with the machine's load; compare the modes within one run. Results go to stdout only (the figures
are quoted in docs/reports.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from bench_service import free_port, wait_ready  # a sibling script in benchmarks/

ROOT = Path(__file__).parents[1]
MODES = ("inline", "thread", "process")


def serve(mode: str, port: int, folder: Path) -> None:
    """The server side: seed a database, then serve it with PDFs rendered in ``mode``."""
    sys.path.insert(0, str(ROOT / "tests"))
    import uvicorn
    from litestar.testing import TestClient
    from support_api import (
        Api,
        Clock,
        act,
        answer_all,
        fresh_database,
        make_app,
        setup_authority,
        start,
    )

    from anbiao.api.reports import render as reports
    from anbiao.core.engine import Engine

    if mode == "inline":  # the baseline: render on the event loop

        async def inline(context, *, mode=None):
            return reports.render_pdf(context)

        reports.pdf_off_loop = inline
    else:
        reports.PDF_MODE = mode
    engine, clock = Engine.from_plugins(load_entrypoints=False), Clock()
    url = fresh_database(folder, f"bench_{mode}")
    with TestClient(make_app(url, engine, clock)) as client:
        api = Api(client, clock)
        ids = _to_certificate(api, clock, act, answer_all, setup_authority, start)
        ids["tokens"] = {e: api.login(e)["Authorization"] for e in ("ent@fz.cn", "admin@fz.gov")}
        with client.portal() as portal:
            ids["certificate"] = portal.call(_certificate_number, client.app)
    (folder / "ids.json").write_text(json.dumps(ids))
    uvicorn.run(make_app(url, engine, clock), host="127.0.0.1", port=port, log_level="error")


def _to_certificate(api, clock, act, answer_all, setup_authority, start) -> dict:
    setup_authority(api)
    _, assessment = start(api, consultant="示例咨询")
    checklist = api.call("GET", f"/api/v1/assessments/{assessment['id']}/checklist", "ent@fz.cn")
    first = checklist["elements"][0]["elements"][0]["items"][0]
    answer_all(
        api,
        "ent@fz.cn",
        assessment,
        **{
            first["id"]: {
                "status": "partial",
                "deductions": [first["deductions"][0]["id"]],
                "note": "基准",
            }
        },
    )
    app = api.call(
        "POST", f"/api/v1/assessments/{assessment['id']}/applications", "ent@fz.cn", expect=201
    )
    app = act(api, app, "submit", "ent@fz.cn")
    app = act(api, app, "accept", "admin@fz.gov")
    reviewers = {
        r["name"]: r["id"]
        for r in api.call("GET", f"/api/v1/applications/{app['id']}/candidates", "admin@fz.gov")
    }
    app = act(api, app, "assign", "admin@fz.gov", reviewer_ids=[reviewers["r1"], reviewers["r2"]])
    api.call(
        "PUT",
        f"/api/v1/applications/{app['id']}/review",
        "r1@experts.cn",
        json={
            "answers": {
                checklist["elements"][0]["elements"][1]["items"][0]["id"]: {
                    "status": "non_compliant"
                }
            }
        },
    )
    app = act(api, app, "conclude_pass", "r1@experts.cn")
    app = act(api, app, "approve", "admin@fz.gov")
    clock.advance(14)
    act(api, app, "certify", "admin@fz.gov")
    return {"assessment": assessment["id"], "application": app["id"]}


async def _certificate_number(app) -> str:
    from sqlalchemy import select

    from anbiao.api.kernel.models import Certificate

    async with app.state.db_config.get_session() as session:
        return (await session.scalars(select(Certificate.number))).one()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(mode: str, rounds: int, seconds: float) -> dict:
    """Start a server in ``mode`` and measure it from this process."""
    folder = Path(tempfile.mkdtemp(prefix=f"bench_reports_{mode}_"))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", mode, "--port", str(port), "--folder", str(folder)],
        cwd=ROOT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(f"{base}/health", server, timeout=120)  # ids.json is written before serving
        with httpx.Client(base_url=base, timeout=120) as client:
            ids = json.loads((folder / "ids.json").read_text())
            owner = {"Authorization": ids["tokens"]["ent@fz.cn"]}
            number = ids["certificate"]
            urls = {
                "self-assessment PDF": f"/api/v1/assessments/{ids['assessment']}/report",
                "review PDF": f"/api/v1/applications/{ids['application']}/report",
                "certificate PDF": f"/api/v1/certificates/{number}/pdf",
                "self-assessment XLSX": f"/api/v1/assessments/{ids['assessment']}/report"
                "?format=xlsx",
            }
            first = _timed(client, urls["self-assessment PDF"], owner)  # cold: starts the worker
            render = {
                name: [_timed(client, url, owner) for _ in range(rounds)]
                for name, url in urls.items()
            }
            idle = _pings(client, seconds / 2, busy=None)
            busy = _pings(client, seconds, busy=(base, urls["self-assessment PDF"], owner))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    return {"mode": mode, "cold": first, "render": render, "idle": idle, "busy": busy}


def _timed(client: httpx.Client, url: str, headers: dict) -> float:
    start = time.perf_counter()
    r = client.get(url, headers=headers)
    assert r.status_code == 200, f"{url}: {r.status_code} {r.text[:300]}"
    return time.perf_counter() - start


def _pings(client: httpx.Client, seconds: float, busy: tuple | None) -> dict:
    """/health latencies for ``seconds``, while two clients fetch PDFs back to back (if busy)."""
    stop = threading.Event()
    done: list[float] = []
    failed: list[float] = []

    def load() -> None:
        base, url, headers = busy
        with httpx.Client(base_url=base, timeout=120) as other:
            while not stop.is_set():
                start = time.perf_counter()
                r = other.get(url, headers=headers)
                (done if r.status_code == 200 else failed).append(time.perf_counter() - start)

    workers = [threading.Thread(target=load) for _ in range(2 if busy else 0)]
    for w in workers:
        w.start()
    latencies = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        assert client.get("/health").status_code == 200
        latencies.append(time.perf_counter() - start)
        time.sleep(0.02)
    stop.set()
    for w in workers:
        w.join()
    return {
        "n": len(latencies),
        "p50": statistics.median(latencies),
        "p95": _percentile(latencies, 0.95),
        "max": max(latencies),
        "pdfs": len(done),
        "failed": len(failed),
        "pdf_mean": statistics.mean(done) if done else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="renders per report kind")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of the busy phase")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--serve", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.folder)
        return
    print(f"CPUs: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    for mode in args.modes.split(","):
        r = measure(mode, args.rounds, args.seconds)
        print(f"\n== {mode} ==")
        print(f"first self-assessment PDF (cold): {r['cold']:.2f} s")
        for name, times in r["render"].items():
            print(
                f"{name:22} median {statistics.median(times):.2f} s  "
                f"(min {min(times):.2f}, max {max(times):.2f})"
            )
        for phase in ("idle", "busy"):
            p = r[phase]
            extra = (
                f"; {p['pdfs']} PDFs, {p['pdf_mean']:.2f} s each, {p['failed']} failed"
                if p["pdfs"]
                else ""
            )
            print(
                f"/health {phase:4}: p50 {p['p50'] * 1000:.0f} ms, p95 {p['p95'] * 1000:.0f} "
                f"ms, max {p['max'] * 1000:.0f} ms (n={p['n']}){extra}"
            )


if __name__ == "__main__":  # required: the PDF worker process is spawned and imports this file
    main()
