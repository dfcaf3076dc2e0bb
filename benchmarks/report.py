"""The tables of docs/benchmarks.md: load per endpoint, goals, surge and its phases."""

from __future__ import annotations

import os
from statistics import median
from typing import Any

from load import Result, Runs

Load = dict[str, dict[str, Runs]]  # database → endpoint → its runs (one per round)

LABELS = {
    "bare": "bare `GET /plain`",
    "ceiling read": "ceiling read: JWT + one Core `select` by key",
    "ceiling write, 50 answers": (
        "ceiling write: JWT + versioned `UPDATE … RETURNING` + audit `INSERT` (50 answers)"
    ),
    "ceiling write, 1 answer": "ceiling write, the same with 1 answer",
    "checklist": "anbiao checklist read `GET /assessments/{id}/checklist`",
    "reviewer queue": "anbiao reviewer queue `GET /applications/?state=under_review`",
    "batch save": "anbiao 50-answer save `PATCH /assessments/{id}/answers`",
    "autosave": "anbiao single-answer autosave (new answer) `PATCH /assessments/{id}/answers`",
    "peer checklist": "peer checklist + answers `GET /compliance-assessments/{id}/checklist/`",
    "peer reviewer queue": "peer reviewer queue `GET /compliance-assessments/?status=in_review`",
    "peer batch save": "peer 50-answer save `PATCH /compliance-assessments/{id}/answers/`",
    "peer autosave": "peer single-answer save (a `to_do` row answered)",
}
# endpoint: (its ceiling, share of the ceiling it must reach), peer operation; 2× the peer
GOALS = {
    "checklist": ("ceiling read", 0.60, "peer checklist"),
    "reviewer queue": ("ceiling read", 0.40, "peer reviewer queue"),
    "batch save": ("ceiling write, 50 answers", 0.40, "peer batch save"),
    "autosave": ("ceiling write, 1 answer", 0.50, "peer autosave"),
}
PEER_FACTOR = 2.0
P99_MS = 100.0


def typical(runs: Runs) -> Result:
    """The run of median requests per second (the lower middle of an even number)."""
    return sorted(runs, key=lambda r: r["rps"])[(len(runs) - 1) // 2]


def spread(values: list[float], form: str) -> str:
    """`` (lowest–highest)`` of several rounds' values, nothing for one."""
    return f" ({min(values):{form}}–{max(values):{form}})" if len(values) > 1 else ""


def load_table(results: Load) -> list[str]:
    rows = [
        "| database | endpoint | requests/s (rounds' range) | p50 | p99 | errors | "
        "CPU/request: server | CPU/request: PostgreSQL | SQL statements/request | response |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for database, endpoints in results.items():
        for name, runs in endpoints.items():
            r = typical(runs)
            errors = int(sum(run["non2xx"] + run["socket_errors"] for run in runs))
            statements = f"{r['statements']:.0f}" if "statements" in r else "–"
            size = f"{r['bytes'] / 1000:,.1f} kB" if "bytes" in r else "–"
            db_cpu = f"{r['cpu_database']:.2f} ms" if database == "postgres" else "–"
            rps = f"{r['rps']:,.0f}{spread([run['rps'] for run in runs], ',.0f')}"
            rows.append(
                f"| {database} | {LABELS[name]} | {rps} | {r['p50']:.1f} ms | "
                f"{r['p99']:.1f} ms | {errors} | {r['cpu_service']:.2f} ms | {db_cpu} | "
                f"{statements} | {size} |"
            )
    return rows


def cpu(r: Result) -> float:
    """CPU milliseconds per request of the server and (PostgreSQL) the database together."""
    return r["cpu_service"] + r["cpu_database"]


def goal_table(results: Load) -> list[str]:
    """Each endpoint against its ceiling and the peer (the peer runs on PostgreSQL only: the
    SQLite rows compare with it too). Against the ceiling, round by round (anbiao's round k
    against the ceiling's round k), the goal judged on the median of the rounds' ratios of
    requests per second; the ratio of CPU per request (server and PostgreSQL) beside it, as it
    depends less on what else the shared machine runs meanwhile. Against the peer (one run),
    anbiao's median round."""
    peer = results.get("postgres", {})
    rows = [
        "| database | endpoint | of its ceiling: requests/s, median (rounds' range) | "
        "by CPU/request | goal | × the peer (PostgreSQL): requests/s | by CPU/request | goal | "
        f"p99 < {P99_MS:.0f} ms |",
        "|---|---|---:|---:|---|---:|---:|---|---|",
    ]
    for database, endpoints in results.items():
        for name, (ceiling, share, peer_name) in GOALS.items():
            if name not in endpoints:
                continue
            pairs = list(zip(endpoints[name], endpoints[ceiling], strict=True))
            shares = [r["rps"] / c["rps"] for r, c in pairs]
            by_cpu = [cpu(c) / cpu(r) for r, c in pairs]
            of_ceiling = median(shares)
            met = "met" if of_ceiling >= share else f"missed ({of_ceiling / share:.0%} of it)"
            r = typical(endpoints[name])
            if peer_name in peer:
                other = typical(peer[peer_name])
                factor = r["rps"] / other["rps"]
                verdict = "met" if factor >= PEER_FACTOR else "missed"
                vs_peer = f"{factor:.2f}× | {cpu(other) / cpu(r):.2f}×"
                peer_goal = f"≥ {PEER_FACTOR:.0f}× {verdict}"
            else:
                vs_peer, peer_goal = "– | –", ""
            p99 = "met" if r["p99"] < P99_MS else f"missed ({r['p99']:.0f} ms)"
            rows.append(
                f"| {database} | {name} | {of_ceiling:.1%}{spread(shares, '.0%')} | "
                f"{median(by_cpu):.1%}{spread(by_cpu, '.0%')} | ≥ {share:.0%} {met} | "
                f"{vs_peer} | {peer_goal} | {p99} |"
            )
    return rows


def surge_table(results: dict[str, dict[str, Any]]) -> list[str]:
    rows = [
        "| database | enterprises | saves each | wall time | of it sign-up (argon2) | "
        "without sign-up | requests | requests/s | 500s, retried | checks |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, r in results.items():
        total = sum(r["phases"].values())
        signup = r["phases"]["sign-up (argon2)"]
        c, enterprises = r["checks"], r["enterprises"]
        ok = (
            c["publicity"] == c["applications"] == enterprises
            and c["answers_exact"]
            and c["reviews_exact"]
            and c["events_exact"]
            and c["answers_stored"] == c["answers_sent"]
        )
        checks = (
            f"{'all passed' if ok else 'FAILED'}: {c['publicity']:,} of "
            f"{c['applications']:,} in publicity; answers {c['answers_stored']:,} stored / "
            f"{c['answers_sent']:,} sent; events {c['events']:,} / "
            f"{c['events_expected']:,} expected"
        )
        rows.append(
            f"| {label} | {enterprises:,} | {r['saves']} × ≤ {r['size']} | **{total:.1f} s** | "
            f"{signup:.1f} s | **{total - signup:.1f} s** | {r['requests']:,} | "
            f"{r['requests'] / total:,.0f} | {r['server_errors']:,} | {checks} |"
        )
    return rows


def ceiling_table(results: dict[str, dict[str, Any]]) -> list[str]:
    """Each surge after its sign-ups against the DB-backed ceiling taking as many requests per
    enterprise: wall time, and CPU per enterprise of the service and the database server."""
    rows = [
        "| surge | requests per enterprise | wall: anbiao | wall: ceiling | anbiao ÷ ceiling | "
        "service CPU per enterprise: anbiao / ceiling | database CPU per enterprise: "
        "anbiao / ceiling |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, r in results.items():
        ceiling, enterprises = r["ceiling"], r["enterprises"]
        phases = [name for name in r["phases"] if name != "sign-up (argon2)"]
        wall = sum(r["phases"][name] for name in phases)
        per = {
            role: (
                sum(r["cpu"][name][role] for name in phases) * 1000 / enterprises,
                ceiling["cpu"][role] * 1000 / enterprises,
            )
            for role in ("service", "database")
        }
        service, database = per["service"], per["database"]
        rows.append(
            f"| {label} | {ceiling['requests'] / enterprises:.0f} | {wall:.1f} s | "
            f"{ceiling['wall']:.1f} s | {wall / ceiling['wall']:.2f}× | "
            f"{service[0]:.1f} / {service[1]:.1f} ms | {database[0]:.1f} / {database[1]:.1f} ms |"
        )
    return rows


def phase_table(results: dict[str, dict[str, Any]]) -> list[str]:
    """Wall time and CPU seconds of each phase: service workers, database server, client."""
    rows = [
        "| surge | phase | wall | CPU: service | CPU: database server | CPU: client | "
        "service CPU per enterprise |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for label, r in results.items():
        for name, wall in r["phases"].items():
            used = r["cpu"][name]
            per = used["service"] * 1000 / r["enterprises"]
            rows.append(
                f"| {label} | {name} | {wall:.1f} s | {used['service']:.1f} s | "
                f"{used['database']:.1f} s | {used['client']:.1f} s | {per:.1f} ms |"
            )
    return rows


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())
