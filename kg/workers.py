"""Worker processes: where queries run, so that a query past its time limit can be killed.

Neither rdflib nor pyoxigraph can stop a running query, so every time-limited query runs in a
:class:`QueryWorker`, a Python process that holds a store and answers calls over a pipe; it is
killed at the limit (or on Ctrl-C) and a fresh one started for the next query. ``g.query`` forks
its worker (the store is shared copy-on-write), ``kg query --timeout`` spawns one that loads the
store, and ``kg serve`` keeps a :class:`WorkerPool` of spawned workers that open its on-disk store
read-only. Workers talk over pipes only: no worker listens on any port, so no other program can
send them a query around the guard and the time limit. A worker ends when its parent does.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from rdflib.term import Identifier

from kg.errors import KgError
from kg.querycheck import QueryTimeout
from kg.results import QueryResult

DEFAULT_TIMEOUT = 30.0
"""Seconds a query may run by default (``g.query`` and every helper, ``kg query``, ``kg serve``)."""


def fork_is_safe() -> bool:
    """True where this process may fork: the platform has fork, and no other thread runs here (a thread inside
    Oxigraph, a browser driver or a timer at the moment of the fork could leave the child blocked on a lock
    that no thread will release)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _stop(process: Any, conn: Any) -> None:
    """Kill a child process (busy or not), reap it and close its end of the pipe."""
    process.kill()
    process.join()
    conn.close()


def _run_forked(conn: Any, call: Callable[[], Any]) -> None:
    """Forked child of :class:`Forked`: send back ``call()``'s value, or the exception it raised."""
    try:
        outcome: tuple[str, Any] = ("ok", call())
    except BaseException as exc:  # noqa: BLE001 (every failure goes back to the parent, which raises it)
        outcome = ("raise", exc)
    try:
        conn.send(outcome)
    except Exception as exc:  # an exception or value that does not pickle: its text
        conn.send(("raise", KgError(f"{type(outcome[1]).__name__}: {outcome[1]} ({exc})")))


class Forked:
    """``function(*args)`` run in a forked child process while this one does something else; :meth:`result`
    waits for its value (or raises what it raised). Where forking is not safe (:func:`fork_is_safe`), the
    function runs in this process when its result is asked for. Leaving the ``with`` block kills a child
    whose result was never asked for.

    ``kg build`` runs SHACL this way while it writes the output files: two cores, two stages at once.

    >>> with Forked(sum, [1, 2]) as job:
    ...     job.result()
    3
    """

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        self.call = partial(function, *args)
        self.process: Any = None
        self.conn: Any = None
        if fork_is_safe():
            context = multiprocessing.get_context("fork")
            self.conn, child = context.Pipe(duplex=False)
            gc.freeze()  # the child leaves the parent's objects alone: fewer pages copied on write
            try:
                self.process = context.Process(target=_run_forked, args=(child, self.call), daemon=True)
                self.process.start()
            finally:
                gc.unfreeze()
            child.close()

    def result(self) -> Any:
        """The function's value (waiting for the child), or the exception it raised, raised here."""
        if self.process is None:
            return self.call()
        try:
            status, value = self.conn.recv()
        except EOFError:
            self.process.join()
            raise KgError(f"a forked kg process stopped unexpectedly (exit code {self.process.exitcode})") from None
        finally:
            self.close()
        if status == "raise":
            raise value
        return value

    def close(self) -> None:
        """Stop the child (if it still runs) and release its pipe."""
        if self.process is not None:
            _stop(self.process, self.conn)
            self.process = None

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _orphaned(parent: int) -> None:
    """Worker thread: end the worker as soon as its parent is gone (even a SIGKILLed one), busy or not."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _serve(conn: Any, open_store: Callable[[], Any], parent: int) -> None:
    """Worker process: open the store once, then answer (method, args, kwargs) calls until told to stop.

    Ctrl-C is the caller's to handle (it kills the worker): the worker itself ignores SIGINT."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_orphaned, args=(parent,), daemon=True).start()
    try:
        store = open_store()
    except Exception as exc:
        conn.send(("error", f"could not load the store: {exc}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            request = conn.recv()
        except EOFError:  # the parent closed its end
            return
        if request is None:
            return
        method, args, kwargs = request
        try:
            conn.send(("ok", getattr(store, method)(*args, **kwargs)))
        except KgError as exc:  # a refusal, syntax error...: raised again, as it is, in the caller
            conn.send(("raise", exc))
        except Exception as exc:
            conn.send(("error", f"query failed: {type(exc).__name__}: {exc}"))


class QueryWorker:
    """A worker process that loads the store once and runs queries; killed (and later restarted) at a time limit.

    With the 'spawn' method (the default) ``open_store`` must be picklable (a module-level function
    or ``functools.partial``) and the worker builds its own store; with 'fork' (what ``g.query``
    uses) it may return a store already loaded in this process, which the worker then shares
    copy-on-write: no load, and no second load after a kill.

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
        self.launch()
        self.wait_ready()
        self.startup_seconds = time.perf_counter() - began
        return self.startup_seconds

    def launch(self) -> None:
        """Start the worker process without waiting for it (see :meth:`wait_ready`)."""
        self.conn, child = self.context.Pipe()
        self.process = self.context.Process(target=_serve, args=(child, self.open_store, os.getpid()), daemon=True)
        self.process.start()
        child.close()

    def wait_ready(self) -> None:
        """Wait until the launched worker has its store (KgError if it could not load it; Ctrl-C kills it)."""
        try:
            status, message = self._receive()
        except BaseException:  # Ctrl-C while the store loads: the worker ignores it, so stop it here
            self.kill()
            raise
        if status != "ready":
            self.close()
            raise KgError(message)

    def _receive(self) -> tuple[str, Any]:
        try:
            return self.conn.recv()
        except EOFError:
            code = self.process.exitcode if self.process is not None else None
            raise KgError(f"the query worker stopped unexpectedly (exit code {code})") from None

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None, timeout: float | None, *,
               allow_remote: bool = False) -> QueryResult:
        """Check and run the query in the worker (``store.select``: the check counts against the limit too); kill
        the worker and raise :class:`QueryTimeout` after ``timeout`` seconds, or re-raise Ctrl-C after killing it."""
        return self.call(timeout, "select", sparql, dict(bindings or {}), allow_remote=allow_remote)

    def call(self, timeout: float | None, method: str, *args: Any, **kwargs: Any) -> Any:
        """``store.method(*args, **kwargs)`` in the worker, its answer back here; the worker is killed and
        :class:`QueryTimeout` raised after ``timeout`` seconds (None: no limit), or Ctrl-C re-raised after killing it."""
        if self.process is None or not self.process.is_alive():
            self.start()
        try:
            self.conn.send((method, args, kwargs))
            answered = self.conn.poll(timeout)
            status, payload = self._receive() if answered else ("timeout", None)
        except KeyboardInterrupt:
            self.kill()
            raise
        except (OSError, KgError):  # the worker died under the call
            self.kill()
            raise KgError("the query worker stopped unexpectedly") from None
        if status == "timeout":
            self.kill()
            assert timeout is not None
            raise QueryTimeout(timeout)
        if status == "raise":
            raise payload
        if status != "ok":
            raise KgError(payload)
        return payload

    def kill(self) -> None:
        """Stop the worker at once; the next query starts a new one."""
        if self.process is not None:
            _stop(self.process, self.conn)
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


class WorkerPool:
    """Idle :class:`QueryWorker` processes in a queue; a worker serves one call at a time and is replaced when killed.

    >>> from functools import partial
    >>> from kg.store import open_store
    >>> pool = WorkerPool(partial(open_store, None, "oxigraph"), 1)
    >>> worker = pool.acquire(10)
    >>> worker.select("ASK { ?s ?p ?o }", None, 10).boolean
    True
    >>> pool.release(worker); pool.close()
    """

    def __init__(self, open_store: Callable[[], Any], size: int) -> None:
        self.open_store = open_store
        self.idle: queue.Queue[QueryWorker] = queue.Queue()
        self.workers: set[QueryWorker] = set()
        self.lock = threading.Lock()
        self.closed = False
        try:
            started = [self._new() for _ in range(size)]  # started together, then waited for
            for worker in started:
                self._ready(worker)
        except BaseException:  # a worker that did not start, or Ctrl-C while starting: stop those already started
            self.close()
            raise

    def _new(self) -> QueryWorker:
        worker = QueryWorker(self.open_store)
        with self.lock:
            self.workers.add(worker)
        worker.launch()
        return worker

    def _ready(self, worker: QueryWorker) -> None:
        """Wait until a launched worker has opened its store, then put it in the idle queue."""
        worker.wait_ready()
        with self.lock:
            if self.closed:
                worker.kill()
                return
        self.idle.put(worker)

    def acquire(self, timeout: float) -> QueryWorker | None:
        """An idle worker, or None if none frees up within ``timeout`` seconds."""
        try:
            return self.idle.get(timeout=max(timeout, 0.001))
        except queue.Empty:
            return None

    def release(self, worker: QueryWorker) -> None:
        """Give back a worker that answered normally."""
        self.idle.put(worker)

    def replace(self, worker: QueryWorker) -> None:
        """Kill a worker (if it is not dead already) and start its replacement in the background."""
        worker.kill()
        with self.lock:
            self.workers.discard(worker)
            if self.closed:
                return
        threading.Thread(target=self._replace, name="kg-worker-replacement", daemon=True).start()

    def _replace(self) -> None:
        try:
            self._ready(self._new())
        except (KgError, OSError) as exc:
            print(f"kg serve: could not replace a worker: {exc}", file=sys.stderr)

    def pids(self) -> set[int]:
        """The process ids of the live workers."""
        with self.lock:
            return {w.process.pid for w in self.workers if w.process is not None}

    def close(self) -> None:
        """Kill every worker, busy or not (one still starting sees ``closed``)."""
        with self.lock:
            self.closed = True
            workers, self.workers = list(self.workers), set()
        for worker in workers:
            worker.kill()


def load_store(dataset: Path, location: Path, binary: str) -> None:
    """Bulk-load a TriG or N-Quads file (named graphs kept) into an on-disk Oxigraph store."""
    done = subprocess.run([binary, "load", "--location", str(location), "--file", str(dataset)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise KgError(f"Oxigraph could not load {dataset}: {done.stderr.strip()[-500:]}")
