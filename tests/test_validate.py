"""`kg validate`: SHACL, evidence against the raw text, and coverage of the seed article."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from kg.annotations import load_corpus
from kg.build import build_dataset
from kg.cli import main
from kg.namespaces import article_graph, statement_iri
from kg.validate import check_evidence, check_shacl, coverage, evidence_spans, validate

SEED = "000_0e22b9a82a6b1fdf"
OA_EXACT = URIRef("http://www.w3.org/ns/oa#exact")


def test_seed_validates_and_every_statement_bearing_segment_is_covered() -> None:
    corpus = load_corpus()
    report = validate(corpus, build_dataset(corpus))
    assert report.ok and report.shacl_conforms and report.problems == []
    cov = report.coverage[0]
    assert cov.uncovered == []
    assert len(cov.covered) == 16  # 14 sentences + 2 list items; headings and the disclaimer are metadata
    # statements only: the qualified relations (ID/relation/...) cover the same spans again
    by_line = {(seg.line, seg.text[:20]): [i for i in ids if "/relation/" not in i] for seg, ids in cov.covered}
    assert by_line[(9, "Reports suggest the ")] == ["conflict-guarantee-duration", "ukraine-demands-50-year-shield",
                                                    "us-offers-15-year-guarantee"]
    assert by_line[(17, "The Kremlin insists ")] == ["any-ceasefire", "conflict-donbas-vs-territorial-status",
                                                     "russia-demands-donbas"]


def test_evidence_check_reads_the_built_graph() -> None:
    corpus = load_corpus()
    ds = build_dataset(corpus)
    graph = ds.graph(article_graph(SEED))
    quote = URIRef(f"{statement_iri(SEED, 'russia-demands-donbas')}/evidence/1/quote")
    graph.set((quote, OA_EXACT, Literal("The Kremlin demands")))
    problems = check_evidence(corpus.articles[0], evidence_spans(graph)[str(graph.identifier)])
    assert len(problems) == 1
    assert "russia-demands-donbas" in str(problems[0]) and "not 'The Kremlin demands'" in str(problems[0])


def test_coverage_lists_an_uncovered_sentence() -> None:
    corpus = load_corpus()
    article = corpus.articles[0]
    article.statements = [s for s in article.statements if s["id"] != "us-prosperity-package"]
    ds = build_dataset(corpus)
    cov = coverage(article, evidence_spans(ds)[str(article_graph(SEED))])
    assert [(s.line, s.text) for s in cov.uncovered] == [
        (7, "Financial incentives and reconstruction aid to rebuild Ukraine’s shattered infrastructure and economy.")]


def test_kg_validate_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert "SHACL: conforms" in out
    assert "coverage of 000_0e22b9a82a6b1fdf: 16 of 16 statement-bearing segments covered" in out


def test_data_shapes_catch_a_qualified_relation_without_its_direct_edge() -> None:
    corpus = load_corpus()
    ds = build_dataset(corpus)
    status, referendum = statement_iri(SEED, "territorial-status"), statement_iri(SEED, "territorial-referendum")
    dependency = URIRef("https://w3id.org/kg/ontology#dependsOn")
    assert (status, dependency, referendum) in ds
    for graph in ds.graphs():
        graph.remove((status, dependency, referendum))
    conforms, text = check_shacl(corpus, ds)
    assert not conforms
    assert "territorial-status/relation/dependsOn/territorial-referendum" in text
    assert "a qualified relation stands beside its direct edge" in text
