"""Namespaces, prefixes and the IRI scheme of kg: the one place they are written.

IRI scheme (``BASE`` = ``https://w3id.org/kg/``):

* ``BASE ontology#Term``                the vocabulary (prefix ``kg:``)
* ``BASE id/actor/ID``, ``id/place/ID``, ``id/issue/ID``, ``id/role/ID``   shared entities (``kgid:``)
* ``BASE id/article/ARTICLE``           an article; ``.../ARTICLE/STATEMENT`` a statement of it
* ``BASE graph/article/ARTICLE``        the named graph of an article; ``graph/entities``,
  ``graph/ontology`` and ``graph/inferred`` hold the rest

>>> statement_iri("000_0e22b9a82a6b1fdf", "russia-demands-donbas")
rdflib.term.URIRef('https://w3id.org/kg/id/article/000_0e22b9a82a6b1fdf/russia-demands-donbas')
>>> sparql_prologue(["kg", "rdfs"])
'PREFIX kg: <https://w3id.org/kg/ontology#>\\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\\n'
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV

BASE = "https://w3id.org/kg/"
KG = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
OA = Namespace("http://www.w3.org/ns/oa#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
GAF = Namespace("http://groundedannotationframework.org/gaf#")
QUDT = Namespace("http://qudt.org/schema/qudt/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
WD = Namespace("http://www.wikidata.org/entity/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")

ONTOLOGY_IRI = URIRef(BASE + "ontology")
ONTOLOGY_GRAPH = GRAPH["ontology"]
ENTITIES_GRAPH = GRAPH["entities"]
INFERRED_GRAPH = GRAPH["inferred"]
"""What ``kg build`` infers (:mod:`kg.inference`): superclass types, inverse, symmetric and super-properties."""

PREFIXES: dict[str, Namespace] = {
    "kg": KG, "kgid": ID, "oa": OA, "nif": NIF, "gaf": GAF, "qudt": QUDT, "unit": UNIT, "wd": WD,
    "prov": PROV, "dct": DCTERMS, "skos": SKOS, "org": ORG, "owl": OWL, "sem": SEM, "foaf": FOAF, "schema": SCHEMA,
    "rdf": Namespace(str(RDF)), "rdfs": Namespace(str(RDFS)), "xsd": Namespace(str(XSD)),
}
"""Every prefix kg writes in its files and reads in parameters (``kg:Demand``, ``kgid:actor/russia``)."""


def sparql_prologue(names: Iterable[str] | None = None) -> str:
    """``PREFIX`` lines for the given prefixes (all of :data:`PREFIXES` by default)."""
    return "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in (names or PREFIXES))


def article_graph(article_id: str) -> URIRef:
    """The named graph of an article.

    >>> article_graph("000_0e22b9a82a6b1fdf")
    rdflib.term.URIRef('https://w3id.org/kg/graph/article/000_0e22b9a82a6b1fdf')
    """
    return GRAPH[f"article/{article_id}"]


def article_iri(article_id: str) -> URIRef:
    """The IRI of an article (the document itself)."""
    return ID[f"article/{article_id}"]


def statement_iri(article_id: str, statement_id: str) -> URIRef:
    """The IRI of a statement of an article."""
    return URIRef(f"{article_iri(article_id)}/{statement_id}")


def entity_iri(kind: str, entity_id: str) -> URIRef:
    """The IRI of a shared actor, place, issue or role: ``entity_iri("actor", "russia")``."""
    return ID[f"{kind}/{entity_id}"]
