"""The vocabulary as the tools use it, read from the packaged ontology (``kg/ontology/kg.ttl``) alone.

Kinds of statement and actor, the firmness, status, modality and codebook concepts, and the one
relation table (curated YAML key, predicate, network edge name, meaning, style) all come from the
ontology file, so the curated-data checks, the build, the network view, the graph page, the
queries and the synthetic generator cannot drift apart from it or from each other.

>>> VOCABULARY.firmness["Ultimatum"].rank
5
>>> VOCABULARY.relation("depends_on").edge, VOCABULARY.relation("holder").reversed
('depends-on', True)
>>> [k for k in VOCABULARY.position_kinds][:3]
['Argument', 'Assessment', 'Claim']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef

from kg.namespaces import KG, UNIT

ONTOLOGY_DIR = Path(str(resources.files("kg") / "ontology"))
ONTOLOGY_FILE = ONTOLOGY_DIR / "kg.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"

UNITS: dict[str, URIRef] = {"year": UNIT["YR"], "percent": UNIT["PERCENT"]}
"""Units a curated quantity may have, and their QUDT unit IRIs."""


@dataclass(frozen=True)
class Concept:
    """A concept of a kg scheme (a firmness, a status, a modality, a code): local name, label, rank."""

    name: str
    iri: URIRef
    label: str
    rank: int | None = None


@dataclass(frozen=True)
class Relation:
    """One row of the relation table.

    ``key`` is the curated YAML key (or None), ``predicate`` the RDF property, ``refers`` what the
    key's values are ("actor", "issue", "place", "statement", "any", "firmness", "status", "modality",
    "code", "role", "text", "bool", "date", "year", "quantity"), ``edge`` the network edge name (or None),
    ``reversed`` whether the edge reads object -> subject, ``meaning`` and ``style`` for pages.
    """

    key: str | None
    predicate: URIRef
    refers: str
    edge: str | None = None
    reversed: bool = False
    meaning: str = ""
    style: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


_RANGES = {KG.Actor: "actor", KG.Issue: "issue", KG.Place: "place", KG.Position: "statement", KG.Event: "statement",
           KG.Firmness: "firmness", KG.EpistemicStatus: "status", KG.Modality: "modality", SKOS.Concept: "code",
           XSD.string: "text", XSD.boolean: "bool", XSD.date: "date", XSD.gYear: "year", KG.Quantity: "quantity",
           KG.Role: "role"}


def parse_style(text: str) -> dict[str, Any]:
    """An edge style annotation as vis-network options.

    >>> parse_style("color:#c0392b; width:3; dashes:8 5; arrow:false")
    {'color': '#c0392b', 'width': 3, 'dashes': [8, 5], 'arrow': False}
    """
    style: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, _, value = (s.strip() for s in part.partition(":"))
        if name == "dashes":
            style[name] = [int(n) for n in value.split()]
        elif name == "arrow":
            style[name] = value == "true"
        elif name == "width":
            style[name] = int(value) if value.isdigit() else float(value)
        else:
            style[name] = value
    return style


class Vocabulary:
    """Everything the tools need to know of the ontology; :data:`VOCABULARY` is the packaged one."""

    def __init__(self, ontology: Graph) -> None:
        self.graph = ontology

    def _subclasses(self, parent: URIRef) -> list[str]:
        found = {s for s in self.graph.transitive_subjects(RDFS.subClassOf, parent) if s != parent}
        return sorted(str(s).removeprefix(str(KG)) for s in found if str(s).startswith(str(KG)))

    def _label(self, node: URIRef) -> str:
        return str(self.graph.value(node, RDFS.label) or node)

    def _concepts(self, cls: URIRef) -> dict[str, Concept]:
        members = sorted(self.graph.subjects(RDF.type, cls), key=lambda n: (int(self.graph.value(n, KG.rank) or 0), str(n)))
        return {str(n).removeprefix(str(KG)): Concept(str(n).removeprefix(str(KG)), n, self._label(n),
                                                     int(r) if (r := self.graph.value(n, KG.rank)) is not None else None)
                for n in members}

    @cached_property
    def position_kinds(self) -> list[str]:
        """The kinds of position (subclasses of kg:Position)."""
        return self._subclasses(KG.Position)

    @cached_property
    def event_kinds(self) -> list[str]:
        """The kinds of event (subclasses of kg:Event)."""
        return self._subclasses(KG.Event)

    @cached_property
    def statement_kinds(self) -> list[str]:
        """Every kind a curated statement may have: positions, events and Conflict."""
        return [*self.position_kinds, *self.event_kinds, "Conflict"]

    @cached_property
    def actor_kinds(self) -> list[str]:
        """The kinds of actor (subclasses of kg:Actor)."""
        return self._subclasses(KG.Actor)

    @cached_property
    def firmness(self) -> dict[str, Concept]:
        """Firmness concepts, weakest first (kg:rank)."""
        return self._concepts(KG.Firmness)

    @cached_property
    def status(self) -> dict[str, Concept]:
        """Epistemic status concepts."""
        return self._concepts(KG.EpistemicStatus)

    @cached_property
    def modality(self) -> dict[str, Concept]:
        """Modality concepts."""
        return self._concepts(KG.Modality)

    @cached_property
    def codes(self) -> dict[str, Concept]:
        """Codebook concepts (PLOVER, CAMEO) a statement may be coded as."""
        schemes = (KG.PLOVER, KG.CAMEO)
        return {str(n).removeprefix(str(KG)): Concept(str(n).removeprefix(str(KG)), n, self._label(n))
                for n in sorted(s for scheme in schemes for s in self.graph.subjects(SKOS.inScheme, scheme))}

    @cached_property
    def relations(self) -> list[Relation]:
        """The relation table, ordered by predicate: every property with a curated key or a network edge."""
        rows = [Relation("label", RDFS.label, "text")]
        for prop in sorted(set(self.graph.subjects(KG.curatedKey, None)) | set(self.graph.subjects(KG.networkEdge, None))):
            key = self.graph.value(prop, KG.curatedKey)
            target = self.graph.value(prop, KG.curatedRange) or self.graph.value(prop, RDFS.range)
            edge = self.graph.value(prop, KG.networkEdge)
            rows.append(Relation(str(key) if key else None, prop, _RANGES.get(target, "any"),
                                 str(edge) if edge else None, self.graph.value(prop, KG.edgeReversed) == Literal(True),
                                 str(self.graph.value(prop, KG.edgeMeaning) or ""),
                                 parse_style(str(self.graph.value(prop, KG.edgeStyle) or ""))))
        return rows

    def relation(self, key: str) -> Relation:
        """The row of a curated key (KeyError if no property has it)."""
        for row in self.relations:
            if row.key == key:
                return row
        raise KeyError(key)

    @cached_property
    def curated_keys(self) -> dict[str, Relation]:
        """Curated YAML key -> its row."""
        return {row.key: row for row in self.relations if row.key}

    @cached_property
    def edges(self) -> dict[str, Relation]:
        """Network edge name -> its row, in the order of the table."""
        return {row.edge: row for row in self.relations if row.edge}


VOCABULARY = Vocabulary(Graph().parse(ONTOLOGY_FILE, format="turtle"))
"""The vocabulary of the packaged ontology."""

