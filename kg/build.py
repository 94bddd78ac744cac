"""RDF build: ontology + shared entities + one named graph per article, written deterministically.

Graphs of the dataset:

* ``https://w3id.org/kg/graph/ontology``   the vocabulary (ontology/kg.ttl)
* ``https://w3id.org/kg/graph/entities``   actors, places, issues, roles shared by all articles
* ``https://w3id.org/kg/graph/article/ID`` one article: its metadata, statements and evidence

Every data node has an IRI derived from the curated ids, and the few blank nodes of the ontology
(OWL lists) get canonical labels, so the same sources give byte-identical files (``kg build``
twice, then ``git diff``: nothing).

>>> from kg.annotations import load_corpus
>>> ds = build_dataset(load_corpus())
>>> sorted(str(g.identifier) for g in ds.graphs() if len(g))[:2]
['https://w3id.org/kg/graph/article/000_0e22b9a82a6b1fdf', 'https://w3id.org/kg/graph/entities']
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, ORG, PROV

from kg.annotations import Article, Corpus, LineDict, _as_list, statement_group

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
ONTOLOGY_GRAPH = GRAPH["ontology"]
ENTITIES_GRAPH = GRAPH["entities"]
PREFIXES = {"kg": KG, "kgid": ID, "oa": OA, "nif": NIF, "gaf": GAF, "qudt": QUDT, "unit": UNIT, "wd": WD,
            "prov": PROV, "dct": DCTERMS, "skos": SKOS, "org": ORG, "owl": OWL}
UNITS = {"year": UNIT["YR"], "percent": UNIT["PERCENT"]}
CONTEXT_CHARS = 32


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
    """The IRI of a statement of an article.

    >>> str(statement_iri("000_0e22b9a82a6b1fdf", "russia-demands-donbas"))
    'https://w3id.org/kg/id/article/000_0e22b9a82a6b1fdf/russia-demands-donbas'
    """
    return URIRef(f"{article_iri(article_id)}/{statement_id}")


def entity_iri(kind: str, entity_id: str) -> URIRef:
    """The IRI of a shared actor, place, issue or role: ``entity_iri("actor", "russia")``."""
    return ID[f"{kind}/{entity_id}"]


def build_dataset(corpus: Corpus) -> Dataset:
    """Compile the corpus into an rdflib Dataset (union of named graphs as default graph)."""
    ds = Dataset(default_union=True)
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    ontology = ds.graph(ONTOLOGY_GRAPH)
    for triple in to_canonical_graph(Graph().parse(corpus.root / "ontology" / "kg.ttl", format="turtle")):
        ontology.add(triple)  # canonical blank-node labels (the OWL lists), stable across builds
    _add_entities(ds.graph(ENTITIES_GRAPH), corpus)
    for article in corpus.articles:
        _add_article(ds.graph(article_graph(article.id)), corpus, article)
    return ds


def _labels(graph: Graph, node: URIRef, names: list[str]) -> None:
    graph.add((node, RDFS.label, Literal(names[0], lang="en")))
    graph.add((node, SKOS.prefLabel, Literal(names[0], lang="en")))
    for name in names[1:]:
        graph.add((node, SKOS.altLabel, Literal(name, lang="en")))


def _wikidata(graph: Graph, node: URIRef, item: LineDict) -> None:
    if "wikidata" in item:
        graph.add((node, OWL.sameAs, WD[item["wikidata"]]))
        graph.add((node, KG.wikidata, Literal(item["wikidata"])))


def _add_entities(graph: Graph, corpus: Corpus) -> None:
    for actor in corpus.actors:
        node = entity_iri("actor", actor["id"])
        graph.add((node, RDF.type, KG[actor["kind"]]))
        _labels(graph, node, actor["names"])
        _wikidata(graph, node, actor)
        if "represents" in actor:
            graph.add((node, KG.represents, entity_iri("actor", actor["represents"])))
        if "head" in actor:
            graph.add((entity_iri("actor", actor["head"]), ORG.headOf, node))
    for place in corpus.places:
        node = entity_iri("place", place["id"])
        graph.add((node, RDF.type, KG.Place))
        _labels(graph, node, place["names"])
        _wikidata(graph, node, place)
        if "part_of" in place:
            graph.add((node, KG.partOf, entity_iri("place", place["part_of"])))
        if "country" in place:
            graph.add((node, KG.country, entity_iri("actor", place["country"])))
    scheme = ID["issues"]
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, RDFS.label, Literal("issues under negotiation", lang="en")))
    for issue in corpus.issues:
        node = entity_iri("issue", issue["id"])
        graph.add((node, RDF.type, KG.Issue))
        graph.add((node, SKOS.inScheme, scheme))
        _labels(graph, node, issue["names"])
        if "part_of" in issue:
            graph.add((node, KG.partOf, entity_iri("issue", issue["part_of"])))
        if "broader" in issue:
            graph.add((node, SKOS.broader, entity_iri("issue", issue["broader"])))
    for role in corpus.roles:
        role_node = entity_iri("role", role["role"])
        graph.add((role_node, RDF.type, KG.Role))
        graph.add((role_node, RDFS.label, Literal(role["role"], lang="en")))
        node = entity_iri("membership", f"{role['person']}-{role['role']}-{role['of']}")
        graph.add((node, RDF.type, ORG.Membership))
        graph.add((node, RDFS.label, Literal(f"{role['person']} {role['role']} of {role['of']}", lang="en")))
        graph.add((node, ORG.member, entity_iri("actor", role["person"])))
        graph.add((node, ORG.organization, entity_iri("actor", role["of"])))
        graph.add((node, ORG.role, role_node))
        graph.add((node, KG.date, Literal(str(role["as_of"]), datatype=XSD.date)))
        graph.add((node, PROV.wasDerivedFrom, article_iri(role["source"])))


def _resolver(corpus: Corpus, article: Article) -> dict[str, URIRef]:
    """Map every id an article may refer to onto its IRI."""
    iris = {a["id"]: entity_iri("actor", a["id"]) for a in corpus.actors}
    iris.update({p["id"]: entity_iri("place", p["id"]) for p in corpus.places})
    iris.update({i["id"]: entity_iri("issue", i["id"]) for i in corpus.issues})
    iris.update({a["id"]: URIRef(f"{article_iri(article.id)}/actor/{a['id']}") for a in article.actors})
    iris.update({s["id"]: statement_iri(article.id, s["id"]) for s in article.statements})
    return iris


RELATIONS = {  # YAML key -> predicate, from the statement to each referenced node
    "holder": KG.holder, "addressee": KG.addressee, "reported_by": KG.reportedBy, "participants": KG.participant,
    "topic": KG.topic, "about": KG.about, "place": KG.place, "event": KG.event, "depends_on": KG.dependsOn,
    "part_of": KG.partOf, "supports": KG.supports, "specifies": KG.specifies, "between": KG.between,
    "codes": KG.codedAs, "firmness": KG.firmness, "status": KG.epistemicStatus, "modality": KG.modality,
}
VALUES = {"label": (RDFS.label, None), "content": (KG.content, None), "cue": (KG.cue, None),
          "negated": (KG.negated, None), "date": (KG.date, XSD.date), "latest_date": (KG.latestDate, XSD.date)}
VOCABULARY_KEYS = ("codes", "firmness", "status", "modality")


def _add_article(graph: Graph, corpus: Corpus, article: Article) -> None:
    doc = article_iri(article.id)
    meta = article.meta
    graph.add((doc, RDF.type, KG.Article))
    graph.add((doc, RDFS.label, Literal(f"article {article.id}", lang="en")))
    graph.add((doc, DCTERMS.identifier, Literal(article.id)))
    graph.add((doc, DCTERMS.date, Literal(str(meta["reported"]), datatype=XSD.date)))
    graph.add((doc, DCTERMS.language, Literal(str(meta.get("language", "en")))))
    graph.add((doc, DCTERMS.format, Literal("text/plain; charset=utf-8")))
    graph.add((doc, KG.sha256, Literal(meta["sha256"])))
    if meta.get("url"):
        graph.add((doc, DCTERMS.source, URIRef(meta["url"])))
    for phrase in _as_list(meta.get("noise")):
        graph.add((doc, KG.noisePhrase, Literal(phrase)))
    graph.add((doc, KG.noiseCount, Literal(len(article.text.noise))))
    iris = _resolver(corpus, article)
    for cited in _as_list(meta.get("cites")):
        graph.add((doc, KG.cites, iris[cited]))
    for actor in article.actors:
        node = iris[actor["id"]]
        graph.add((node, RDF.type, KG[actor["kind"]]))
        _labels(graph, node, actor["names"])
        graph.add((node, PROV.wasDerivedFrom, doc))
    _add_mentions(graph, corpus, article, doc)
    for item in article.statements:
        _add_statement(graph, article, item, iris, doc)


def _add_statement(graph: Graph, article: Article, item: LineDict, iris: dict[str, URIRef], doc: URIRef) -> None:
    node = iris[item["id"]]
    kind = item["kind"]
    graph.add((node, RDF.type, KG[kind]))
    graph.add((node, PROV.wasDerivedFrom, doc))
    for key, (predicate, datatype) in VALUES.items():
        if key in item:
            lang = "en" if key == "label" else None
            graph.add((node, predicate, Literal(item[key] if datatype is None else str(item[key]), datatype=datatype, lang=lang)))
    for key, predicate in RELATIONS.items():
        for ref in _as_list(item.get(key)):
            graph.add((node, predicate, KG[ref] if key in VOCABULARY_KEYS else iris[ref]))
    if statement_group(kind) == "position" and "modality" not in item:
        graph.add((node, KG.modality, KG.Actual))
    for ref in _as_list(item.get("required_for")):
        graph.add((iris[ref], KG.dependsOn, node))
    if kind == "Conflict":
        first, second = (iris[ref] for ref in item["between"])
        graph.add((first, KG.conflictsWith, second))
        graph.add((second, KG.conflictsWith, first))
    sources = _as_list(item.get("reported_by"))
    graph.add((node, KG.sourceCount, Literal(len(set(sources)))))
    for key in ("duration", "share"):
        if key in item:
            quantity = URIRef(f"{node}/{key}")
            graph.add((node, KG[key], quantity))
            graph.add((quantity, RDF.type, KG.Quantity))
            graph.add((quantity, QUDT.numericValue, Literal(item[key]["value"])))
            graph.add((quantity, QUDT.unit, UNITS[item[key]["unit"]]))
    for number, span in enumerate(item["evidence"], start=1):
        _add_evidence(graph, article, node, number, span, doc)


def _add_evidence(graph: Graph, article: Article, node: URIRef, number: int, span: LineDict, doc: URIRef) -> None:
    raw, start, end = article.text.raw, span["start"], span["end"]
    annotation = URIRef(f"{node}/evidence/{number}")
    target, position, quote = (URIRef(f"{annotation}/{part}") for part in ("target", "position", "quote"))
    graph.add((node, KG.evidence, annotation))
    graph.add((annotation, RDF.type, KG.Evidence))
    graph.add((annotation, OA.motivatedBy, OA.describing))
    graph.add((annotation, OA.hasBody, node))
    graph.add((annotation, OA.hasTarget, target))
    graph.add((annotation, KG.normalizedText, Literal(article.text.clean(start, end))))
    graph.add((target, RDF.type, OA.SpecificResource))
    graph.add((target, OA.hasSource, doc))
    graph.add((target, OA.hasSelector, position))
    graph.add((target, OA.hasSelector, quote))
    graph.add((position, RDF.type, OA.TextPositionSelector))
    graph.add((position, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
    graph.add((position, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)))
    graph.add((quote, RDF.type, OA.TextQuoteSelector))
    graph.add((quote, OA.exact, Literal(raw[start:end])))
    graph.add((quote, OA.prefix, Literal(raw[max(0, start - CONTEXT_CHARS):start])))
    graph.add((quote, OA.suffix, Literal(raw[end:end + CONTEXT_CHARS])))


def _add_mentions(graph: Graph, corpus: Corpus, article: Article, doc: URIRef) -> None:
    """Link each shared actor and place to the spans of the article that name it (NIF offsets)."""
    names = sorted(((name, entity_iri(kind, item["id"])) for kind, items in (("actor", corpus.actors), ("place", corpus.places))
                    for item in items for name in item["names"]), key=lambda pair: (-len(pair[0]), pair[0]))
    text, taken = article.text.text, [False] * len(article.text.text)
    for name, entity in names:
        for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
            if any(taken[match.start():match.end()]):
                continue
            taken[match.start():match.end()] = [True] * (match.end() - match.start())
            start, end = article.text.raw_span(match.start(), match.end())
            mention = URIRef(f"{doc}#char={start},{end}")
            graph.add((doc, KG.mentions, entity))
            graph.add((entity, GAF.denotedBy, mention))
            graph.add((mention, RDF.type, NIF.Phrase))
            graph.add((mention, NIF.referenceContext, doc))
            graph.add((mention, NIF.beginIndex, Literal(start, datatype=XSD.nonNegativeInteger)))
            graph.add((mention, NIF.endIndex, Literal(end, datatype=XSD.nonNegativeInteger)))
            graph.add((mention, NIF.anchorOf, Literal(article.text.raw[start:end])))


def serialize(ds: Dataset) -> dict[str, bytes]:
    """The dataset in each output format, as bytes, in a stable order.

    TriG, N-Quads and JSON-LD hold every named graph, in IRI order; ``kg.ttl`` is the union as Turtle.
    """
    graphs = sorted((g for g in ds.graphs() if len(g)), key=lambda g: str(g.identifier))
    union = _bound(Graph())
    for triple in ds.triples((None, None, None)):
        union.add(triple)
    nquads = sorted(set(ds.serialize(format="nquads", encoding="utf-8").decode("utf-8").splitlines()) - {""})
    return {
        "kg.trig": _trig(graphs),
        "kg.nq": ("\n".join(nquads) + "\n").encode("utf-8"),
        "kg.jsonld": _jsonld(ds),
        "kg.ttl": union.serialize(format="turtle", encoding="utf-8"),
    }


def _bound(graph: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    return graph


def _trig(graphs: list[Graph]) -> bytes:
    """TriG written graph by graph (rdflib's own TriG writer orders graphs by hash)."""
    prefixes: set[str] = set()
    blocks = []
    for graph in graphs:
        body = _bound(Graph()) + graph
        lines = body.serialize(format="turtle").splitlines()
        prefixes.update(line for line in lines if line.startswith("@prefix"))
        content = "\n".join(line for line in lines if not line.startswith("@prefix")).strip("\n")
        blocks.append(f"<{graph.identifier}> {{\n{content}\n}}\n")  # not indented: long literals span lines
    return ("\n".join(sorted(prefixes)) + "\n\n" + "\n".join(blocks)).encode("utf-8")


def _jsonld(ds: Dataset) -> bytes:
    """JSON-LD with every node list sorted by @id (sets have no order; @list contents keep theirs)."""
    context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    context.update({"rdfs": str(RDFS), "xsd": str(XSD), "rdf": str(RDF)})
    document = json.loads(ds.serialize(format="json-ld", context=context, auto_compact=True))

    def ordered(value: Any, in_list: bool = False) -> Any:
        if isinstance(value, dict):
            return {k: ordered(v, k == "@list") for k, v in value.items()}
        if isinstance(value, list):
            items = [ordered(v) for v in value]
            return items if in_list else sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
        return value

    return (json.dumps(ordered(document), indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def ontology_reference(ontology: Graph) -> str:
    """The ontology's reference documentation in Markdown, generated from the ontology itself.

    >>> text = ontology_reference(Graph().parse(Path(__file__).parent.parent / "ontology" / "kg.ttl"))
    >>> "| `kg:Demand` | demand |" in text
    True
    """
    header = URIRef(BASE + "ontology")

    def text(node: URIRef, predicate: URIRef) -> str:
        return " ".join(str(v) for v in sorted(ontology.objects(node, predicate), key=str)).replace("\n", " ").replace("|", "\\|")

    def curies(nodes: Iterable) -> str:
        return ", ".join(sorted(f"`{ontology.namespace_manager.normalizeUri(n)}`" for n in nodes))

    def terms(rdf_type: URIRef) -> list[URIRef]:
        return sorted(n for n in ontology.subjects(RDF.type, rdf_type) if isinstance(n, URIRef) and n.startswith(str(KG)))

    lines = [f"# {text(header, DCTERMS.title)}", "",
             "Generated by `kg build` from `ontology/kg.ttl`; do not edit by hand.", "",
             text(header, DCTERMS.description), "",
             f"- namespace: `{KG}` (prefix `kg:`)", f"- version: {text(header, OWL.versionInfo)}",
             f"- licence: {text(header, DCTERMS.license)}", "- shapes: `ontology/shapes.ttl` (SHACL)", ""]
    lines += ["## Classes", "", "| term | label | definition | subclass of |", "|---|---|---|---|"]
    lines += [f"| `{ontology.namespace_manager.normalizeUri(c)}` | {text(c, RDFS.label)} | {text(c, SKOS.definition)} | "
              f"{curies(ontology.objects(c, RDFS.subClassOf))} |" for c in terms(OWL.Class)]
    for title, rdf_type in (("Object properties", OWL.ObjectProperty), ("Datatype properties", OWL.DatatypeProperty)):
        lines += ["", f"## {title}", "", "| term | label | definition | domain | range | aligned to |", "|---|---|---|---|---|---|"]
        lines += [f"| `{ontology.namespace_manager.normalizeUri(p)}` | {text(p, RDFS.label)} | {text(p, SKOS.definition)} | "
                  f"{curies(ontology.objects(p, RDFS.domain))} | {curies(ontology.objects(p, RDFS.range))} | "
                  f"{curies([*ontology.objects(p, RDFS.subPropertyOf), *ontology.objects(p, OWL.inverseOf)])} |"
                  for p in terms(rdf_type)]
    lines += ["", "## Concept schemes", ""]
    for scheme in terms(SKOS.ConceptScheme):
        lines += [f"### {text(scheme, RDFS.label)} (`{ontology.namespace_manager.normalizeUri(scheme)}`)", "",
                  text(scheme, SKOS.definition), "", "| concept | label | notation | definition |", "|---|---|---|---|"]
        lines += [f"| `{ontology.namespace_manager.normalizeUri(c)}` | {text(c, SKOS.prefLabel)} | {text(c, SKOS.notation)} | "
                  f"{text(c, SKOS.definition)} |" for c in sorted(ontology.subjects(SKOS.inScheme, scheme))]
        lines.append("")
    return "\n".join(lines)


def write_outputs(files: dict[Path, bytes]) -> list[Path]:
    """Write all files or none: each goes to a temporary file first and is renamed into place."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.chmod(tmp, 0o644)
            staged.append((path, Path(tmp)))
    except OSError:
        for _, tmp in staged:
            tmp.unlink(missing_ok=True)
        raise
    for path, tmp in staged:
        os.replace(tmp, path)
    return [path for path, _ in staged]
