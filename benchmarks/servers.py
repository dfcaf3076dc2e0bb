"""Servers and databases of the service benchmark: start, probe, stop, pin; CPU from /proc."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import create_async_engine

HERE = Path(__file__).parent
PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
PG_BENCH_DB = "anbiao_bench"
PG_SURGE_DB = "anbiao_surge"  # a database of its own: a surge may run beside a load test
BENCH_DATABASES = (PG_BENCH_DB, "peer_bench")
SECRET = "bench-secret-key-0123456789abcdef"
CPU_ROLES = ("service", "database", "client")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    """Poll ``url`` until it answers (bounded); fail if the server exits or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code in (200, 401):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling interval, not synchronisation
    raise RuntimeError(f"{url} not ready after {timeout:.0f} s")


@dataclass(frozen=True, slots=True)
class Served:
    base: str  # URL
    session: int  # the server's session id: it and its workers


@contextmanager
def server(
    command: list[str], probe: str, port: int, env: dict[str, str], cwd: Path
) -> Iterator[Served]:
    """Run a server in a session of its own; yield it; stop the session's group afterwards."""
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=cwd, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base + probe, process)
        yield Served(base, process.pid)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def pinned(command: list[str], cpus: str | None) -> list[str]:
    return ["taskset", "-c", cpus, *command] if cpus else command


def anbiao_server(
    url: str, workers: int, cwd: Path, pin: str | None
) -> AbstractContextManager[Served]:
    """``anbiao serve`` (migrates, then Uvicorn), optionally pinned with taskset."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "anbiao"), "serve", "--port", str(port)]
    env = {
        "ANBIAO_DATABASE_URL": url,
        "ANBIAO_SECRET_KEY": SECRET,
        "ANBIAO_UPLOAD_DIR": str(cwd / "uploads"),
    }
    return server(pinned([*command, "--workers", str(workers)], pin), "/ready", port, env, cwd)


def uvicorn_server(
    factory: str, probe: str, cwd: Path, pin: str | None, env: dict[str, str], workers: int = 1
) -> AbstractContextManager[Served]:
    """An app of this folder under the Uvicorn settings of ``anbiao serve`` (uvloop and
    httptools, which Uvicorn picks when installed)."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", "--app-dir", str(HERE), factory]
    command += ["--port", str(port), "--log-level", "warning", "--workers", str(workers)]
    return server(pinned(command, pin), probe, port, env, cwd)


def bare_server(cwd: Path, pin: str) -> AbstractContextManager[Served]:
    """The bare app: ``Litestar(route_handlers=[plain])``."""
    return uvicorn_server("bare_app:create_app", "/plain", cwd, pin, {})


def ceiling_server(
    url: str, cwd: Path, pin: str | None, workers: int = 1
) -> AbstractContextManager[Served]:
    """The DB-backed ceiling on the service's database (``ceiling_app.py``)."""
    env = {"ANBIAO_DATABASE_URL": url, "ANBIAO_SECRET_KEY": SECRET}
    return uvicorn_server("ceiling_app:create_app", "/schema", cwd, pin, env, workers)


async def recreate_pg(base: str, name: str, *, drop_only: bool = False) -> str:
    """Drop and (unless ``drop_only``) create database ``name`` on the server of ``base``."""
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    await admin.dispose()
    return base.rsplit("/", 1)[0] + f"/{name}"


def fresh_url(database: str, folder: Path, tag: str, pg_base: str, name: str = PG_BENCH_DB) -> str:
    if database == "sqlite":
        return f"sqlite+aiosqlite:///{folder / f'{tag}.sqlite3'}"
    return asyncio.run(recreate_pg(pg_base, name))


@contextmanager
def scratch_database(database: str, name: str) -> Iterator[str]:
    """The URL of a fresh database for an in-process benchmark: an SQLite file in a temporary
    folder, or PostgreSQL database ``name`` on ``PG_URL``'s server, dropped after."""
    with tempfile.TemporaryDirectory() as folder:
        url = fresh_url(database, Path(folder), name, PG_URL, name)
        try:
            yield url
        finally:
            if database == "postgres":
                asyncio.run(recreate_pg(PG_URL, name, drop_only=True))


def serves(pid: Path, databases: tuple[str, ...]) -> bool:
    """Whether a ``postgres`` process is a backend of one of ``databases`` (its title names
    the database): the server is shared with other users' databases."""
    try:
        title = (pid / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return any(f" {name} " in title for name in databases)


def cpu_seconds(
    service_session: int, databases: tuple[str, ...] = BENCH_DATABASES
) -> dict[str, float]:
    """CPU seconds so far of the service (its session's processes), the database server (the
    ``postgres`` backends of ``databases``) and this client; read from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    totals = dict.fromkeys(CPU_ROLES, 0.0)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended meanwhile
            continue
        end = text.rindex(")")
        name, fields = text[text.index("(") + 1 : end], text[end + 2 :].split()
        role = (
            "service"
            if int(fields[3]) == service_session
            else "database"
            if name == "postgres" and serves(stat.parent, databases)
            else None
        )
        if role:
            totals[role] += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    totals["client"] = time.process_time()
    return totals
