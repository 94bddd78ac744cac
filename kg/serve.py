"""``kg serve``: a guarded, read-only SPARQL 1.1 Protocol endpoint over the built dataset, on Oxigraph.

The dataset is bulk-loaded into an on-disk Oxigraph store in a temporary folder (named graphs kept,
the default graph is their union). Queries are answered by ``oxigraph serve-read-only`` worker
processes on private loopback ports, one query at a time each, behind a small threaded HTTP server
that guards them, because the Oxigraph server alone cannot (its ``--timeout-s`` did not stop a
runaway query, and it follows any ``SERVICE`` URL). Every query is first checked with
:func:`kg.safety.check_query` (updates refused; ``SERVICE`` and ``FROM <url>`` refused unless
``allow_remote``); a worker still busy at the time limit is killed and replaced, so the next query
is answered normally; answers larger than ``max_bytes`` are refused. ``/`` is Oxigraph's YASGUI
page (its assets proxied from a worker) with the named queries one click away; ``/queries`` lists
them as JSON, each with a link that opens the page with the query filled in.

>>> page = index_page()
>>> "/yasgui.min.js" in page and 'fetch("/queries")' in page
True
"""

from __future__ import annotations

import ctypes
import http.client
import json
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.queries import named_queries
from kg.safety import DEFAULT_TIMEOUT, QueryRefused, QuerySyntaxError, QueryTimeout, check_query
from kg.store import built_dataset

DEFAULT_PORT = 7878
DEFAULT_MAX_BYTES = 20_000_000
MAX_REQUEST_BYTES = 1_000_000
ASSET_BYTES = 10_000_000
ASSETS = ("/yasgui.min.js", "/yasgui.min.css", "/logo.svg")
GRAPH_PARAMS = ("default-graph-uri", "named-graph-uri")
READ_ONLY = "this endpoint is read-only (fix: change the data in data/ and run kg build; to fill a server use kg push)"

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>kg SPARQL endpoint</title>
<link href="/yasgui.min.css" rel="stylesheet" type="text/css">
<script src="/yasgui.min.js"></script>
<link rel="icon" type="image/svg+xml" href="/logo.svg">
<style>
  #queries { font: 14px sans-serif; padding: 8px; border-bottom: 1px solid #ddd; }
  #queries a { margin-right: 12px; }
</style>
</head>
<body>
<nav id="queries"><strong>Named queries</strong> (<a href="/queries">JSON</a>):</nav>
<div id="yasgui"></div>
<script>
  const endpoint = window.location.origin + "/query";
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }], keys: [] },
  });
  const nav = document.getElementById("queries");
  fetch("/queries").then(r => r.json()).then(list => {
    for (const q of list) {
      const link = document.createElement("a");
      link.href = q.page;
      link.textContent = q.name;
      link.title = q.description + (q.params !== "none" ? " Parameters: " + q.params : "");
      link.addEventListener("click", event => {
        event.preventDefault();
        yasgui.addTab(true, { name: q.name, yasqe: { value: q.sparql } }, { avoidDuplicateTabs: true });
      });
      nav.appendChild(link);
    }
  });
</script>
</body>
</html>
"""


def index_page() -> str:
    """The browser page: Oxigraph's YASGUI, pointed at ``/query``, with the named queries above it.

    Query names and texts reach it as JSON and are set with ``textContent``, never as HTML.
    """
    return PAGE


def query_listing() -> list[dict[str, str]]:
    """The named queries, each with a link that opens the YASGUI page with the query filled in.

    >>> [q["page"][:16] for q in query_listing() if q["name"] == "actors"]
    ['/#query=%23%20na']
    """
    return [{"name": q.name, "description": q.description, "params": q.params, "example": q.example, "sparql": q.sparql,
             "page": "/#" + urllib.parse.urlencode({"query": q.sparql, "tabTitle": q.name}, quote_via=urllib.parse.quote)}
            for q in named_queries().values()]


def oxigraph_binary() -> str:
    """The ``oxigraph`` server of the pip package ``oxigraph``, next to this Python or on the PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise KgError("the Oxigraph server is not installed (fix: pip install oxigraph)")
    return found


_PRCTL = ctypes.CDLL(None).prctl if sys.platform.startswith("linux") else None  # looked up before any fork


def _die_with_parent() -> None:
    """In the worker, just before Oxigraph starts: ask Linux to kill it when the thread that started it ends
    (PR_SET_PDEATHSIG), which also happens when kg serve itself is killed outright (SIGKILL)."""
    _PRCTL(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Worker:
    """One ``oxigraph serve-read-only`` process on a private loopback port."""

    def __init__(self, binary: str, location: Path, log: Path) -> None:
        self.killed = False
        for _ in range(3):  # another program may take the probed port before Oxigraph binds it
            self.port = _free_port()
            with log.open("ab") as out:
                self.process = subprocess.Popen(
                    [binary, "serve-read-only", "--location", str(location), "--union-default-graph",
                     "--bind", f"127.0.0.1:{self.port}"], stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                    preexec_fn=_die_with_parent if _PRCTL else None)
            if self._wait_listening():
                return
            self.kill()
        tail = log.read_text(encoding="utf-8", errors="replace")[-500:]
        raise KgError(f"the Oxigraph worker did not start: {tail}")

    def _wait_listening(self) -> bool:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            with suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
            time.sleep(0.02)
        return False

    def kill(self) -> None:
        """Stop the process at once (it may be in the middle of a query)."""
        self.killed = True
        with suppress(ProcessLookupError):
            self.process.kill()
        self.process.wait()


class WorkerPool:
    """Idle workers in a queue; a worker serves one request at a time and is replaced when killed.

    Every worker is started by one long-lived spawner thread, because a worker dies with the thread
    that started it (see :func:`_die_with_parent`): short-lived threads would take their workers along.
    """

    def __init__(self, binary: str, location: Path, size: int, log: Path) -> None:
        self.binary, self.location, self.log = binary, location, log
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.workers: set[Worker] = set()
        self.lock = threading.Lock()
        self.closed = False
        self.requests: queue.Queue[Future[None] | None] = queue.Queue()
        self.spawner = threading.Thread(target=self._spawn, name="kg-serve-spawner", daemon=True)
        self.spawner.start()
        try:
            for started in [self._start() for _ in range(size)]:
                started.result()
        except BaseException:  # a worker that did not start, or Ctrl-C while starting: stop those already started
            self.close()
            raise

    def _start(self) -> Future[None]:
        """Ask the spawner for one more worker; the future ends when it is idle in the pool (or failed)."""
        started: Future[None] = Future()
        self.requests.put(started)
        return started

    def _spawn(self) -> None:
        while (started := self.requests.get()) is not None:
            try:
                self._add(Worker(self.binary, self.location, self.log))
                started.set_result(None)
            except KgError as exc:
                started.set_exception(exc)

    def _add(self, worker: Worker) -> None:
        with self.lock:
            if self.closed:
                worker.kill()
                return
            self.workers.add(worker)
        self.idle.put(worker)

    def acquire(self, timeout: float) -> Worker | None:
        """An idle worker, or None if none frees up within ``timeout`` seconds."""
        try:
            return self.idle.get(timeout=max(timeout, 0.001))
        except queue.Empty:
            return None

    def release(self, worker: Worker) -> None:
        """Give back a worker that answered normally."""
        self.idle.put(worker)

    def replace(self, worker: Worker) -> None:
        """Kill a worker and have the spawner start its replacement in the background."""
        worker.kill()
        with self.lock:
            self.workers.discard(worker)
            if self.closed:
                return
        self._start().add_done_callback(
            lambda started: started.exception() and print(f"kg serve: could not replace a worker: {started.exception()}",
                                                          file=sys.stderr))

    def close(self) -> None:
        """Kill every worker, busy or not, and stop the spawner (a worker it is still starting sees ``closed``)."""
        with self.lock:
            self.closed = True
            workers, self.workers = list(self.workers), set()
        for worker in workers:
            worker.kill()
        self.requests.put(None)
        self.spawner.join()


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


def load_store(dataset: Path, location: Path, binary: str) -> None:
    """Bulk-load a TriG or N-Quads file (named graphs kept) into an on-disk Oxigraph store."""
    done = subprocess.run([binary, "load", "--location", str(location), "--file", str(dataset)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise KgError(f"Oxigraph could not load {dataset}: {done.stderr.strip()[-500:]}")


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
