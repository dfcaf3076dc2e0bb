"""Reports (issue #5): the self-assessment report (自评报告), the review report (评审报告) and
the certificate (证书), as PDF (WeasyPrint) and XLSX (openpyxl), in Simplified Chinese or English.

Two steps, so that the browser UI and the API share them:

* **gathering** (``anbiao.api.reports.context``: ``assessment_report``, ``application_report``,
  ``certificate_report``): a plain,
  picklable dict built from the database and the engine — the engine decides every score;
* **rendering** (``render_pdf``, ``render_xlsx``): from that dict only. A PDF costs ~1 s of CPU,
  so the service renders it in a separate process (``pdf_off_loop``) and the event loop stays
  free; see docs/reports.md for the measurements.
"""

from __future__ import annotations

import asyncio
import io
import logging
import multiprocessing
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from anbiao.api.reports.plan import PLAN_COLUMNS, plan_cells
from anbiao.api.reports.sections import Context

if TYPE_CHECKING:
    from openpyxl import Workbook  # imported on first use at run time

TEMPLATES = Path(__file__).parent / "templates" / "reports"


# --- gathering ------------------------------------------------------------------------------------


# --- rendering ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _jinja() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["d"] = lambda v: "—" if v is None else str(v)  # an empty value reads as a dash
    return env


def render_html(context: Context) -> str:
    """The report's HTML (the template named after ``context["kind"]``)."""
    return _jinja().get_template(f"{context['kind']}.html").render(**context)


def refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint's URL fetcher for reports: nothing is ever fetched."""
    raise ValueError(f"reports load no external resources: {url[:80]}")


def render_pdf(context: Context, url_fetcher: Callable[..., Any] = refuse_fetch) -> bytes:
    """The report as an A4 PDF with embedded, subset CJK fonts (CPU-bound: ~1 s)."""
    from weasyprint import HTML  # imported on first use: it is heavy

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # a line per page
    pdf: bytes = HTML(string=render_html(context), url_fetcher=url_fetcher).write_pdf()
    return pdf


_POOL: ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _warm_up() -> None:
    """Worker initialiser: import WeasyPrint once, before the first report."""
    import weasyprint  # noqa: F401


def _pool() -> ProcessPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            # spawn, not fork: the server process runs threads (fork could copy a held lock)
            _POOL = ProcessPoolExecutor(
                max_workers=1, initializer=_warm_up, mp_context=multiprocessing.get_context("spawn")
            )
        return _POOL


def shutdown_report_pool() -> None:
    """Stop the PDF worker process (an ``on_shutdown`` hook); the next report starts a new one."""
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


PdfMode = Literal["process", "thread"]
PDF_MODE: PdfMode = "process"  # measured in benchmarks/bench_reports.py: see docs/reports.md


async def pdf_off_loop(context: Context, *, mode: PdfMode | None = None) -> bytes:
    """Render a PDF without blocking the event loop: in the worker process (default) or in a
    thread (which holds the GIL most of the time, so other requests slow down)."""
    if (mode or PDF_MODE) == "thread":
        return await asyncio.to_thread(render_pdf, context)
    try:
        return await asyncio.wrap_future(_pool().submit(render_pdf, context))
    except BrokenProcessPool:  # the worker died (killed, out of memory): start a new one, once
        shutdown_report_pool()
        return await asyncio.wrap_future(_pool().submit(render_pdf, context))


async def xlsx_off_loop(context: Context) -> bytes:
    """Render a workbook in a thread (tens of milliseconds)."""
    return await asyncio.to_thread(render_xlsx, context)


def report_section(context: Context) -> Context:
    """The scoring a report's item tables show: the review's in a review report once reviewers
    scored, else the self-assessment's."""
    section: Context = context.get("review") or context["result"]
    return section


def render_xlsx(context: Context) -> bytes:
    """The report as a workbook: summary, items (with deductions and reasons), deduction summary,
    hazards, the action plan, and for a review report the self-vs-review comparison; the action
    plan's own workbook has the summary and the plan."""
    from openpyxl import Workbook

    t, book = context["t"], Workbook()
    summary = book.worksheets[0]  # the sheet a new workbook opens on
    summary.title = t["sheet_summary"]
    _rows(summary, [t["key"], t["value"]], _summary_rows(context), widths=(28, 80))
    if context["kind"] == "certificate":
        return _save(book)
    if context["kind"] != "plan":
        section = report_section(context)
        _items_sheet(book, section, t)
        _deductions_sheet(book, section, t)
        _hazards_sheet(book, context["hazards"], t)
    if "plan" in context:  # the action plan's own workbook, and the self-assessment's
        header, widths = zip(*PLAN_COLUMNS, strict=True)
        rows = [plan_cells(row, t) for row in context["plan"]]
        _rows(book.create_sheet(t["sheet_plan"]), [t[k] for k in header], rows, widths)
    if context["kind"] == "application":
        _comparison_sheet(book, context["comparison"], t)
    return _save(book)


def _items_sheet(book: Workbook, section: Context, t: dict[str, str]) -> None:
    _rows(
        book.create_sheet(t["sheet_items"]),
        [
            t["item"],
            t["element"],
            t["requirement"],
            t["status"],
            t["max_score"],
            t["earned"],
            t["lost"],
            t["deductions"],
            t["deduction_ids"],
            t["note"],
            t["veto"],
        ],
        [
            [
                r["id"],
                f"{r['element']} {r['element_title']}",
                r["requirement"],
                r["status_label"],
                r["max_score"],
                r["earned"],
                r["lost"],
                _reasons(r["deductions"], t),
                ", ".join(d["id"] for d in r["deductions"]),
                r["note"],
                t["yes"] if r["veto"] else "",
            ]
            for r in section["items"]
        ],
        widths=(22, 24, 60, 10, 8, 8, 8, 50, 24, 40, 8),
    )


def _deductions_sheet(book: Workbook, section: Context, t: dict[str, str]) -> None:
    _rows(
        book.create_sheet(t["sheet_deductions"]),
        [t["item"], t["requirement"], t["reason"], t["times"], t["lost"], t["note"]],
        [
            [r["id"], r["requirement"], d["reason"], d["times"], d["points"], r["note"]]
            for r in section["summary"]
            for d in r["reasons"]
        ],
        widths=(22, 60, 50, 8, 8, 40),
    )


def _hazards_sheet(book: Workbook, hazards: list[Context], t: dict[str, str]) -> None:
    _rows(
        book.create_sheet(t["sheet_hazards"]),
        [
            t["item"],
            t["requirement"],
            t["description"],
            t["level"],
            t["source"],
            t["state"],
            t["owner"],
            t["measures"],
            t["deadline"],
            t["evidence"],
            t["overdue"],
        ],
        [
            [
                h["item_id"],
                h["requirement"],
                h["description"],
                h["level_label"],
                h["source_label"],
                h["state_label"],
                h["owner"],
                h["measures"],
                h["deadline"],
                h["evidence"],
                t["yes"] if h["overdue"] else "",
            ]
            for h in hazards
        ],
        widths=(22, 50, 40, 10, 10, 10, 12, 40, 12, 6, 8),
    )


def _comparison_sheet(book: Workbook, c: Context, t: dict[str, str]) -> None:
    _rows(
        book.create_sheet(t["sheet_comparison"]),
        [
            t["item"],
            t["requirement"],
            f"{t['self']} {t['status']}",
            f"{t['self']} {t['earned']}",
            f"{t['review']} {t['status']}",
            f"{t['review']} {t['earned']}",
            t["delta"],
        ],
        [
            [
                r["item_id"],
                r["requirement"],
                r["self_label"],
                r["self_earned"],
                r["review_label"],
                r["review_earned"],
                r["delta"],
            ]
            for r in c["items"]
        ],
        widths=(22, 60, 12, 10, 12, 10, 8),
    )


def _reasons(deductions: list[Context], t: dict[str, str]) -> str:
    return "\n".join(
        f"{d['reason']}"
        + (f" ×{d['times']}" if d["times"] > 1 else "")
        + f"（−{d['points']}{t['points']}）"
        for d in deductions
    )


def _summary_rows(context: Context) -> list[list[Any]]:
    t = context["t"]
    rows: list[list[Any]] = [
        [t[f"{context['kind']}_title"], ""],
        [t["generated"], context["generated_on"]],
    ]
    if context["kind"] == "certificate":
        return rows + _certificate_rows(context, t)
    e, checklist = context["enterprise"], context["checklist"]
    rows += [
        [t["name"], e["name"]],
        [t["uscc"], e["uscc"]],
        [t["region"], e["region"]],
        [t["industry"], e["industry"]],
        [t["size"], e["size_label"]],
        [t["employees"], e["employees"]],
        [t["hazard_modules"], "、".join(e["hazard_modules"]) or t["none"]],
        [
            t["checklist"],
            "; ".join(f"{p['title']} ({p['id']} {p['version']})" for p in checklist["packs"]),
        ],
        [
            t["fingerprint"],
            checklist["fingerprint"] + ("" if checklist["current"] else t["outdated"]),
        ],
    ]
    for key, section in (
        ("totals", context.get("result")),
        ("review_totals", context.get("review")),
    ):
        if section is not None:
            rows += _totals_rows(key, section, t)
    if context["kind"] == "application":
        a = context["application"]
        rows += [
            [t["application_state"], a["state_label"]],
            [t["cycle"], a["cycle"]],
            [t["submitted_on"], a["submitted_on"]],
            [t["due_on"], a["due_on"]],
            [t["conclusion"], context["conclusion"]["text"]],
            [t["reviewers"], "、".join(r["name"] for r in context["reviewers"])],
        ]
        rows += [[f"{ev['date']} {ev['label']}", ev["actor"]] for ev in context["timeline"]]
    return rows


def _certificate_rows(context: Context, t: dict[str, str]) -> list[list[Any]]:
    c = context["certificate"]
    return [
        [t["number"], c["number"]],
        [t["name"], c["enterprise_name"]],
        [t["uscc"], c["uscc"]],
        [t["grade"], c["grade"]],
        [t["issued_on"], c["issued_on"]],
        [t["valid_until"], c["valid_until"]],
        [t["certificate_status"], c["status_label"]],
        [t["verify"], context["verify_url"]],
    ]


def _totals_rows(key: str, section: Context, t: dict[str, str]) -> list[list[Any]]:
    s = section["totals"]
    return [
        [t[key], ""],
        [t["earned"], s["earned"]],
        [t["applicable"], s["applicable"]],
        [t["percentage"], f"{s['percentage']}%"],
        [t["result"], s["result_label"]],
        [t["vetoes"], ", ".join(v["id"] for v in section["vetoes"]) or t["none"]],
        [t["eligible"], t["eligible_yes"] if s["eligible"] else t["eligible_no"]],
        *([t["why_not"], reason] for reason in s["ineligible"]),
    ]


def _rows(
    sheet: Any, header: list[str], rows: Iterable[list[Any]], widths: tuple[int, ...]
) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(["" if v is None else v for v in row])
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _save(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
