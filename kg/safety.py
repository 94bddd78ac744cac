"""Safety of user queries: read-only, no remote access unless asked, real time limits.

rdflib 7.6 follows ``SERVICE`` and ``FROM <url>`` to http and file: URLs with no switch to stop
it, and neither rdflib nor pyoxigraph can stop a running query. So every query text is checked
here before an engine sees it (:func:`check_query`, which walks rdflib's parse tree, so comments
and string literals that contain ``SERVICE`` do not matter), and queries with a time limit run in
a worker process that is killed when the limit is reached (:class:`QueryWorker`).

>>> check_query("SELECT ?s WHERE { ?s ?p 'SERVICE <http://example.org/> {}' } # SERVICE")
'SELECT'
>>> check_query("DROP ALL")
Traceback (most recent call last):
...
kg.safety.QueryRefused: refused: this is a SPARQL update (DROP); kg queries are read-only (fix: ...)
"""

from __future__ import annotations

import contextlib
import multiprocessing
import re
import time
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql import algebra, parser
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Identifier

from kg.errors import InputError, KgError
from kg.store import QueryResult

FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}
OPT_IN = "pass --allow-remote (Python: allow_remote=True) if you trust the endpoint"
DEFAULT_TIMEOUT = 30.0
UPDATE_START = re.compile(r"(?:\s+|#[^\n]*|PREFIX\s*[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)*"
                          r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
UPDATE_VERBS = {"Modify": "INSERT/DELETE ... WHERE", "InsertData": "INSERT DATA", "DeleteData": "DELETE DATA",
                "DeleteWhere": "DELETE WHERE"}


def _message(error: KgError, message: str) -> None:
    """Set a KgError's one problem to ``message``, printed as is (no file prefix: it is about the query)."""
    error.problems = [InputError("query", None, message)]
    Exception.__init__(error, message)


class QueryRefused(KgError):
    """An update, or a query that would reach outside the dataset (SERVICE, FROM <url>) without opt-in."""

    def __init__(self, why: str, fix: str) -> None:
        _message(self, f"refused: {why} (fix: {fix})")


class QuerySyntaxError(KgError):
    """Invalid SPARQL, with the 1-based line and column of the problem."""

    def __init__(self, line: int, column: int, message: str) -> None:
        self.line, self.column = line, column
        _message(self, f"syntax error at line {line}, column {column}: {message}")


class QueryTimeout(KgError):
    """A query that ran past its time limit and was stopped."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        _message(self, f"query stopped after {seconds:g} s (--timeout); raise --timeout or narrow the query")


def _walk(node: Any) -> Any:
    """Every CompValue in a parse tree, depth first."""
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple | ParseResults):
        for value in node:
            yield from _walk(value)


def _syntax_error(text: str, exc: ParseBaseException) -> QuerySyntaxError:
    found = f", found {text[exc.loc:exc.loc + 20].split(chr(10))[0]!r}" if exc.loc < len(text) else ", found end of query"
    return QuerySyntaxError(exc.lineno, exc.col, f"{exc.msg}{found}")


def _location(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


@lru_cache(maxsize=1024)
def check_query(sparql: str, *, allow_remote: bool = False) -> str:
    """Parse the query; return its form 'SELECT' | 'ASK' | 'CONSTRUCT' | 'DESCRIBE'.

    Raise :class:`QuerySyntaxError` (with line and column) for invalid SPARQL,
    :class:`QueryRefused` for any update (INSERT/DELETE/LOAD/CLEAR/DROP/CREATE...) and, unless
    ``allow_remote``, for SERVICE and FROM / FROM NAMED <url>. Answers are remembered per query text:
    parsing with rdflib (20-70 ms) costs more than most answers (refusals are raised again each time).

    >>> check_query("ASK { ?s ?p ?o }")
    'ASK'
    >>> check_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    kg.safety.QueryRefused: refused: SERVICE <http://example.org/sparql> would send the query to another endpoint (fix: ...)
    >>> check_query("SELECT * WHERE {\\n  ?s ?p ?o .\\n  FILTER(?o = ) }")
    Traceback (most recent call last):
    ...
    kg.safety.QuerySyntaxError: syntax error at line 3, column 3: ...
    """
    try:
        tree = parser.parseQuery(sparql)
    except ParseBaseException as exc:
        try:
            update = parser.parseUpdate(sparql)
        except ParseBaseException as update_exc:
            if verb := UPDATE_START.match(sparql):  # a broken update is still an update: say so rather than parse it
                raise QueryRefused(f"this is a SPARQL update ({verb.group(1).upper()}); kg queries are read-only",
                                   "use SELECT or ASK; change the graph by editing data/ and running kg build") from None
            raise _syntax_error(sparql, max(exc, update_exc, key=lambda e: e.loc)) from None
        verbs = sorted({UPDATE_VERBS.get(op.name, op.name.upper()) for op in update.request})
        raise QueryRefused(f"this is a SPARQL update ({', '.join(verbs)}); kg queries are read-only",
                           "use SELECT or ASK; change the graph by editing data/ and running kg build") from None
    if not allow_remote:
        for node in _walk(tree):
            if node.name == "ServiceGraphPattern":
                raise QueryRefused(f"SERVICE {node.term.n3()} would send the query to another endpoint", OPT_IN)
            if node.name == "DatasetClause":
                which = "FROM NAMED" if "named" in node else "FROM"
                iri = node["named"] if "named" in node else node["default"]
                raise QueryRefused(f"{which} {iri.n3()} would make the engine fetch that IRI",
                                   f"to read one graph of the dataset use GRAPH <iri> {{ ... }}; or {OPT_IN}")
    try:
        algebra.translateQuery(tree)
    except Exception as exc:  # rdflib raises plain Exception for e.g. an undeclared prefix
        prefix = re.match(r"Unknown namespace prefix : (\S+)", str(exc))
        where = re.search(rf"(?<![\w<\"']){re.escape(prefix.group(1))}:", sparql) if prefix else None
        line, column = _location(sparql, where.start()) if where else (1, 1)
        message = f"undeclared prefix {prefix.group(1)}: (add PREFIX {prefix.group(1)}: <...>)" if prefix else str(exc)
        raise QuerySyntaxError(line, column, message) from None
    return FORMS[tree[1].name]


def _serve(conn: Any, open_store: Callable[[], Any]) -> None:
    """Worker process: load the store once, then answer (sparql, bindings) requests until told to stop."""
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
        sparql, bindings = request
        try:
            conn.send(("ok", store.select(sparql, bindings)))
        except Exception as exc:
            conn.send(("error", f"query failed: {type(exc).__name__}: {exc}"))


class QueryWorker:
    """A worker process that loads the store once and runs queries; killed (and later restarted) at a time limit.

    ``open_store`` must be picklable (a module-level function or ``functools.partial``), because
    the worker is started with the 'spawn' method and builds its own store.

    >>> from functools import partial
    >>> from kg.store import DEFAULT_DATASET, open_store
    >>> with QueryWorker(partial(open_store, DEFAULT_DATASET, "oxigraph")) as worker:
    ...     [str(r["n"]) for r in worker.select("SELECT (1 + 1 AS ?n) WHERE {}", None, 10).rows]
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
        status, message = self._receive()
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

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None, timeout: float) -> QueryResult:
        """Run ``store.select`` in the worker; kill it and raise :class:`QueryTimeout` after ``timeout`` seconds."""
        if self.process is None or not self.process.is_alive():
            self.start()
        self.conn.send((sparql, dict(bindings or {})))
        if not self.conn.poll(timeout):
            self.kill()
            raise QueryTimeout(timeout)
        status, payload = self._receive()
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
                     timeout: float) -> QueryResult:
    """Run store.select() in a worker process that is killed at the time limit (QueryTimeout).

    The limit counts the query, not the loading of the store in the worker.

    >>> from functools import partial
    >>> from kg.store import DEFAULT_DATASET, open_store
    >>> slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    >>> run_with_timeout(partial(open_store, DEFAULT_DATASET, "oxigraph"), slow, None, 0.5)
    Traceback (most recent call last):
    ...
    kg.safety.QueryTimeout: query stopped after 0.5 s (--timeout); raise --timeout or narrow the query
    """
    with QueryWorker(open_store) as worker:
        return worker.select(sparql, bindings, timeout)
