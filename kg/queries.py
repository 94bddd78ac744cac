"""Queries: the library of named SPARQL queries and the Python helpers researchers call.

>>> g = load()
>>> [a.label for a in g.actors() if a.kind == "State"]
['Russia', 'Ukraine', 'United Arab Emirates', 'United States']
>>> [p.label for p in g.positions(actor="the Kremlin", kind="Demand")]
['Russia insists on the surrender of the entire Donbas']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from kg.build import KG
from kg.errors import KgError
from kg.store import DEFAULT_DATASET, QueryResult, RdflibStore

QUERY_DIR = resources.files("kg") / "queries"
HEADER = re.compile(r"^#\s*(\w+):\s*(.*)$")


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library: its name, header fields and SPARQL text."""

    name: str
    description: str
    params: str
    example: str
    sparql: str


def named_queries() -> dict[str, NamedQuery]:
    """The query library shipped in ``kg/queries/*.rq``, by name.

    >>> "actors" in named_queries()
    True
    """
    library = {}
    for entry in sorted(QUERY_DIR.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".rq"):
            continue
        text = entry.read_text(encoding="utf-8")
        header = {m.group(1): m.group(2).strip() for m in map(HEADER.match, text.splitlines()) if m}
        name = header.get("name", entry.name[:-3])
        library[name] = NamedQuery(name, header.get("description", ""), header.get("params", ""),
                                   header.get("example", ""), text)
    return library


@dataclass(frozen=True)
class Actor:
    """An actor: IRI, preferred label, kind (State, Person...), all names, Wikidata id."""

    iri: str
    label: str
    kind: str
    names: tuple[str, ...]
    wikidata: str | None


@dataclass(frozen=True)
class Position:
    """A position: IRI, label, kind (Demand, Offer...), holder, addressee, content, firmness, status."""

    iri: str
    label: str
    kind: str
    holder: str
    addressee: str | None
    content: str
    firmness: str
    status: str


def _local(term: Identifier | None) -> str | None:
    """The local name of a kg: term, the string of anything else."""
    if term is None:
        return None
    text = str(term)
    return text.removeprefix(str(KG))


class KnowledgeGraph:
    """The built graph with its helpers; ``kg.load()`` returns one."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def query(self, sparql: str, **bindings: Any) -> QueryResult:
        """Run SPARQL; keyword arguments bind variables to RDF terms (str IRIs become IRIs).

        >>> g = load()
        >>> r = g.query("SELECT ?label WHERE { ?a <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
        ...             a="https://w3id.org/kg/id/actor/russia")
        >>> [str(row["label"]) for row in r.rows]
        ['Russia']
        """
        return self.store.select(sparql, {k: _term(v) for k, v in bindings.items()})

    def actors(self) -> list[Actor]:
        """Every actor, sorted by kind and label."""
        rows = self.query(named_queries()["actors"].sparql).rows
        return [Actor(str(r["actor"]), str(r["label"]), _local(r["kind"]) or "",
                      tuple(sorted(str(r.get("names", "")).split("|"))), _local(r.get("wikidata"))) for r in rows]

    def resolve_actor(self, actor: str) -> str:
        """The IRI of an actor given by IRI or by any of its names (case-insensitive).

        >>> load().resolve_actor("Washington")
        'https://w3id.org/kg/id/actor/united-states'
        """
        wanted = actor.casefold()
        matches = sorted({a.iri for a in self.actors() if a.iri == actor or wanted in (n.casefold() for n in (a.label, *a.names))})
        if len(matches) != 1:
            raise KgError(f"{'no' if not matches else 'more than one'} actor named {actor!r}"
                          + (f": {', '.join(matches)}" if matches else "; see kg query actors"))
        return matches[0]

    def positions(self, actor: str | None = None, kind: str | None = None) -> list[Position]:
        """Positions, optionally of one holder (IRI or name) and of one kind ("Demand" or its IRI)."""
        bindings: dict[str, Any] = {}
        if actor is not None:
            bindings["holder"] = URIRef(self.resolve_actor(actor))
        if kind is not None:
            bindings["kind"] = URIRef(kind if kind.startswith("http") else str(KG[kind]))
        rows = self.query(named_queries()["positions"].sparql, **bindings).rows
        return [Position(str(r["position"]), str(r["label"]), _local(r["kind"]) or "", str(r["holder"]),
                         _local(r.get("addressee")), str(r["content"]), str(r["firmness"]), str(r["status"]))
                for r in rows]


def _term(value: Any) -> Identifier:
    """A Python value as an RDF term: terms stay, http(s) strings become IRIs, the rest literals."""
    if isinstance(value, Identifier):
        return value
    if isinstance(value, str) and re.match(r"^https?://\S+$", value):
        return URIRef(value)
    return Literal(value)


def load(path: Path | str | None = None) -> KnowledgeGraph:
    """Load the built dataset (``data/build/kg.trig`` by default) into the embedded store."""
    path = Path(path) if path else DEFAULT_DATASET
    if not path.exists():
        raise KgError(f"no built dataset at {path}: run 'kg build' first")
    return KnowledgeGraph(RdflibStore.from_file(path))
