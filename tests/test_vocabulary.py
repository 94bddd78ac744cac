"""One vocabulary: the ontology and every tool that uses its terms agree (a test fails when one drifts)."""

from __future__ import annotations

import re

from rdflib import OWL, RDF, RDFS, Graph

from kg import annotations, build, network, viz
from kg.graph import KnowledgeGraph
from kg.library import named_queries
from kg.namespaces import KG, PREFIXES
from kg.vocabulary import ONTOLOGY_FILE, VOCABULARY, parse_style

ONTOLOGY = Graph().parse(ONTOLOGY_FILE, format="turtle")


def test_kinds_and_concepts_come_from_the_ontology() -> None:
    positions = {str(c).removeprefix(str(KG)) for c in ONTOLOGY.subjects(RDFS.subClassOf, KG.Position)}
    assert set(VOCABULARY.position_kinds) == positions == {"Demand", "Offer", "Condition", "Claim", "Argument",
                                                           "Proposal", "Assessment", "Outcome"}
    assert set(VOCABULARY.firmness) == {str(n).removeprefix(str(KG)) for n in ONTOLOGY.subjects(RDF.type, KG.Firmness)}
    assert [VOCABULARY.firmness[n].rank for n in ("Hinted", "Stated", "Insisted", "Ultimatum")] == [1, 2, 4, 5]
    assert set(VOCABULARY.status) == {"OnRecord", "Reported", "AnonymouslySourced", "ArticleVoice", "CuratorInference"}
    assert set(VOCABULARY.modality) == {"Actual", "Possible"}
    assert "Person" in VOCABULARY.actor_kinds and "MediaOrganisation" in VOCABULARY.actor_kinds


def test_every_curated_key_is_an_ontology_property() -> None:
    for key, row in VOCABULARY.curated_keys.items():
        assert annotations.STATEMENT_KEYS[key] == row.refers
        if key != "label":
            assert (row.predicate, RDF.type, None) in ONTOLOGY, key
    assert set(annotations.STATEMENT_KEYS) == {"id", "kind", "evidence", *VOCABULARY.curated_keys}


def test_the_build_writes_the_predicates_of_the_table() -> None:
    for key, predicate in build.RELATIONS.items():
        assert VOCABULARY.curated_keys[key].predicate == predicate
    assert build.RELATIONS["depends_on"] == KG.dependsOn and build.RELATIONS["status"] == KG.epistemicStatus
    assert {key for key, (predicate, _) in build.VALUES.items()} >= {"label", "content", "cue", "date", "negated"}


def test_network_page_and_query_use_the_same_edges(invented_graphs: dict[str, KnowledgeGraph]) -> None:
    edges = set(VOCABULARY.edges)
    assert set(network.RELATIONS) == edges == set(viz.EDGE_STYLES)
    assert {"holds", "depends-on", "conflicts-with", "member-of", "participates-in"} <= edges
    assert set(network.DEPENDENCY_RELATIONS) <= edges
    answered = {str(r["relation"]) for r in invented_graphs["oxigraph"].named("network-edges")}
    assert answered <= edges and {"holds", "addressed-to", "depends-on", "topic", "participates-in"} <= answered
    # the query reads the table from the ontology graph instead of listing relations itself
    text = named_queries()["network-edges"].sparql
    assert "kg:networkEdge" in text and not re.search(r'"depends-on"|"holds"', text)


def test_every_edge_style_parses_and_every_annotated_property_is_declared() -> None:
    for prop in set(ONTOLOGY.subjects(KG.networkEdge, None)) | set(ONTOLOGY.subjects(KG.curatedKey, None)):
        assert (prop, RDF.type, OWL.ObjectProperty) in ONTOLOGY or (prop, RDF.type, OWL.DatatypeProperty) in ONTOLOGY
    for row in VOCABULARY.edges.values():
        assert row.style["color"].startswith("#") and row.style["width"] > 0 and row.meaning
    assert parse_style("color:#000000; width:2; dashes:2 4") == {"color": "#000000", "width": 2, "dashes": [2, 4]}


def test_namespaces_are_written_once() -> None:
    """The ontology file declares the same namespace for each prefix as kg.namespaces."""
    for prefix, namespace in ONTOLOGY.namespaces():
        if prefix in PREFIXES:
            assert str(PREFIXES[prefix]) == str(namespace), prefix
