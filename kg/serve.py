"""``kg serve``: a guarded, read-only SPARQL 1.1 Protocol endpoint over the built dataset, on Oxigraph.

The dataset is bulk-loaded into an on-disk Oxigraph store in a temporary folder (named graphs kept,
the default graph is their union). Queries are answered by ``oxigraph serve-read-only`` worker
processes on private loopback ports, one query at a time each, behind a small threaded HTTP server
that guards them, because the Oxigraph server alone cannot (its ``--timeout-s`` did not stop a
runaway query, and it follows any ``SERVICE`` URL). Every query is first checked with
:func:`kg.querycheck.check_query` (updates refused; ``SERVICE`` and ``FROM <url>`` refused unless
``allow_remote``); a worker still busy at the time limit is killed and replaced, so the next query
is answered normally; answers larger than ``max_bytes`` are refused. ``/`` is Oxigraph's YASGUI
page (its assets proxied from a worker) with the named queries one click away; ``/queries`` lists
them as JSON, each with a link that opens the page with the query filled in.

>>> page = index_page()
>>> "/yasgui.min.js" in page and 'fetch("/queries")' in page
True
"""

from __future__ import annotations

import http.client
import json
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.library import named_queries
from kg.querycheck import QueryRefused, QuerySyntaxError, QueryTimeout, check_query
from kg.store import built_dataset
from kg.workers import DEFAULT_TIMEOUT, WorkerPool, load_store, oxigraph_binary

DEFAULT_PORT = 7878
DEFAULT_MAX_BYTES = 20_000_000
MAX_REQUEST_BYTES = 1_000_000
ASSET_BYTES = 10_000_000
ASSETS = ("/yasgui.min.js", "/yasgui.min.css", "/logo.svg")
GRAPH_PARAMS = ("default-graph-uri", "named-graph-uri")
READ_ONLY = "this endpoint is read-only (fix: change the data in data/ and run kg build; to fill a server use kg push)"




def index_page() -> str:
    """The browser page: Oxigraph's YASGUI, pointed at ``/query``, with the named queries above it.

    Query names and texts reach it as JSON and are set with ``textContent``, never as HTML.
    """
    return (resources.files("kg") / "templates" / "endpoint.html").read_text(encoding="utf-8")


def query_listing() -> list[dict[str, str]]:
    """The named queries, each with a link that opens the YASGUI page with the query filled in.

    >>> [q["page"][:16] for q in query_listing() if q["name"] == "actors"]
    ['/#query=%23%20na']
    """
    return [{"name": q.name, "description": q.description, "params": q.params, "example": q.example, "sparql": q.sparql,
             "page": "/#" + urllib.parse.urlencode({"query": q.sparql, "tabTitle": q.name}, quote_via=urllib.parse.quote)}
            for q in named_queries().values()]


class Refusal(Exception):
    """A request answered with an error status and a plain-text message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Endpoint(ThreadingHTTPServer):
    """The public HTTP server: checks, forwards with a hard time limit, caps, and serves the page."""

    daemon_threads = True

    def __init__(self, pool: WorkerPool, address: tuple[str, int], *, timeout: float, max_bytes: int,
                 allow_remote: bool) -> None:
        super().__init__(address, Handler)
        self.pool, self.query_timeout, self.max_bytes, self.allow_remote = pool, timeout, max_bytes, allow_remote
        self.assets: dict[str, tuple[str, bytes]] = {}

    def forward(self, method: str, path: str, body: bytes | None, headers: dict[str, str],
                cap: int | None = None) -> tuple[int, str, bytes]:
        """Send a request to an idle worker; kill the worker at the time limit and refuse answers over the cap."""
        cap = self.max_bytes if cap is None else cap
        deadline = time.monotonic() + self.query_timeout
        worker = self.pool.acquire(self.query_timeout)
        if worker is None:
            raise Refusal(503, f"every worker is busy; try again later (limit {self.query_timeout:g} s per query)")
        timer = threading.Timer(max(deadline - time.monotonic(), 0), worker.kill)
        timer.start()
        healthy = False
        try:
            connection = http.client.HTTPConnection("127.0.0.1", worker.port, timeout=self.query_timeout + 5)
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            data = response.read(cap + 1)
            connection.close()
            if len(data) > cap:
                raise Refusal(403, f"the answer is larger than {cap} bytes, the cap of this endpoint "
                                   "(fix: add LIMIT, select fewer variables, or restart kg serve with --max-bytes)")
            healthy = not worker.killed
        except (OSError, http.client.HTTPException) as exc:
            if not worker.killed:
                raise Refusal(502, f"the query engine failed: {exc}") from None
        finally:
            timer.cancel()
            if healthy:
                self.pool.release(worker)
            else:
                self.pool.replace(worker)
        if not healthy:
            raise Refusal(503, str(QueryTimeout(self.query_timeout)))
        return response.status, response.getheader("Content-Type", "application/octet-stream"), data

    def asset(self, path: str) -> tuple[str, bytes]:
        """A file of Oxigraph's YASGUI page, fetched once from a worker."""
        if path not in self.assets:
            status, content_type, data = self.forward("GET", path, None, {}, cap=ASSET_BYTES)
            if status != 200:
                raise Refusal(502, f"Oxigraph did not serve {path} (HTTP {status})")
            self.assets[path] = (content_type, data)
        return self.assets[path]


class Handler(BaseHTTPRequestHandler):
    """SPARQL 1.1 Protocol queries at /query (and /sparql, where YASGUI looks), the page at /."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are written separately: do not wait for the client's ACK
    server: Endpoint

    def send(self, status: int, content_type: str, data: bytes) -> None:
        """Write a complete response."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_one(self, method: str) -> None:
        """Route a request; every refusal becomes a plain-text answer with its status."""
        try:
            url = urllib.parse.urlsplit(self.path)
            body = self.read_body() if method == "POST" else b""
            if url.path in ("/query", "/sparql"):
                self.send(*self.query(method, url.query, body))
            elif url.path in ("/", "/index.html") and method == "GET":
                self.send(200, "text/html; charset=utf-8", index_page().encode("utf-8"))
            elif url.path == "/queries" and method == "GET":
                self.send(200, "application/json", json.dumps(query_listing(), indent=1).encode("utf-8"))
            elif url.path in ASSETS and method == "GET":
                self.send(200, *self.server.asset(url.path))
            elif url.path == "/store" and method == "GET":
                self.send(*self.server.forward("GET", self.path, None, self.accept()))
            elif url.path in ("/update", "/store"):
                raise Refusal(403, f"refused: {READ_ONLY}")
            else:
                raise Refusal(404, f"no {url.path} here: queries go to /query, the page is at /")
        except Refusal as refusal:
            self.send(refusal.status, "text/plain; charset=utf-8", f"{refusal}\n".encode())

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        self.handle_one("GET")

    def do_POST(self) -> None:  # noqa: N802
        self.handle_one("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self.handle_one("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self.handle_one("DELETE")

    def read_body(self) -> bytes:
        """The request body, refused over MAX_REQUEST_BYTES."""
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self.close_connection = True
            raise Refusal(413, f"request larger than {MAX_REQUEST_BYTES} bytes")
        return self.rfile.read(length)

    def accept(self) -> dict[str, str]:
        """The client's Accept header, passed on so that Oxigraph negotiates the result format."""
        return {"Accept": self.headers["Accept"]} if self.headers.get("Accept") else {}

    def query(self, method: str, query_string: str, body: bytes) -> tuple[int, str, bytes]:
        """Read a protocol request (GET ?query=, POST form or application/sparql-query), check it, forward it."""
        params = urllib.parse.parse_qsl(query_string, keep_blank_values=True)
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if method == "POST":
            if content_type == "application/x-www-form-urlencoded":
                params += urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
            elif content_type == "application/sparql-query":
                params.append(("query", body.decode("utf-8", "replace")))
            elif content_type == "application/sparql-update":
                raise Refusal(403, f"refused: a SPARQL update; {READ_ONLY}")
            else:
                raise Refusal(415, "send the query as application/sparql-query or application/x-www-form-urlencoded")
        elif method != "GET":
            raise Refusal(405, "use GET or POST for queries")
        if any(name == "update" for name, _ in params):
            raise Refusal(403, f"refused: a SPARQL update; {READ_ONLY}")
        queries = [value for name, value in params if name == "query"]
        if len(queries) != 1:
            raise Refusal(400, "give exactly one query (?query=... or a POST body)")
        try:
            check_query(queries[0], allow_remote=self.server.allow_remote)
        except QuerySyntaxError as exc:
            raise Refusal(400, str(exc)) from None
        except QueryRefused as exc:
            raise Refusal(403, str(exc)) from None
        form = urllib.parse.urlencode([("query", queries[0]), *((n, v) for n, v in params if n in GRAPH_PARAMS)])
        headers = {"Content-Type": "application/x-www-form-urlencoded", **self.accept()}
        return self.server.forward("POST", "/query", form.encode("utf-8"), headers)


def _bind(pool: WorkerPool, host: str, port: int | None, **options: Any) -> Endpoint:
    """The public server on ``port``; with no port, 7878 or else a free one."""
    for candidate in ([port] if port is not None else [DEFAULT_PORT, 0]):
        try:
            return Endpoint(pool, (host, candidate), **options)
        except OSError as exc:
            failure = exc
    raise KgError(f"cannot listen on {host}:{port}: {failure.strerror} "
                  "(fix: choose another port with --port, or --port 0 for a free one)")


@contextmanager
def endpoint(dataset: Path | str | None = None, *, host: str = "127.0.0.1", port: int | None = None,
             timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES, workers: int = 2,
             allow_remote: bool = False) -> Iterator[Endpoint]:
    """A ready endpoint (not yet serving); its workers and temporary store are removed on exit.

    Example: ``with endpoint(port=0) as server: server.serve_forever()``.
    """
    binary = oxigraph_binary()
    folder = Path(tempfile.mkdtemp(prefix="kg-serve-"))
    pool = None
    try:
        load_store(built_dataset(dataset), folder / "store", binary)
        pool = WorkerPool(binary, folder / "store", max(workers, 1), folder / "oxigraph.log")
        server = _bind(pool, host, port, timeout=timeout, max_bytes=max_bytes, allow_remote=allow_remote)
        try:
            yield server
        finally:
            server.server_close()
    finally:
        if pool is not None:
            pool.close()
        shutil.rmtree(folder, ignore_errors=True)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _interrupt(signum: int, frame: Any) -> None:
    """Stop on the first signal; ignore more while the workers are being stopped."""
    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_IGN)
    raise KeyboardInterrupt


def serve(dataset: Path | str | None = None, **options: Any) -> None:
    """Run the endpoint until Ctrl-C, SIGTERM or SIGHUP, then stop every worker (``kg serve``)."""
    previous = {signum: signal.signal(signum, _interrupt) for signum in STOP_SIGNALS}
    try:
        with endpoint(dataset, **options) as server:
            host, port = server.server_address[:2]
            base = f"http://{host}:{port}"
            remote = "SERVICE and FROM <url> allowed" if server.allow_remote else "SERVICE, LOAD and FROM <url> refused"
            print(f"SPARQL endpoint: {base}/query\nin a browser:    {base}/\nnamed queries:   {base}/queries\n"
                  f"read-only; {remote}; {server.query_timeout:g} s per query; answers up to {server.max_bytes} bytes; "
                  f"{len(server.pool.workers)} workers. Ctrl-C stops.", flush=True)
            server.serve_forever()
    except KeyboardInterrupt:
        print("kg serve: stopped", file=sys.stderr)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
