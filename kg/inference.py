"""The inferred layer: what the ontology says follows from the curated graph, materialised at build time.

For every triple of the data graphs (entities and articles) and the instances of the ontology graph:

* ``?x a C`` gives ``?x a S`` for every superclass ``S`` of ``C`` (``rdfs:subClassOf``, transitively):
  a ``kg:Demand`` is also a ``kg:Position``, an ``ibis:Position``, a ``prov:Entity``...;
* ``?x p ?y`` gives ``?x q ?y`` for every superproperty ``q`` of ``p`` (``rdfs:subPropertyOf``,
  transitively), ``?y i ?x`` for every declared inverse ``i`` (``owl:inverseOf``, both ways: ``kg:hasPart``,
  ``kg:requiredFor``, ``ibis:endorses``), and ``?y p ?x`` when ``p`` is an ``owl:SymmetricProperty``;

repeated until nothing new follows. Only triples not already asserted are returned: :mod:`kg.build`
puts them in their own named graph (``https://w3id.org/kg/graph/inferred``, :data:`kg.namespaces.INFERRED_GRAPH`)
so that a query can leave them out. This is the RDFS/OWL RL subset that queries need, computed
directly (the full OWL RL closure of the seed takes minutes; this takes milliseconds) and deterministic.

>>> from rdflib import Graph, URIRef
>>> from kg.namespaces import KG
>>> ontology = Graph().parse(data="@prefix kg: <https://w3id.org/kg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . "
...                          "kg:Demand rdfs:subClassOf kg:Position .", format="turtle")
>>> data = Graph().parse(data="<https://example.org/invented/d> a <https://w3id.org/kg/ontology#Demand> .", format="turtle")
>>> sorted(infer(data, ontology))
[(rdflib.term.URIRef('https://example.org/invented/d'), rdflib.term.URIRef('http://www.w3.org/1999/02/22-rdf-syntax-ns#type'), \
rdflib.term.URIRef('https://w3id.org/kg/ontology#Position'))]
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


def _closure(ontology: Graph, predicate: URIRef) -> dict[Node, set[Node]]:
    """Each term mapped to everything above it along ``predicate`` (transitively, itself excluded)."""
    direct: dict[Node, set[Node]] = defaultdict(set)
    for sub, sup in ontology.subject_objects(predicate):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef) and sub != sup:
            direct[sub].add(sup)
    above: dict[Node, set[Node]] = {}
    for term in list(direct):
        seen: set[Node] = set()
        todo = list(direct[term])
        while todo:
            node = todo.pop()
            if node not in seen and node != term:
                seen.add(node)
                todo.extend(direct.get(node, ()))
        above[term] = seen
    return above


def infer(data: Graph, ontology: Graph) -> set[Triple]:
    """The triples that follow from ``data`` under the class, property, inverse and symmetry axioms of ``ontology``.

    ``data`` may be a Dataset (its union is read); the result holds only triples ``data`` does not assert.
    """
    superclasses = _closure(ontology, RDFS.subClassOf)
    superproperties = _closure(ontology, RDFS.subPropertyOf)
    inverses: dict[Node, set[Node]] = defaultdict(set)
    for a, b in ontology.subject_objects(OWL.inverseOf):
        inverses[a].add(b)
        inverses[b].add(a)
    symmetric = set(ontology.subjects(RDF.type, OWL.SymmetricProperty))

    def consequences(s: Node, p: Node, o: Node) -> list[Triple]:
        if p == RDF.type:
            return [(s, RDF.type, c) for c in superclasses.get(o, ())]
        found: list[Triple] = [(s, q, o) for q in superproperties.get(p, ())]
        found += [(o, i, s) for i in inverses.get(p, ()) if isinstance(o, URIRef)]
        if p in symmetric and isinstance(o, URIRef):
            found.append((o, p, s))
        return found

    asserted = set(data.triples((None, None, None)))
    inferred: set[Triple] = set()
    todo = [t for t in asserted if t[1] == RDF.type or t[1] in superproperties or t[1] in inverses or t[1] in symmetric]
    while todo:
        for triple in consequences(*todo.pop()):
            if triple not in asserted and triple not in inferred:
                inferred.add(triple)
                todo.append(triple)
    return inferred
