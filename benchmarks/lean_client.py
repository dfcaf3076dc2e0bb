"""A lean HTTP/1.1 client for the surge: keep-alive connections, JSON bodies, nothing else.

The surge's client shares the machine's two cores with the service and PostgreSQL. httpx spent
about as much CPU per request as the service did on a workflow action (bench_service's CPU
table), so the client, not the service, set part of the pace. This one writes the request bytes
itself and reads ``Content-Length`` bodies only, which is all the service sends to it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import msgspec

KEEP_IDLE = 2.0  # seconds; drop a connection before Uvicorn's 5 s keep-alive would close it


@dataclass(slots=True)
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    used: float


class Response:
    __slots__ = ("close", "content", "status")

    def __init__(self, status: int, content: bytes, close: bool = False) -> None:
        self.status, self.content, self.close = status, content, close

    def json(self) -> Any:
        return msgspec.json.decode(self.content)

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")


class Client:
    """Up to ``connections`` keep-alive connections to one server."""

    def __init__(self, base: str, connections: int) -> None:
        url = urlsplit(base)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self._free: list[_Connection] = []
        self._slots = asyncio.Semaphore(connections)

    async def request(self, method: str, path: str, token: str = "", body: Any = None) -> Response:
        payload = b"" if body is None else msgspec.json.encode(body)
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Length: {len(payload)}\r\n"
        )
        if payload:
            head += "Content-Type: application/json\r\n"
        if token:
            head += f"Authorization: Bearer {token}\r\n"
        message = head.encode() + b"\r\n" + payload
        async with self._slots:
            connection = await self._connection()
            try:
                connection.writer.write(message)
                response = await self._read(connection.reader)
            except (asyncio.IncompleteReadError, ConnectionResetError) as error:
                connection.writer.close()
                if getattr(error, "partial", b""):
                    raise
                # The server closed the connection without answering: a kept-alive one whose
                # keep-alive ran out while this client was starved of CPU, or (seen with the
                # machine's load average above 30) a new one. Send the request once more on a
                # new connection; a sign-up sent twice would fail loudly (409), not silently.
                connection = await self._connection(fresh=True)
                connection.writer.write(message)
                response = await self._read(connection.reader)
            except BaseException:
                connection.writer.close()
                raise
            if response.close:  # e.g. gunicorn's sync worker: one request per connection
                connection.writer.close()
            else:
                connection.used = time.monotonic()
                self._free.append(connection)
            return response

    async def _connection(self, fresh: bool = False) -> _Connection:
        while self._free and not fresh:
            connection = self._free.pop()
            if time.monotonic() - connection.used < KEEP_IDLE:
                return connection
            connection.writer.close()
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return _Connection(reader, writer, time.monotonic())

    @staticmethod
    async def _read(reader: asyncio.StreamReader) -> Response:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:] if line)
        }
        if "content-length" not in fields:
            raise RuntimeError(f"no Content-Length in the response ({lines[0]})")
        body = await reader.readexactly(int(fields["content-length"]))
        return Response(status, body, fields.get("connection", "").lower() == "close")

    async def aclose(self) -> None:
        for connection in self._free:
            connection.writer.close()
        self._free.clear()
