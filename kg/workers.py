"""Worker processes: where queries run, so that a query past its time limit can be killed.

Neither rdflib nor pyoxigraph can stop a running query, so every time-limited query runs in a
process that is killed at the limit and replaced:

* :class:`QueryWorker`: a Python process that loads a store (either engine) once and answers
  ``select`` calls (``kg query --timeout``);
* :class:`OxigraphWorker` in a :class:`WorkerPool`: ``oxigraph serve-read-only`` processes on
  private loopback ports over one on-disk store, for the endpoint (``kg serve``).

Both are killed the same way (at the deadline, then replaced) and never outlive kg.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from contextlib import suppress
from pathlib import Path
from typing import Any

from rdflib.term import Identifier

from kg.errors import KgError
from kg.querycheck import QueryTimeout
from kg.results import QueryResult

DEFAULT_TIMEOUT = 30.0
"""Seconds a query may run by default (``g.query`` and every helper, ``kg query``, ``kg serve``)."""


def _serve(conn: Any, open_store: Callable[[], Any]) -> None:
    """Worker process: load the store once, then answer (sparql, bindings) requests until told to stop.

    Ctrl-C is the caller's to handle (it kills the worker): the worker itself ignores SIGINT."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        store = open_store()
    except Exception as exc:
        conn.send(("error", f"could not load the store: {exc}"))
        return
    conn.send(("ready", None))
    while True:
        request = conn.recv()
        if request is None:
            return
        sparql, bindings, allow_remote = request
        try:
            conn.send(("ok", store.select(sparql, bindings, allow_remote=allow_remote)))
        except KgError as exc:  # a refusal, syntax error...: raised again, as it is, in the caller
            conn.send(("raise", exc))
        except Exception as exc:
            conn.send(("error", f"query failed: {type(exc).__name__}: {exc}"))


class QueryWorker:
    """A worker process that loads the store once and runs queries; killed (and later restarted) at a time limit.

    With the 'spawn' method (the default) ``open_store`` must be picklable (a module-level function
    or ``functools.partial``) and the worker builds its own store; with 'fork' (what ``g.query``
    uses) it may return a store already loaded in this process, which the worker then shares
    copy-on-write: no load, no second copy in memory, a restart in milliseconds.

    >>> from functools import partial
    >>> from kg.store import open_store
    >>> with QueryWorker(partial(open_store, None, "oxigraph")) as worker:
    ...     [str(r["n"]) for r in worker.select("SELECT (1 + 1 AS ?n) WHERE {}", None, 10)]
    ['2']
    """

    def __init__(self, open_store: Callable[[], Any], context: str = "spawn") -> None:
        self.open_store = open_store
        self.context = multiprocessing.get_context(context)
        self.process: Any = None
        self.conn: Any = None
        self.startup_seconds: float | None = None

    def start(self) -> float:
        """Start the worker and wait until its store is loaded; return the seconds that took."""
        began = time.perf_counter()
        self.conn, child = self.context.Pipe()
        self.process = self.context.Process(target=_serve, args=(child, self.open_store), daemon=True)
        self.process.start()
        child.close()
        try:
            status, message = self._receive()
        except BaseException:  # Ctrl-C while the store loads: the worker ignores it, so stop it here
            self.kill()
            raise
        if status != "ready":
            self.close()
            raise KgError(message)
        self.startup_seconds = time.perf_counter() - began
        return self.startup_seconds

    def _receive(self) -> tuple[str, Any]:
        try:
            return self.conn.recv()
        except EOFError:
            code = self.process.exitcode if self.process is not None else None
            raise KgError(f"the query worker stopped unexpectedly (exit code {code})") from None

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None, timeout: float, *,
               allow_remote: bool = False) -> QueryResult:
        """Check and run the query in the worker (``store.select``: the check counts against the limit too); kill
        the worker and raise :class:`QueryTimeout` after ``timeout`` seconds, or re-raise Ctrl-C after killing it."""
        if self.process is None or not self.process.is_alive():
            self.start()
        self.conn.send((sparql, dict(bindings or {}), allow_remote))
        try:
            answered = self.conn.poll(timeout)
            status, payload = self._receive() if answered else ("timeout", None)
        except KeyboardInterrupt:
            self.kill()
            raise
        if status == "timeout":
            self.kill()
            raise QueryTimeout(timeout)
        if status == "raise":
            raise payload
        if status != "ok":
            raise KgError(payload)
        return payload

    def kill(self) -> None:
        """Stop the worker at once; the next query starts a new one."""
        if self.process is not None:
            self.process.kill()
            self.process.join()
            self.conn.close()
        self.process = self.conn = None

    def close(self) -> None:
        """Ask the worker to finish, and kill it if it does not within a second."""
        if self.process is not None and self.process.is_alive():
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(1)
        self.kill()

    def __enter__(self) -> QueryWorker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_with_timeout(open_store: Callable[[], Any], sparql: str, bindings: Mapping[str, Identifier] | None,
                     timeout: float, *, allow_remote: bool = False) -> QueryResult:
    """Run store.select() in a worker process that is killed at the time limit (QueryTimeout).

    The limit counts the query, not the loading of the store in the worker.

    >>> from functools import partial
    >>> from kg.store import open_store
    >>> slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    >>> run_with_timeout(partial(open_store, None, "oxigraph"), slow, None, 0.5)
    Traceback (most recent call last):
    ...
    kg.querycheck.QueryTimeout: query stopped after 0.5 s (--timeout); raise --timeout or narrow the query
    """
    with QueryWorker(open_store) as worker:
        return worker.select(sparql, bindings, timeout, allow_remote=allow_remote)


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


class OxigraphWorker:
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
        self.idle: queue.Queue[OxigraphWorker] = queue.Queue()
        self.workers: set[OxigraphWorker] = set()
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
                self._add(OxigraphWorker(self.binary, self.location, self.log))
                started.set_result(None)
            except KgError as exc:
                started.set_exception(exc)

    def _add(self, worker: OxigraphWorker) -> None:
        with self.lock:
            if self.closed:
                worker.kill()
                return
            self.workers.add(worker)
        self.idle.put(worker)

    def acquire(self, timeout: float) -> OxigraphWorker | None:
        """An idle worker, or None if none frees up within ``timeout`` seconds."""
        try:
            return self.idle.get(timeout=max(timeout, 0.001))
        except queue.Empty:
            return None

    def release(self, worker: OxigraphWorker) -> None:
        """Give back a worker that answered normally."""
        self.idle.put(worker)

    def replace(self, worker: OxigraphWorker) -> None:
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


def load_store(dataset: Path, location: Path, binary: str) -> None:
    """Bulk-load a TriG or N-Quads file (named graphs kept) into an on-disk Oxigraph store."""
    done = subprocess.run([binary, "load", "--location", str(location), "--file", str(dataset)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise KgError(f"Oxigraph could not load {dataset}: {done.stderr.strip()[-500:]}")
