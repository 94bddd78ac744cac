"""Stores that answer SPARQL over the built dataset: embedded rdflib (the default) or pyoxigraph (faster).

Every store takes a query and RDF-term bindings and returns a :class:`QueryResult` whose
values are rdflib terms, so the helpers above it do not care which engine answered.

>>> store = RdflibStore.from_file(DEFAULT_DATASET)
>>> result = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
>>> int(result.rows[0]["n"]) > 1000
True
>>> open_store(DEFAULT_DATASET, "oxigraph").select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == result
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.term import Identifier

from kg.annotations import PROJECT_ROOT
from kg.errors import KgError

DEFAULT_DATASET = PROJECT_ROOT / "data" / "build" / "kg.trig"
ENGINES = ("rdflib", "oxigraph")


@dataclass
class QueryResult:
    """Rows of a SELECT (each a dict from variable name to rdflib term), or an ASK boolean."""

    vars: list[str]
    rows: list[dict[str, Identifier]] = field(default_factory=list)
    boolean: bool | None = None

    def to_sparql_json(self) -> dict[str, Any]:
        """The result in the SPARQL 1.1 Query Results JSON format (https://www.w3.org/TR/sparql11-results-json/).

        >>> QueryResult(["n"], [{"n": Literal(2)}]).to_sparql_json()["results"]["bindings"]
        [{'n': {'type': 'literal', 'value': '2', 'datatype': 'http://www.w3.org/2001/XMLSchema#integer'}}]
        >>> QueryResult([], [], True).to_sparql_json()
        {'head': {}, 'boolean': True}
        """
        if self.boolean is not None:
            return {"head": {}, "boolean": self.boolean}
        return {"head": {"vars": list(self.vars)},
                "results": {"bindings": [{k: _json_term(v) for k, v in row.items()} for row in self.rows]}}

    def to_dataframe(self) -> Any:
        """The rows as a pandas DataFrame of strings (needs the optional pandas extra)."""
        import pandas as pd

        return pd.DataFrame([{v: (str(r[v]) if v in r else None) for v in self.vars} for r in self.rows],
                            columns=self.vars)


def _json_term(term: Identifier) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal) and term.language:
        return {"type": "literal", "value": str(term), "xml:lang": term.language}
    if isinstance(term, Literal) and term.datatype:
        return {"type": "literal", "value": str(term), "datatype": str(term.datatype)}
    return {"type": "literal", "value": str(term)}


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


def _to_oxigraph(term: Identifier) -> Any:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))
    raise TypeError(f"cannot bind {term!r}: use an IRI, a blank node or a literal")


def _to_rdflib(term: Any) -> Identifier:
    """A pyoxigraph term as the rdflib term rdflib itself would return (xsd:string literals stay plain)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))
    raise TypeError(f"unsupported result term {term!r}")


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
                                      substitutions={ox.Variable(k): _to_oxigraph(v) for k, v in (bindings or {}).items()})
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
        rows = [{name: _to_rdflib(row[name]) for name in names if row[name] is not None} for row in result]
        return QueryResult(names, rows)


def built_dataset(path: Path | str | None = None) -> Path:
    """The built dataset file to read: ``path``, else ``data/build/kg.trig``; a clear error if it is missing.

    >>> built_dataset().name
    'kg.trig'
    """
    path = Path(path) if path else DEFAULT_DATASET
    if not path.exists():
        raise KgError(f"no built dataset at {path}: run 'kg build' first")
    return path


def open_store(path: Path | str | None = None, engine: str = "rdflib") -> RdflibStore | OxigraphStore:
    """Load a built dataset (see :func:`built_dataset`) into an engine: "rdflib" (default) or "oxigraph"."""
    stores = {"rdflib": RdflibStore, "oxigraph": OxigraphStore}
    if engine not in stores:
        raise KgError(f"unknown store {engine!r}: use one of {', '.join(ENGINES)}")
    return stores[engine].from_file(built_dataset(path))
