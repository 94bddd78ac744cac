"""CONSTRUCT and DESCRIBE queries: their answer is a graph, written as Turtle, N-Triples or JSON-LD.

Every engine answers them: rdflib, pyoxigraph (default graph = union of the named graphs, as for
SELECT) and a remote SPARQL endpoint (asked for N-Triples). ``kg query`` runs them in a worker with
the same time limit as SELECT queries, through :class:`GraphAnswers`.

>>> from kg.store import open_store
>>> q = "PREFIX kg: <https://w3id.org/kg/ontology#> CONSTRUCT { ?d a kg:Demand } WHERE { ?d a kg:Demand } LIMIT 1"
>>> print(graph_query(open_store(None, "oxigraph"), q, None, "ntriples"), end="")  # doctest: +ELLIPSIS
<https://w3id.org/kg/id/article/...> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/kg/ontology#Demand> .
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Variable
from rdflib.term import Identifier

from kg.errors import KgError
from kg.namespaces import PREFIXES
from kg.store import OxigraphStore, RdflibStore
from kg.terms import to_oxigraph

GRAPH_FORMATS = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld"}
"""Output formats of a graph answer (``kg query --format``), as rdflib names them."""


def construct(store: Any, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> Graph:
    """The graph a CONSTRUCT or DESCRIBE query answers, variables bound to RDF terms (never pasted)."""
    bindings = dict(bindings or {})
    if isinstance(store, RdflibStore):
        result = store.dataset.query(sparql, initBindings={Variable(k): v for k, v in bindings.items()})
        graph = Graph()
        for triple in result.graph or []:
            graph.add(triple)
        return graph
    if isinstance(store, OxigraphStore):
        triples = store.store.query(sparql, use_default_graph_as_union=True,
                                    substitutions={ox.Variable(k): to_oxigraph(v) for k, v in bindings.items()})
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        return Graph().parse(data=data.decode("utf-8"), format="nt")
    if hasattr(store, "construct"):
        return store.construct(sparql, bindings)
    raise KgError(f"the {getattr(store, 'name', type(store).__name__)} store cannot answer CONSTRUCT or DESCRIBE")


def serialize_graph(graph: Graph, fmt: str) -> str:
    """A graph as Turtle (kg's prefixes), N-Triples (sorted lines) or JSON-LD."""
    if fmt not in GRAPH_FORMATS:
        raise KgError(f"unknown graph format {fmt!r}: use one of {', '.join(GRAPH_FORMATS)}")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    text = graph.serialize(format=GRAPH_FORMATS[fmt])
    if fmt == "ntriples":
        text = "".join(sorted(line + "\n" for line in text.splitlines() if line.strip()))
    return text


def graph_query(store: Any, sparql: str, bindings: Mapping[str, Identifier] | None, fmt: str) -> str:
    """Run a CONSTRUCT or DESCRIBE query and write its graph in ``fmt``."""
    return serialize_graph(construct(store, sparql, bindings), fmt)


class GraphAnswers:
    """A store whose ``select`` answers a CONSTRUCT or DESCRIBE query with the serialized graph.

    It lets :class:`kg.workers.QueryWorker` (which calls ``select``) run graph queries under a time limit.
    """

    def __init__(self, store: Any, fmt: str) -> None:
        self.store, self.fmt = store, fmt

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None = None, *, allow_remote: bool = False) -> str:
        """The serialized graph; the caller has checked the query (``kg query`` does, with ``allow_remote``)."""
        return graph_query(self.store, sparql, bindings, self.fmt)


def graph_answers(open_store: Callable[[], Any], fmt: str) -> GraphAnswers:
    """Open a store and wrap it in :class:`GraphAnswers` (picklable with ``functools.partial``, for a worker)."""
    return GraphAnswers(open_store(), fmt)
