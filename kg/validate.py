"""Validation of a built dataset: SHACL conformance, evidence against the raw text, coverage.

>>> from kg.annotations import load_corpus
>>> from kg.build import build_dataset
>>> corpus = load_corpus()
>>> report = validate(corpus, build_dataset(corpus))
>>> report.ok, len(report.coverage[0].uncovered)
(True, 0)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyshacl import validate as shacl_validate
from rdflib import Dataset, Graph

from kg.annotations import Article, Corpus
from kg.errors import InputError
from kg.namespaces import KG, OA, ONTOLOGY_GRAPH, article_graph, article_iri
from kg.text import Segment, segments
from kg.vocabulary import SHAPES_FILE

STATEMENT_BEARING = ("sentence", "list_item")


@dataclass
class ArticleCoverage:
    """Which statement-bearing segments of an article are the evidence of which statements."""

    article: str
    covered: list[tuple[Segment, list[str]]]
    uncovered: list[Segment]

    def lines(self) -> list[str]:
        """A readable report, one line per segment."""
        out = [f"coverage of {self.article}: {len(self.covered)} of {len(self.covered) + len(self.uncovered)} "
               "statement-bearing segments covered"]
        out += [f"  UNCOVERED line {s.line} [{s.start}:{s.end}] {s.kind}: {s.text}" for s in self.uncovered]
        return out


@dataclass
class ValidationReport:
    """Everything ``kg validate`` found; ``ok`` when there is nothing to fix."""

    shacl_conforms: bool
    shacl_text: str
    problems: list[InputError] = field(default_factory=list)
    coverage: list[ArticleCoverage] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.shacl_conforms and not self.problems and not any(c.uncovered for c in self.coverage)

    def lines(self) -> list[str]:
        out = ["SHACL: conforms" if self.shacl_conforms else "SHACL: does not conform\n" + self.shacl_text]
        out += [str(p) for p in self.problems]
        for cov in self.coverage:
            out += cov.lines()
        return out


def validate(corpus: Corpus, ds: Dataset) -> ValidationReport:
    """Run SHACL, the evidence check and the coverage check over a built dataset."""
    conforms, text = check_shacl(corpus, ds)
    report = ValidationReport(conforms, text)
    for article in corpus.articles:
        report.problems += check_evidence(article, ds.graph(article_graph(article.id)))
        report.coverage.append(coverage(article, ds.graph(article_graph(article.id))))
    return report


def check_shacl(corpus: Corpus, ds: Dataset) -> tuple[bool, str]:
    """Validate the union of all graphs (ontology included, for subclasses) against the shapes."""
    data = Graph()
    for triple in ds.triples((None, None, None)):
        data.add(triple)
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    conforms, _, text = shacl_validate(data, shacl_graph=shapes, ont_graph=ds.graph(ONTOLOGY_GRAPH),
                                       inference="none", advanced=True, allow_warnings=True)
    return bool(conforms), str(text)


def _spans(graph: Graph) -> list[tuple[str, int, int, str]]:
    """(statement IRI, start, end, exact) for every evidence selector in an article graph."""
    rows = graph.query("""
        SELECT ?statement ?start ?end ?exact WHERE {
          ?statement kg:evidence/oa:hasTarget ?target .
          ?target oa:hasSelector ?pos, ?quote .
          ?pos a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
          ?quote a oa:TextQuoteSelector ; oa:exact ?exact .
        } ORDER BY ?statement ?start""", initNs={"kg": KG, "oa": OA})
    return [(str(r.statement), int(r.start), int(r.end), str(r.exact)) for r in rows]


def check_evidence(article: Article, graph: Graph) -> list[InputError]:
    """Every evidence quote in the built graph equals the raw text at its offsets."""
    raw = article.text.raw
    return [InputError(article.source, None, f"evidence of <{stmt}> at {start}-{end} is {raw[start:end][:50]!r}, "
                       f"not {exact[:50]!r}", "rebuild from the curated file; never edit built output")
            for stmt, start, end, exact in _spans(graph) if raw[start:end] != exact]


def coverage(article: Article, graph: Graph) -> ArticleCoverage:
    """A segment is covered when a statement's evidence lies inside it or spans at least half of it."""
    spans = _spans(graph)
    prefix = str(article_iri(article.id)) + "/"
    covered, uncovered = [], []
    for seg in segments(article.text):
        if seg.kind not in STATEMENT_BEARING:
            continue
        ids = sorted({stmt.removeprefix(prefix) for stmt, start, end, _ in spans
                      if (seg.start <= start and end <= seg.end)
                      or 2 * (min(end, seg.end) - max(start, seg.start)) >= seg.end - seg.start})
        (covered.append((seg, ids)) if ids else uncovered.append(seg))
    return ArticleCoverage(article.id, covered, uncovered)
