"""Validation of a built dataset: SHACL conformance, evidence against the raw text, coverage.

>>> from kg.annotations import load_corpus
>>> from kg.build import build_dataset
>>> corpus = load_corpus()
>>> report = validate(corpus, build_dataset(corpus))
>>> report.ok, len(report.coverage[0].uncovered)
(True, 0)
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from pyshacl import validate as shacl_validate
from rdflib import RDF, Dataset, Graph, URIRef
from rdflib.term import Node

from kg.annotations import Article, Corpus
from kg.errors import InputError
from kg.namespaces import ENTITIES_GRAPH, INFERRED_GRAPH, KG, OA, ONTOLOGY_GRAPH, article_graph, article_iri
from kg.text import Segment, segments
from kg.threads import THREADS_GRAPH
from kg.vocabulary import SHAPES_FILE

STATEMENT_BEARING = ("sentence", "list_item")


@dataclass
class ArticleCoverage:
    """Which statement-bearing segments of an article are the evidence of which statements."""

    article: str
    covered: list[tuple[Segment, list[str]]]
    uncovered: list[Segment]
    exempt: list[tuple[Segment, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """A readable report: the counts, then one line per uncovered or exempt segment."""
        out = [f"coverage of {self.article}: {len(self.covered)} of {len(self.covered) + len(self.uncovered)} "
               "statement-bearing segments covered" + (f", {len(self.exempt)} boilerplate" if self.exempt else "")]
        out += [f"  boilerplate line {s.line} [{s.start}:{s.end}] ({reason}): {s.text}" for s, reason in self.exempt]
        out += [f"  UNCOVERED line {s.line} [{s.start}:{s.end}] {s.kind}: {s.text}" for s in self.uncovered]
        return out


@dataclass
class ValidationReport:
    """Everything ``kg validate`` found; ``ok`` when there is nothing to fix."""

    shacl_conforms: bool
    shacl_text: str
    problems: list[InputError] = field(default_factory=list)
    coverage: list[ArticleCoverage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.shacl_conforms and not self.problems and not any(c.uncovered for c in self.coverage)

    def lines(self) -> list[str]:
        out = ["SHACL: conforms" if self.shacl_conforms else "SHACL: does not conform\n" + self.shacl_text]
        out += [str(p) for p in self.problems]
        for cov in self.coverage:
            out += cov.lines()
        return out + [f"warning: {w}" for w in self.warnings]


def validate(corpus: Corpus, ds: Dataset, cached: Collection[str] = (),
             shacl: Callable[[], tuple[bool, str]] | None = None) -> ValidationReport:
    """Run SHACL, the evidence check and the coverage check over a built dataset.

    ``cached``: ids of articles read from the build cache (:func:`kg.build.cached_articles`), which
    passed SHACL when they were cached; SHACL skips them unless a checked article links to them.
    ``shacl``: SHACL's answer when it runs elsewhere (``kg build`` runs :func:`check_shacl` in a
    forked process, :class:`kg.workers.Forked`, while it writes the files), asked for last.
    """
    report = ValidationReport(True, "", warnings=corpus.warnings())
    by_graph = evidence_spans(ds)
    for article in corpus.articles:
        spans = by_graph.get(str(article_graph(article.id)), [])
        report.problems += check_evidence(article, spans)
        report.coverage.append(coverage(article, spans))
    report.shacl_conforms, report.shacl_text = shacl() if shacl else check_shacl(corpus, ds, cached)
    return report


def check_shacl(corpus: Corpus, ds: Dataset, cached: Collection[str] = ()) -> tuple[bool, str]:
    """Validate the union of all graphs (ontology included, for subclasses) against the shapes.

    With ``cached`` article ids, only the other articles, the articles linked to them
    (:func:`linked_articles`) and the shared graphs (ontology, entities, threads) are validated,
    with the inferred triples about their nodes. pySHACL reads the data in place (``inplace``: no
    copy; the shapes hold no rules, so nothing is added to it).
    """
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    data = _shacl_data(corpus, ds, set(cached)) if cached else ds
    conforms, _, text = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True,
                                       inplace=True)
    return bool(conforms), str(text)


def linked_articles(corpus: Corpus, changed: set[str]) -> set[str]:
    """The ``changed`` articles, the articles they refer to (``ARTICLE/id``) and the articles that refer to them.

    >>> from kg.annotations import load_corpus
    >>> sorted(linked_articles(load_corpus(), {"000_0e22b9a82a6b1fdf"}))
    ['000_0e22b9a82a6b1fdf']
    """
    ids = {a.id for a in corpus.articles}

    def refers(value: object) -> set[str]:
        if isinstance(value, str):
            head, slash, _ = value.partition("/")
            return {head} if slash and head in ids else set()
        values = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        return set().union(*(refers(v) for v in values))

    refs = {a.id: refers(a.statements) - {a.id} for a in corpus.articles}
    return changed | {r for c in changed for r in refs.get(c, ())} | {a for a, r in refs.items() if r & changed}


def _shacl_data(corpus: Corpus, ds: Dataset, cached: set[str]) -> Dataset:
    """What SHACL must check when the ``cached`` articles passed it before.

    The shared graphs (ontology, entities, threads) and the graphs of the articles to check, with
    the inferred triples about their nodes; triples about a node of an article left out (a thread
    member, say) are left out too, so that it is checked neither partly nor twice.
    """
    checked = linked_articles(corpus, {a.id for a in corpus.articles} - cached)
    prefix = str(article_iri(""))
    skipped = {a.id for a in corpus.articles} - checked

    def kept(node: Node) -> bool:
        text = str(node)
        return not text.startswith(prefix) or re.split("[/#]", text[len(prefix):], maxsplit=1)[0] not in skipped

    data = Dataset(default_union=True)
    nodes: set[Node] = set()
    for name in (ONTOLOGY_GRAPH, ENTITIES_GRAPH, THREADS_GRAPH, *(article_graph(a) for a in sorted(checked))):
        graph = data.graph(name)
        for s, p, o in ds.graph(name):
            if kept(s):
                graph.add((s, p, o))
                nodes.update((s, o) if isinstance(o, URIRef) and kept(o) else (s,))
    inferred, into = ds.graph(INFERRED_GRAPH), data.graph(INFERRED_GRAPH)
    for node in nodes:
        for p, o in inferred.predicate_objects(node):
            into.add((node, p, o))
    return data


Span = tuple[str, int, int, str]
"""(statement IRI, start, end, exact) of one evidence selector."""


def evidence_spans(data: Graph | Dataset) -> dict[str, list[Span]]:
    """(statement IRI, start, end, exact) of every evidence selector, sorted, by the named graph that holds it.

    One pass over the ``kg:evidence`` triples, then lookups by subject in the union: linear in the
    evidence (asking each article graph separately scans the whole store each time).
    """
    out: dict[str, list[Span]] = {}
    quads = data.quads((None, KG.evidence, None, None)) if isinstance(data, Dataset) else \
        ((s, p, o, data.identifier) for s, p, o in data.triples((None, KG.evidence, None)))
    for statement, _, annotation, graph in quads:
        spans = out.setdefault(str(getattr(graph, "identifier", graph)), [])
        for target in data.objects(annotation, OA.hasTarget):
            selectors = set(data.objects(target, OA.hasSelector))
            positions = [(data.value(s, OA.start), data.value(s, OA.end)) for s in selectors
                         if (s, RDF.type, OA.TextPositionSelector) in data]
            quotes = [data.value(s, OA.exact) for s in selectors if (s, RDF.type, OA.TextQuoteSelector) in data]
            spans += [(str(statement), int(start), int(end), str(exact))
                      for start, end in positions if start is not None and end is not None
                      for exact in quotes if exact is not None]
    return {graph: sorted(set(spans)) for graph, spans in out.items()}


def check_evidence(article: Article, spans: list[Span]) -> list[InputError]:
    """Every evidence quote in the built graph (:func:`evidence_spans`) equals the raw text at its offsets."""
    raw = article.text.raw
    return [InputError(article.source, None, f"evidence of <{stmt}> at {start}-{end} is {raw[start:end][:50]!r}, "
                       f"not {exact[:50]!r}", "rebuild from the curated file; never edit built output")
            for stmt, start, end, exact in spans if raw[start:end] != exact]


def coverage(article: Article, spans: list[Span]) -> ArticleCoverage:
    """A segment is covered when a statement's evidence lies inside it or spans at least half of it.

    Boilerplate declared in the article header (``boilerplate: [{quote, reason}]``: headline
    repeats, captions, credits, editor's notes, bylines) exempts the segments it covers the same
    way; they are listed with their reason.

    Segments do not overlap and come in text order, so each span is compared only with the
    segments it overlaps (found by bisection): linear in the text plus the evidence.
    """
    prefix = str(article_iri(article.id)) + "/"
    bearing = [seg for seg in segments(article.text) if seg.kind in STATEMENT_BEARING]
    ends = [seg.end for seg in bearing]
    ids: list[set[str]] = [set() for _ in bearing]
    prefix_boilerplate = "\0boilerplate:"  # not an IRI: marks the spans of boilerplate
    raw = article.text.raw
    declared = [(f"{prefix_boilerplate}{b['reason']}", m.start(), m.end(), b["quote"])
                for b in article.meta.get("boilerplate") or [] for m in re.finditer(re.escape(b["quote"]), raw)]
    for stmt, start, end, _ in [*spans, *declared]:
        k = bisect_right(ends, start)  # the first segment ending after the span starts
        while k < len(bearing) and bearing[k].start < end:
            seg = bearing[k]
            if (seg.start <= start and end <= seg.end) or 2 * (min(end, seg.end) - max(start, seg.start)) >= seg.end - seg.start:
                ids[k].add(stmt.removeprefix(prefix))
            k += 1
    covered, uncovered, exempt = [], [], []
    for seg, found in zip(bearing, ids, strict=True):
        statements = sorted(i for i in found if not i.startswith(prefix_boilerplate))
        if statements:
            covered.append((seg, statements))
        elif found:
            exempt.append((seg, "; ".join(sorted(i.removeprefix(prefix_boilerplate) for i in found))))
        else:
            uncovered.append(seg)
    return ArticleCoverage(article.id, covered, uncovered, exempt)
