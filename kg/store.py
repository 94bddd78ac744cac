"""Engines that answer SPARQL over a built dataset: pyoxigraph (the default, fast) or rdflib (pure Python).

Every store checks the query itself (:func:`kg.querycheck.prepare_query`: read-only, local,
bounded, predeclared prefixes), binds parameters the same way (a VALUES block that opens the
WHERE group, so ``BIND(?param AS ?v)`` sees them on both engines), orders ``SELECT *`` columns by
first appearance in the query, and returns a :class:`kg.results.QueryResult` of rdflib terms, so
the helpers above it do not care which engine answered. rdflib's aggregates are made to follow
SPARQL 1.1 section 18.5 as Oxigraph does: an unbound or wrong-typed value makes GROUP_CONCAT, SUM,
AVG, MIN and MAX unbound for its group (COUNT and SAMPLE skip it) instead of failing the query.

>>> store = RdflibStore.from_file(built_dataset())
>>> result = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
>>> int(result.rows[0]["n"]) > 1000
True
>>> open_store(None, "oxigraph").select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == result
True
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from pyparsing import ParseBaseException
from rdflib import Dataset, Literal
from rdflib.plugins.sparql import aggregates, algebra, parser
from rdflib.plugins.sparql.evalutils import _eval
from rdflib.plugins.sparql.sparql import NotBoundError, Query, SPARQLError
from rdflib.term import Identifier

from kg.corpus import find_corpus
from kg.errors import KgError
from kg.querycheck import RDFLIB_PARSER_LOCK, CheckedQuery, QuerySyntaxError, QueryTooLarge, prepare_query
from kg.results import QueryResult

ENGINES = ("oxigraph", "rdflib")
DEFAULT_ENGINE = "oxigraph"


def _checked(sparql: str, allow_remote: bool) -> CheckedQuery:
    checked = prepare_query(sparql, allow_remote=allow_remote)
    if checked.form not in ("SELECT", "ASK"):
        raise KgError(f"{checked.form} queries are not supported here: use SELECT or ASK "
                      "(kg build writes the whole graph as RDF)")
    return checked


class RdflibStore:
    """An rdflib Dataset whose default graph is the union of all graphs."""

    name = "rdflib"

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    @classmethod
    def from_file(cls, path: Path | str) -> RdflibStore:
        """Load a TriG or N-Quads file."""
        ds = Dataset(default_union=True)
        ds.parse(str(path), format="nquads" if str(path).endswith(".nq") else "trig")
        return cls(ds)

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None = None, *,
               allow_remote: bool = False) -> QueryResult:
        """Check and run a SELECT or ASK query with variables bound to RDF terms (never pasted into the text).

        rdflib's parser is not thread-safe: parsing and evaluation hold :data:`RDFLIB_PARSER_LOCK`.
        """
        checked = _checked(sparql, allow_remote)
        with RDFLIB_PARSER_LOCK:
            result = self.dataset.query(_rdflib_query(checked.bind(bindings), checked.added_lines))
            if result.type == "ASK":
                return QueryResult([], [], bool(result.askAnswer))
            names = [str(v) for v in result.vars or []]
            rows = [{name: row[i] for i, name in enumerate(names) if row[i] is not None} for row in result]
        order = checked.order(names)
        return QueryResult(order, rows)


@lru_cache(maxsize=256)
def _rdflib_query(text: str, added_lines: int) -> Query:
    """rdflib's parse of a checked text (call with RDFLIB_PARSER_LOCK held); its errors as QuerySyntaxError."""
    try:
        return algebra.translateQuery(parser.parseQuery(text))
    except ParseBaseException as exc:
        raise QuerySyntaxError(max(exc.lineno - added_lines, 1), exc.col, f"rdflib cannot parse this query: {exc.msg}") from None
    except RecursionError:
        raise QueryTooLarge("too deeply nested for rdflib (fix: flatten it, or use the oxigraph engine)") from None
    except Exception as exc:  # rdflib raises plain Exception for what it does not support
        raise KgError(f"rdflib cannot run this query: {exc} (fix: use the oxigraph engine)") from None


class OxigraphStore:
    """A pyoxigraph Store (in memory, or on disk with :meth:`persistent`) queried with the default graph as the
    union of all graphs."""

    name = "oxigraph"

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    @classmethod
    def from_file(cls, path: Path | str) -> OxigraphStore:
        """Load a TriG or N-Quads file into memory."""
        store = ox.Store()
        store.bulk_load(path=str(path), format=_format(path))
        return cls(store)

    @classmethod
    def from_data(cls, data: bytes, format: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> OxigraphStore:
        """Load RDF held in memory (``kg build`` counts what it wrote this way)."""
        store = ox.Store()
        store.bulk_load(data, format=format)
        return cls(store)

    @classmethod
    def persistent(cls, path: Path | str, location: Path | str) -> OxigraphStore:
        """An on-disk store in the folder ``location``, bulk-loaded from ``path`` once and reopened read-only later.

        The folder holds ``kg-store.json``, a stamp of the dataset it was loaded from (path, size,
        modification time and SHA-256); when the dataset changes, the folder is emptied and loaded again.
        """
        path, location = Path(path).resolve(), Path(location)
        stamp = {"dataset": str(path), "bytes": path.stat().st_size, "mtime_ns": path.stat().st_mtime_ns}
        stamp_file = location / "kg-store.json"
        old = json.loads(stamp_file.read_text(encoding="utf-8")) if stamp_file.exists() else {}
        if {k: old.get(k) for k in stamp} != stamp:
            stamp["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
            if old.get("sha256") != stamp["sha256"] or old.get("dataset") != stamp["dataset"]:
                if location.exists() and any(location.iterdir()) and not stamp_file.exists():
                    raise KgError(f"{location} is not empty and is not a kg store (fix: give an empty or new folder)")
                shutil.rmtree(location, ignore_errors=True)
                location.mkdir(parents=True)
                store = ox.Store(str(location))
                store.bulk_load(path=str(path), format=_format(path))
                store.flush()
                del store
            stamp_file.write_text(json.dumps(stamp, indent=1), encoding="utf-8")
        return cls(ox.Store.read_only(str(location)))

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None = None, *,
               allow_remote: bool = False) -> QueryResult:
        """Check and run a SELECT or ASK query with variables bound to RDF terms (a VALUES block, never pasted text)."""
        checked = _checked(sparql, allow_remote)
        try:
            result = self.store.query(checked.bind(bindings), use_default_graph_as_union=True)
        except SyntaxError as exc:  # the check uses Oxigraph's grammar: only a bound value could get here
            raise KgError(f"oxigraph refused the query: {exc}") from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise KgError(f"oxigraph could not run the query: {exc}") from None
        if isinstance(result, ox.QueryBoolean):
            return QueryResult([], [], bool(result))
        # held as Oxigraph's own solutions: rdflib terms are made when the rows are first read
        return QueryResult(checked.order([v.value for v in result.variables]), solutions=result)


def _format(path: Path | str) -> ox.RdfFormat:
    return ox.RdfFormat.N_QUADS if str(path).endswith(".nq") else ox.RdfFormat.TRIG


def _spec_aggregates() -> None:
    """Make rdflib's aggregates follow SPARQL 1.1 section 18.5 as Oxigraph does: an error (unbound, wrong type)
    in GROUP_CONCAT, SUM, AVG, MIN or MAX makes the aggregate unbound; COUNT and SAMPLE skip it."""
    skipping = (aggregates.Counter, aggregates.Sample)

    def value_error(acc: aggregates.Accumulator, row: Any) -> bool:
        try:
            value = _eval(acc.expr, row)
        except (NotBoundError, SPARQLError):
            return True
        if isinstance(value, NotBoundError | SPARQLError):
            return True
        return isinstance(acc, aggregates.GroupConcat) and not (isinstance(value, Literal) and value.datatype is None)

    def update(self: aggregates.Aggregator, row: Any) -> None:
        for acc in list(self.accumulators.values()):
            if getattr(acc, "kg_error", False):
                continue
            if not isinstance(acc, skipping) and value_error(acc, row):
                acc.kg_error = True  # type: ignore[attr-defined]
                continue
            try:
                if acc.use_row(row):
                    acc.update(row, self)
            except SPARQLError:
                acc.kg_error = True  # type: ignore[attr-defined]

    def set_value(self: aggregates.Accumulator, bindings: Any) -> None:
        if getattr(self, "kg_error", False):
            bindings.pop(self.var, None)
        else:
            bindings[self.var] = self.get_value()

    aggregates.Aggregator.update = update  # type: ignore[method-assign]
    aggregates.Accumulator.set_value = set_value  # type: ignore[method-assign]


_spec_aggregates()


def built_dataset(path: Path | str | None = None) -> Path:
    """The built dataset file to read: ``path``, else the build of the corpus in use; a clear error if it is missing.

    >>> built_dataset().name
    'kg.trig'
    """
    path = Path(path) if path else find_corpus().dataset
    if not path.exists():
        raise KgError(f"no built dataset at {path}: run 'kg build' first (in the corpus folder, or with --corpus DIR)")
    return path


def open_store(path: Path | str | None = None, engine: str = DEFAULT_ENGINE, store_path: Path | str | None = None
               ) -> RdflibStore | OxigraphStore:
    """Load a built dataset (see :func:`built_dataset`) into an engine: "oxigraph" (default) or "rdflib".

    ``store_path`` (Oxigraph only): keep the store on disk in that folder and reopen it next time
    (see :meth:`OxigraphStore.persistent`).
    """
    if engine not in ENGINES:
        raise KgError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    if store_path is not None:
        if engine != "oxigraph":
            raise KgError("a store on disk (store_path, --store-path) needs the oxigraph engine")
        return OxigraphStore.persistent(built_dataset(path), store_path)
    return (OxigraphStore if engine == "oxigraph" else RdflibStore).from_file(built_dataset(path))
