"""The ontology: documented terms, alignments, SHACL shapes that bite, OWL RL consistency."""

from __future__ import annotations

from pathlib import Path

import owlrl
import pytest
from pyshacl import validate as shacl_validate
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef

from kg.annotations import load_corpus
from kg.build import build_dataset
from kg.namespaces import KG, ONTOLOGY_GRAPH, entity_iri, statement_iri
from kg.ontology_docs import ontology_reference
from kg.validate import check_shacl

ROOT = Path(__file__).resolve().parents[1]
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")  # where owlrl writes inconsistencies
SEED = "000_0e22b9a82a6b1fdf"


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "kg.ttl", format="turtle")


def kg_terms(ontology: Graph) -> set[URIRef]:
    types = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept, SKOS.ConceptScheme,
             KG.Firmness, KG.EpistemicStatus, KG.Modality)
    return {s for t in types for s in ontology.subjects(RDF.type, t) if isinstance(s, URIRef) and s.startswith(str(KG))}


def test_every_term_has_label_and_definition(ontology: Graph) -> None:
    terms = kg_terms(ontology)
    assert len(terms) > 80
    missing = sorted(t for t in terms if (t, RDFS.label, None) not in ontology or (t, SKOS.definition, None) not in ontology)
    assert missing == []


def test_header_metadata(ontology: Graph) -> None:
    header = URIRef("https://w3id.org/kg/ontology")
    assert (header, RDF.type, OWL.Ontology) in ontology
    for predicate in ("title", "description", "license", "creator", "created"):
        assert ontology.value(header, URIRef(f"http://purl.org/dc/terms/{predicate}")) is not None
    assert ontology.value(header, OWL.versionInfo) == Literal("0.1.0")


@pytest.mark.parametrize("term, predicate, target", [
    ("Position", RDFS.subClassOf, "http://www.w3.org/ns/prov#Entity"),
    ("Position", RDFS.subClassOf, "https://vocab.methodandstructure.com/ibis#Position"),
    ("Evidence", RDFS.subClassOf, "http://www.w3.org/ns/oa#Annotation"),
    ("Person", RDFS.subClassOf, "http://xmlns.com/foaf/0.1/Person"),
    ("Organisation", RDFS.subClassOf, "http://www.w3.org/ns/org#Organization"),
    ("Event", RDFS.subClassOf, "http://semanticweb.cs.vu.nl/2009/11/sem/Event"),
    ("Issue", RDFS.subClassOf, "http://www.w3.org/2004/02/skos/core#Concept"),
    ("topic", RDFS.subPropertyOf, "http://purl.org/dc/terms/subject"),
    ("reportedBy", RDFS.subPropertyOf, "http://www.w3.org/ns/prov#wasAttributedTo"),
    ("participant", RDFS.subPropertyOf, "http://semanticweb.cs.vu.nl/2009/11/sem/hasActor"),
])
def test_alignments(ontology: Graph, term: str, predicate: URIRef, target: str) -> None:
    assert (KG[term], predicate, URIRef(target)) in ontology


def test_wikidata_links_use_entity_iris() -> None:
    ds = build_dataset(load_corpus())
    assert (entity_iri("actor", "ukraine"), OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q212")) in ds
    assert (entity_iri("place", "luhansk-oblast"), OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q171965")) in ds
    # never guessed: the ones not confirmed carry no link (see data/wikidata.md)
    assert list(ds.objects(entity_iri("actor", "steve-witkoff"), OWL.sameAs)) == []


def test_term_shape_catches_an_undefined_term(ontology: Graph) -> None:
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl", format="turtle")
    broken = Graph() + ontology
    broken.remove((KG.Demand, SKOS.definition, None))
    conforms, _, text = shacl_validate(broken, shacl_graph=shapes, advanced=True)
    assert not conforms
    assert "Focus Node: kg:Demand" in text and "Less than 1 values on kg:Demand->skos:definition" in text


def test_data_shapes_catch_a_position_without_firmness() -> None:
    corpus = load_corpus()
    ds = build_dataset(corpus)
    demand = statement_iri(SEED, "russia-demands-donbas")
    for graph in ds.graphs():
        graph.remove((demand, KG.firmness, None))
    conforms, text = check_shacl(corpus, ds)
    assert not conforms
    assert "russia-demands-donbas" in text and "a position has exactly one firmness" in text


def test_data_shapes_catch_a_relation_without_evidence() -> None:
    corpus = load_corpus()
    ds = build_dataset(corpus)
    relation = URIRef(f"{statement_iri(SEED, 'territorial-status')}/relation/dependsOn/territorial-referendum")
    for graph in ds.graphs():
        graph.remove((relation, KG.evidence, None))
    conforms, text = check_shacl(corpus, ds)
    assert not conforms
    assert "every relation between statements carries its own evidence" in text


def test_data_shapes_catch_inverted_offsets() -> None:
    corpus = load_corpus()
    ds = build_dataset(corpus)
    position = URIRef(f"{statement_iri(SEED, 'russia-demands-donbas')}/evidence/1/position")
    oa_start = URIRef("http://www.w3.org/ns/oa#start")
    for graph in ds.graphs():
        for triple in list(graph.triples((position, oa_start, None))):
            graph.remove(triple)
            graph.add((position, oa_start, Literal(9999, datatype=triple[2].datatype)))
    conforms, text = check_shacl(corpus, ds)
    assert not conforms and "LessThan" in text


def owl_rl_errors(graph: Graph) -> list[str]:
    closed = Graph() + graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
    return sorted(str(m) for m in closed.objects(None, ERR.error))


@pytest.mark.slow
def test_ontology_and_data_are_consistent_under_owl_rl() -> None:
    ds = build_dataset(load_corpus())
    union = Graph()
    for triple in ds.triples((None, None, None)):
        union.add(triple)
    assert owl_rl_errors(union) == []


@pytest.mark.slow
def test_owl_rl_check_detects_an_inconsistency() -> None:
    """The same check on an invented contradiction: one node typed as two disjoint kinds of actor."""
    ds = build_dataset(load_corpus())
    graph = Graph() + ds.graph(ONTOLOGY_GRAPH)
    invented = URIRef("https://example.org/invented/actor")
    graph.add((invented, RDF.type, KG.Person))
    graph.add((invented, RDF.type, KG.State))
    errors = owl_rl_errors(graph)
    assert any("Disjoint" in e or "disjoint" in e for e in errors), errors


def test_ontology_reference_is_generated_and_current() -> None:
    """ontology/README.md is what `python -m kg.ontology_docs` writes from ontology/kg.ttl."""
    generated = ontology_reference()
    assert (ROOT / "ontology" / "README.md").read_text(encoding="utf-8") == generated
    assert "| `kg:dependsOn` | depends on |" in generated
    assert "| `kg:Ultimatum` | ultimatum |  | A final demand with consequences attached. |" in generated
