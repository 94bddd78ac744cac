"""Engines that answer SPARQL over a built dataset: embedded rdflib (the default) or pyoxigraph (faster).

Every store takes a query and RDF-term bindings and returns a :class:`kg.results.QueryResult`
whose values are rdflib terms, so the helpers above it do not care which engine answered.

>>> store = RdflibStore.from_file(built_dataset())
>>> result = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
>>> int(result.rows[0]["n"]) > 1000
True
>>> open_store(None, "oxigraph").select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == result
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Variable
from rdflib.term import Identifier

from kg.corpus import find_corpus
from kg.errors import KgError
from kg.results import QueryResult
from kg.terms import to_oxigraph, to_rdflib

ENGINES = ("rdflib", "oxigraph")
DEFAULT_ENGINE = "rdflib"


class RdflibStore:
    """The embedded default: an rdflib Dataset whose default graph is the union of all graphs."""

    name = "rdflib"

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    @classmethod
    def from_file(cls, path: Path | str) -> RdflibStore:
        """Load a TriG or N-Quads file."""
        ds = Dataset(default_union=True)
        ds.parse(str(path), format="nquads" if str(path).endswith(".nq") else "trig")
        return cls(ds)

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        """Run a SELECT or ASK query with variables bound to RDF terms (never pasted into the text)."""
        result = self.dataset.query(sparql, initBindings={Variable(k): v for k, v in (bindings or {}).items()})
        if result.type == "ASK":
            return QueryResult([], [], bool(result.askAnswer))
        names = [str(v) for v in result.vars or []]
        rows = [{name: row[i] for i, name in enumerate(names) if row[i] is not None} for row in result]
        return QueryResult(names, rows)


class OxigraphStore:
    """The faster engine: an in-memory pyoxigraph Store queried with the default graph as the union of all graphs."""

    name = "oxigraph"

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    @classmethod
    def from_file(cls, path: Path | str) -> OxigraphStore:
        """Load a TriG or N-Quads file."""
        store = ox.Store()
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS if str(path).endswith(".nq") else ox.RdfFormat.TRIG)
        return cls(store)

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        """Run a SELECT or ASK query with variables bound to RDF terms (SEP-0007 substitutions)."""
        try:
            result = self.store.query(sparql, use_default_graph_as_union=True,
                                      substitutions={ox.Variable(k): to_oxigraph(v) for k, v in (bindings or {}).items()})
        except RuntimeError as exc:
            missing = re.search(r"variable (\?\w+) in its SELECT projection", str(exc))
            if not missing:
                raise
            raise KgError(f"oxigraph can only bind variables of the SELECT clause: add {missing.group(1)} to it") from None
        if isinstance(result, ox.QueryBoolean):
            return QueryResult([], [], bool(result))
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("only SELECT and ASK queries return rows; this is a CONSTRUCT or DESCRIBE query")
        names = [v.value for v in result.variables]
        rows = [{name: to_rdflib(row[name]) for name in names if row[name] is not None} for row in result]
        return QueryResult(names, rows)


def built_dataset(path: Path | str | None = None) -> Path:
    """The built dataset file to read: ``path``, else the build of the corpus in use; a clear error if it is missing.

    >>> built_dataset().name
    'kg.trig'
    """
    path = Path(path) if path else find_corpus().dataset
    if not path.exists():
        raise KgError(f"no built dataset at {path}: run 'kg build' first (in the corpus folder, or with --corpus DIR)")
    return path


def open_store(path: Path | str | None = None, engine: str = DEFAULT_ENGINE) -> RdflibStore | OxigraphStore:
    """Load a built dataset (see :func:`built_dataset`) into an engine: "rdflib" (default) or "oxigraph"."""
    stores = {"rdflib": RdflibStore, "oxigraph": OxigraphStore}
    if engine not in stores:
        raise KgError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    return stores[engine].from_file(built_dataset(path))
