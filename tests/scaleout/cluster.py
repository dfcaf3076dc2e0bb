"""Two anbiao hosts in network namespaces of their own, behind nginx, on one PostgreSQL database
and one S3-compatible store (moto) — the deployment of docs/deployment.md on one machine.

The test's own LAN is a bridge in the root namespace (``10.213.N.1/24``) with one veth per host
namespace (``.2`` and ``.3``). On the root side of that LAN: a ``socat`` forward to the local
PostgreSQL (connections reach the server from 127.0.0.1, so its configuration stays as it is) and
``moto_server``. nginx listens on 127.0.0.1 and balances round-robin over the two hosts. Traffic
goes to loopback and to these addresses only; everything started here is stopped by ``close``.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import make_url

HERE = Path(__file__).parent
NGINX_CONF = HERE / "nginx.conf"  # the configuration docs/deployment.md shows
BIN = Path(sys.executable).parent
HOST_PORT = 8000
S3_PORT = 9000
BUCKET = "anbiao-evidence"
SECRET_KEY = "scale-out-test-secret-key-0123456789abcdef"
ACCOUNT_CACHE_SECONDS = 2.0
START_SECONDS = 90.0  # a host's start (migrations, two workers importing the engine)


def missing_prerequisites() -> list[str]:
    """What this machine lacks for the scale-out test (empty: it can run)."""
    missing = [] if os.geteuid() == 0 else ["root (ip netns)"]
    for tool in ("ip", "nginx", "socat"):
        if shutil.which(tool) is None:
            missing.append(tool)
    if not (BIN / "moto_server").exists():
        missing.append("moto[server] (pip install -e '.[test]')")
    if not os.environ.get("ANBIAO_TEST_DATABASE_URL", "").startswith("postgresql"):
        missing.append("ANBIAO_TEST_DATABASE_URL=postgresql+asyncpg://…")
    return missing


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def free_subnet() -> ipaddress.IPv4Network:
    """A /24 in 10.213.0.0/16 that no interface of this machine uses."""
    used = [
        ipaddress.ip_interface(word).network
        for line in run("ip", "-4", "-o", "addr").splitlines()
        for word in line.split()
        if "/" in word and word[0].isdigit()
    ]
    start = os.getpid() % 250
    for n in range(250):
        net = ipaddress.ip_network(f"10.213.{(start + n) % 250 + 1}.0/24")
        if not any(net.overlaps(u) for u in used):
            return net
    raise RuntimeError("no free 10.213.x.0/24 for the test LAN")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[Any], seconds: float) -> None:
    """Poll ``url`` (bounded) until it answers 2xx; fail early if ``process`` died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).is_success:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not come up in {seconds:.0f} s")


@dataclass
class Host:
    """One anbiao host: a network namespace, its address and its ``anbiao serve`` process."""

    name: str
    namespace: str
    address: str
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def upstream(self) -> str:
        return f"{self.address}:{HOST_PORT}"

    @property
    def url(self) -> str:
        return f"http://{self.upstream}"

    def pids(self) -> list[int]:
        return [int(p) for p in run("ip", "netns", "pids", self.namespace).split()]

    def kill(self) -> list[int]:
        """``kill -9`` every process of the host (server, workers, report renderer)."""
        pids = self.pids()
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while self.pids():  # the workers too are gone (bounded)
            assert time.monotonic() < deadline, f"{self.name} still runs {self.pids()}"
            time.sleep(0.05)
        return pids


@dataclass
class Cluster:
    database_url: str  # the test's view (127.0.0.1); the hosts reach it through the forward
    folder: Path
    net: ipaddress.IPv4Network = field(init=False)
    hosts: dict[str, Host] = field(default_factory=dict)
    proxy: str = ""
    services: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tag = f"{os.getpid() % 100000}"
        self.bridge = f"ab{self.tag}br"

    @property
    def gateway(self) -> str:
        return str(self.net.network_address + 1)

    @property
    def s3_endpoint(self) -> str:
        return f"http://{self.gateway}:{S3_PORT}"

    # --- start -------------------------------------------------------------------------------

    def start(self) -> None:
        self.net = free_subnet()
        run("ip", "link", "add", self.bridge, "type", "bridge")
        run("ip", "addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        run("ip", "link", "set", self.bridge, "up")
        for n, name in enumerate("ab"):
            self.hosts[name] = self._namespace(name, str(self.net.network_address + 2 + n))
        self._forward_postgres()
        self._start_s3()
        for host in self.hosts.values():  # both at once: their migrations meet on the lock
            self.serve(host)
        for host in self.hosts.values():
            assert host.process is not None
            wait_until_up(f"{host.url}/ready", host.process, START_SECONDS)
        self._start_nginx()

    def _namespace(self, name: str, address: str) -> Host:
        namespace, outside = f"anbiao{self.tag}{name}", f"ab{self.tag}{name}0"
        run("ip", "netns", "add", namespace)
        run("ip", "link", "add", outside, "type", "veth", "peer", "eth0", "netns", namespace)
        run("ip", "link", "set", outside, "master", self.bridge, "up")
        inside = ("ip", "netns", "exec", namespace, "ip")
        run(*inside, "addr", "add", f"{address}/24", "dev", "eth0")
        run(*inside, "link", "set", "eth0", "up")
        run(*inside, "link", "set", "lo", "up")
        folder = self.folder / f"host-{name}"
        folder.mkdir()
        return Host(name, namespace, address, folder)

    def _spawn(self, command: list[str], log: str, **kw: Any) -> subprocess.Popen[bytes]:
        with (self.folder / log).open("ab") as out:
            process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kw
            )
        self.services.append(process)
        return process

    def _forward_postgres(self) -> None:
        url = make_url(self.database_url)
        target = f"TCP:{url.host or '127.0.0.1'}:{url.port or 5432}"
        listen = f"TCP-LISTEN:{url.port or 5432},bind={self.gateway},fork,reuseaddr"
        self._spawn(["socat", listen, target], "socat.log")

    def _start_s3(self) -> None:
        server = self._spawn(
            [str(BIN / "moto_server"), "-H", self.gateway, "-p", str(S3_PORT)], "moto.log"
        )
        wait_until_up(f"{self.s3_endpoint}/moto-api/", server, 60)
        self.s3().create_bucket(Bucket=BUCKET)

    def s3(self) -> Any:
        import boto3  # moto's dependency

        return boto3.client(
            "s3",
            endpoint_url=self.s3_endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    def host_environment(self, host: Host) -> dict[str, str]:
        """The settings of a host: equal on every host but for the upload folder (unused)."""
        database = make_url(self.database_url).set(host=self.gateway)
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("ANBIAO_", "AWS_"))}
        return keep | {
            "ANBIAO_DATABASE_URL": database.render_as_string(hide_password=False),
            "ANBIAO_DATABASE_POOL_SIZE": "4",
            "ANBIAO_SECRET_KEY": SECRET_KEY,
            "ANBIAO_ACCOUNT_CACHE_SECONDS": str(ACCOUNT_CACHE_SECONDS),
            "ANBIAO_PUBLIC_URL": "https://anbiao.example.gov.cn",
            "ANBIAO_STORAGE_URL": f"s3://{BUCKET}/evidence",
            "ANBIAO_STORAGE_ALLOW_HTTP": "true",
            "ANBIAO_UPLOAD_DIR": str(host.folder / "uploads"),
            "AWS_ENDPOINT_URL": self.s3_endpoint,
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def serve(self, host: Host, *options: str) -> None:
        """``anbiao serve --workers 2`` inside the host's namespace."""
        command = ["ip", "netns", "exec", host.namespace, str(BIN / "anbiao"), "serve", *options]
        command += ["--host", host.address, "--port", str(HOST_PORT), "--workers", "2"]
        host.process = self._spawn(
            command, f"host-{host.name}.log", cwd=host.folder, env=self.host_environment(host)
        )

    def restart(self, host: Host) -> None:
        """Start a killed host again, as a release's hosts start: the database is migrated."""
        self.serve(host, "--no-migrate")
        assert host.process is not None
        wait_until_up(f"{host.url}/ready", host.process, START_SECONDS)

    def _start_nginx(self) -> None:
        port = free_port()
        prefix = self.folder / "nginx"
        prefix.mkdir()
        site = NGINX_CONF.read_text()
        for n, host in enumerate(self.hosts.values(), 1):
            site = site.replace(f"10.0.0.{n}:8000", host.upstream)
        site = site.replace("listen 127.0.0.1:8080", f"listen 127.0.0.1:{port}")
        config = prefix / "nginx.conf"
        config.write_text(
            "worker_processes 1;\n"  # one round-robin counter: requests alternate A, B, A, …
            f"pid {prefix}/nginx.pid;\n"
            "events { worker_connections 256; }\n"
            "http {\n"
            f"  client_body_temp_path {prefix}/body;\n  proxy_temp_path {prefix}/proxy;\n"
            f"  fastcgi_temp_path {prefix}/fastcgi;\n  uwsgi_temp_path {prefix}/uwsgi;\n"
            f"  scgi_temp_path {prefix}/scgi;\n"
            f"{site}\n  access_log {prefix}/access.log upstream;\n}}\n"
        )
        command = ["nginx", "-p", str(prefix), "-c", str(config), "-e", str(prefix / "error.log")]
        server = self._spawn([*command, "-g", "daemon off;"], "nginx.log")
        self.proxy = f"http://127.0.0.1:{port}"
        wait_until_up(f"{self.proxy}/health", server, 30)

    # --- stop --------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop what was started (by process id and group), remove the namespaces and the LAN."""
        for host in self.hosts.values():
            with contextlib.suppress(subprocess.CalledProcessError, ProcessLookupError):
                host.kill()
        for process in reversed(self.services):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # socat's children are in its group
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
        for host in self.hosts.values():
            subprocess.run(["ip", "netns", "del", host.namespace], check=False)
        subprocess.run(["ip", "link", "del", self.bridge], check=False, capture_output=True)

    def logs(self) -> str:
        """The tail of every log, for a failure message."""
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.folder.rglob("*.log"))
        )
