"""RDF build: ontology + shared entities + one named graph per article.

Graphs of the dataset (IRIs in :mod:`kg.namespaces`):

* ``https://w3id.org/kg/graph/ontology``   the vocabulary (the packaged ``kg/ontology/kg.ttl``)
* ``https://w3id.org/kg/graph/entities``   actors, places, issues, roles shared by all articles
* ``https://w3id.org/kg/graph/article/ID`` one article: its metadata, statements and evidence

Every data node has an IRI derived from the curated ids, and the few blank nodes of the ontology
(OWL lists) get canonical labels, so the same sources give the same graph; :mod:`kg.serialize`
writes it byte-for-byte the same. Which curated key becomes which predicate comes from the
ontology (:mod:`kg.vocabulary`).

>>> from kg.annotations import load_corpus
>>> ds = build_dataset(load_corpus())
>>> sorted(str(g.identifier) for g in ds.graphs() if len(g))[:2]
['https://w3id.org/kg/graph/article/000_0e22b9a82a6b1fdf', 'https://w3id.org/kg/graph/entities']
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, ORG, PROV

from kg.aliases import AliasIndex
from kg.annotations import RELATION_KEYS, Article, Corpus, LineDict, _as_list, relation_targets
from kg.inference import infer
from kg.namespaces import (
    ENTITIES_GRAPH,
    GAF,
    ID,
    INFERRED_GRAPH,
    KG,
    NIF,
    OA,
    ONTOLOGY_GRAPH,
    PREFIXES,
    QUDT,
    SCHEMA,
    WD,
    article_graph,
    article_iri,
    entity_iri,
    statement_iri,
)
from kg.serialize import write_outputs
from kg.terms import to_rdflib
from kg.threads import THREADS_GRAPH, add_threads
from kg.vocabulary import ONTOLOGY_FILE, SHAPES_FILE, UNITS, VOCABULARY

CONTEXT_CHARS = 32


def build_dataset(corpus: Corpus, cache: Path | None = None) -> Dataset:
    """Compile the corpus into an rdflib Dataset (union of named graphs as default graph).

    With ``cache`` (a folder; ``kg build`` uses ``build/.cache``), an article whose graph was
    saved there by :func:`save_cache` under the same key (:func:`cache_names`) is read back instead
    of built again.
    """
    ds = Dataset(default_union=True)
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    ontology = ds.graph(ONTOLOGY_GRAPH)
    for triple in to_canonical_graph(Graph().parse(ONTOLOGY_FILE, format="turtle")):
        ontology.add(triple)  # canonical blank-node labels (the OWL lists), stable across builds
    _add_entities(ds.graph(ENTITIES_GRAPH), corpus)
    names = cache_names(corpus) if cache else {}
    memo: dict = {}
    for article in corpus.articles:
        graph = ds.graph(article_graph(article.id))
        cached = cache / names[article.id] if cache else None
        if cached is not None and cached.is_file():  # read by Oxigraph: 1,000 rdflib parsers cost more than the build
            graph.addN((to_rdflib(t.subject, memo), to_rdflib(t.predicate, memo), to_rdflib(t.object, memo), graph)
                       for t in pyoxigraph.parse(path=cached, format=pyoxigraph.RdfFormat.N_TRIPLES))
        else:
            _add_article(graph, corpus, article)
    add_threads(ds.graph(THREADS_GRAPH), corpus)
    inferred = ds.graph(INFERRED_GRAPH)
    for triple in infer(ds, ontology):
        inferred.add(triple)
    return ds


def cached_articles(corpus: Corpus, cache: Path | None) -> set[str]:
    """Ids of the articles whose graph :func:`build_dataset` reads from ``cache`` (none without a cache).

    A cached graph was saved by a build that validated (``kg build`` saves only then), under a key
    that covers the validation code and the shapes too: such an article passed SHACL as it is now,
    and :func:`kg.validate.validate` need not check it again unless a changed article links to it.
    """
    if cache is None:
        return set()
    return {article for article, name in cache_names(corpus).items() if (cache / name).is_file()}


def save_cache(corpus: Corpus, nquads: bytes, cache: Path) -> None:
    """Keep each article's graph as N-Triples in ``cache`` under its key, dropping older versions of it.

    ``nquads``: the dataset as :func:`kg.serialize.serialize` wrote it (``kg.nq``), split here by graph.
    Call it only after the dataset validated: a cached article is not checked by SHACL again.
    """
    names = cache_names(corpus)
    todo = {f"<{article_graph(a.id)}>": a.id for a in corpus.articles if not (cache / names[a.id]).is_file()}
    lines: dict[str, list[str]] = {graph: [] for graph in todo}
    for line in nquads.decode("utf-8").splitlines(keepends=True):
        triple, _, graph = line.rpartition(" <")  # the graph is the last term of the line
        graph = "<" + graph[:-3]  # its IRI without the closing " .\n"
        if graph in lines:
            lines[graph].append(triple + " .\n")
    for graph, article in todo.items():
        for stale in cache.glob(f"{article}.*.nt"):
            stale.unlink()
        write_outputs({cache / names[article]: "".join(lines[graph]).encode("utf-8")})


_BUILD_SOURCES = ("build.py", "text.py", "aliases.py", "vocabulary.py", "namespaces.py", "annotations.py",
                  "inference.py", "threads.py", "validate.py")


def cache_names(corpus: Corpus) -> dict[str, str]:
    """Article id -> ``ID.KEY.nt``, the file of its graph in the cache.

    KEY is the SHA-256 of what the graph is built and validated from: kg's version, the code that
    builds and validates it, entities.yaml, the ontology, the SHACL shapes (read once for all
    articles), then the article's .txt and .yaml.

    >>> from kg.annotations import load_corpus
    >>> [name.split(".")[0] for name in cache_names(load_corpus()).values()]
    ['000_0e22b9a82a6b1fdf']
    """
    from kg import __version__

    shared = hashlib.sha256(__version__.encode())
    for path in (*(Path(__file__).with_name(name) for name in _BUILD_SOURCES), corpus.entities_path, Path(ONTOLOGY_FILE),
                 Path(SHAPES_FILE)):
        shared.update(path.read_bytes())
    names = {}
    for article in corpus.articles:
        digest = shared.copy()
        digest.update(article.text_path.read_bytes())
        digest.update(article.source.read_bytes())
        names[article.id] = f"{article.id}.{digest.hexdigest()}.nt"
    return names


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


class _Iris(dict):
    """Ids an article refers to -> IRIs; ``ARTICLE/id`` is the statement ``id`` of another article."""

    def __missing__(self, key: str) -> URIRef:
        article, _, statement = key.partition("/")
        return statement_iri(article, statement)


def _resolver(corpus: Corpus, article: Article) -> dict[str, URIRef]:
    """Map every id an article may refer to onto its IRI."""
    iris = _Iris((a["id"], entity_iri("actor", a["id"])) for a in corpus.actors)
    iris.update({p["id"]: entity_iri("place", p["id"]) for p in corpus.places})
    iris.update({i["id"]: entity_iri("issue", i["id"]) for i in corpus.issues})
    iris.update({a["id"]: URIRef(f"{article_iri(article.id)}/actor/{a['id']}") for a in article.actors})
    iris.update({s["id"]: statement_iri(article.id, s["id"]) for s in article.statements})
    return iris


REFERENCES = ("actor", "issue", "place", "statement", "any", "role")
VOCABULARY_KEYS = ("code", "firmness", "status", "modality")
RELATIONS = {key: row.predicate for key, row in VOCABULARY.curated_keys.items()
             if row.refers in REFERENCES + VOCABULARY_KEYS and key != "required_for"}
"""Curated key -> predicate, from the statement to each node the key names (``required_for`` is written reversed)."""
VALUES = {key: (row.predicate, {"date": XSD.date, "year": XSD.gYear}.get(row.refers)) for key, row in VOCABULARY.curated_keys.items()
          if row.refers in ("text", "bool", "date", "year")}
"""Curated key -> (predicate, datatype) for literal values."""
QUALIFIED = tuple(key for key, row in VOCABULARY.curated_keys.items() if row.refers in ("statement", "any") and key != "between")
"""Curated keys whose links to other statements get a kg:QualifiedRelation node with the link's own evidence."""


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
    _add_metadata(graph, corpus, article, doc)
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
    statements = {s["id"] for s in article.statements}
    for item in article.statements:
        _add_statement(graph, article, item, iris, doc, statements)


def _add_metadata(graph: Graph, corpus: Corpus, article: Article, doc: URIRef) -> None:
    """What a researcher needs to cite the article: Dublin Core and schema.org terms from its header."""
    meta = article.meta
    if meta.get("url"):
        graph.add((doc, DCTERMS.source, URIRef(meta["url"])))
        graph.add((doc, SCHEMA.url, URIRef(meta["url"])))
    if meta.get("title"):
        graph.add((doc, DCTERMS.title, Literal(meta["title"], lang=str(meta.get("language") or "en"))))
    if meta.get("published"):
        graph.add((doc, DCTERMS.issued, Literal(str(meta["published"]), datatype=XSD.date)))
    if meta.get("rights"):
        graph.add((doc, DCTERMS.rights, Literal(meta["rights"])))
    for author in _as_list(meta.get("author")):
        graph.add((doc, DCTERMS.creator, Literal(author)))
    outlet = meta.get("outlet")
    if outlet:  # an actor id of the corpus, else the outlet's name
        known = {a["id"] for a in corpus.actors}
        graph.add((doc, DCTERMS.publisher, entity_iri("actor", outlet) if outlet in known else Literal(outlet)))
    if meta.get("syndicated_from"):
        graph.add((doc, KG.syndicatedFrom, article_iri(meta["syndicated_from"])))


def _add_statement(graph: Graph, article: Article, item: LineDict, iris: dict[str, URIRef], doc: URIRef,
                   statements: set[str]) -> None:
    """One statement's triples; ``statements`` holds the ids of the article's statements (relations to them are qualified)."""
    node = iris[item["id"]]
    kind = item["kind"]
    graph.add((node, RDF.type, KG[kind]))
    for key, (predicate, datatype) in VALUES.items():
        if key in item and key not in RELATION_KEYS:
            lang = "en" if key == "label" else None
            graph.add((node, predicate, Literal(item[key] if datatype is None else str(item[key]), datatype=datatype, lang=lang)))
    for key, predicate in RELATIONS.items():
        for ref, _ in relation_targets(item.get(key) if key not in RELATION_KEYS else None):
            refers = VOCABULARY.curated_keys[key].refers
            target = KG[ref] if refers in VOCABULARY_KEYS else _role(graph, ref) if refers == "role" else iris[ref]
            graph.add((node, predicate, target))
    for ref, _ in relation_targets(item.get("required_for")):
        graph.add((iris[ref], KG.dependsOn, node))
    _attribution(graph, article, node, item, iris, doc)
    for key in (k for k, row in VOCABULARY.curated_keys.items() if row.refers == "quantity"):
        if key in item:
            quantity = URIRef(f"{node}/{key}")
            graph.add((node, VOCABULARY.curated_keys[key].predicate, quantity))
            graph.add((quantity, RDF.type, KG.Quantity))
            graph.add((quantity, QUDT.numericValue, Literal(item[key]["value"])))
            graph.add((quantity, QUDT.unit, UNITS[item[key]["unit"]]))
    if kind == "Conflict":
        first, second = (iris[ref] for ref in item["between"])
        graph.add((first, KG.conflictsWith, second))
        graph.add((second, KG.conflictsWith, first))
        _qualify(graph, node, first, KG.conflictsWith, second)
    for key in QUALIFIED:
        for ref, own in relation_targets(item.get(key)):
            if ref not in statements:
                continue  # about an actor or issue: not a relation between statements
            subject, predicate, target = ((iris[ref], KG.dependsOn, node) if key == "required_for"
                                          else (node, VOCABULARY.curated_keys[key].predicate, iris[ref]))
            relation = URIRef(f"{subject}/relation/{predicate.removeprefix(str(KG))}/{target.rsplit('/', 1)[1]}")
            graph.add((relation, RDF.type, KG.QualifiedRelation))
            _qualify(graph, relation, subject, predicate, target)
            inherited = LineDict({k: item[k] for k in RELATION_KEYS if k in item})
            inherited.update(own or {})
            _attribution(graph, article, relation, inherited, iris, doc)


def _qualify(graph: Graph, relation: URIRef, subject: URIRef, predicate: URIRef, target: URIRef) -> None:
    graph.add((relation, KG["from"], subject))
    graph.add((relation, KG.relation, predicate))
    graph.add((relation, KG.to, target))


def _role(graph: Graph, role_id: str) -> URIRef:
    """A role named in an article (a stance change's from/to role): the shared role IRI, typed and labelled."""
    node = entity_iri("role", role_id)
    graph.add((node, RDF.type, KG.Role))
    graph.add((node, RDFS.label, Literal(role_id.replace("-", " "), lang="en")))
    return node


def _attribution(graph: Graph, article: Article, node: URIRef, item: LineDict, iris: dict[str, URIRef], doc: URIRef) -> None:
    """What a statement or a qualified relation owes to the article: hedges, sources, date and evidence."""
    graph.add((node, PROV.wasDerivedFrom, doc))
    for key in ("firmness", "status", "modality"):
        if key in item:
            graph.add((node, VOCABULARY.curated_keys[key].predicate, KG[item[key]]))
    for key in ("cue", "date"):
        if key in item:
            predicate, datatype = VALUES[key]
            graph.add((node, predicate, Literal(str(item[key]), datatype=datatype)))
    sources = _as_list(item.get("reported_by"))
    for source in sources:
        graph.add((node, KG.reportedBy, iris[source]))
    graph.add((node, KG.sourceCount, Literal(len(set(sources)))))
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
    """Link each shared actor and place to the spans of the article that name it (NIF offsets).

    Names match as :class:`kg.aliases.AliasIndex` matches them: case- and diacritic-insensitive,
    with transliteration variants ("Zelensky" for "Zelenskyy"); actors before places, longest first.
    """
    places = AliasIndex.from_entities(corpus.places, strict=False)
    found = [(m, entity_iri("actor", m.actor)) for m in corpus.aliases().mentions(article.text.text)]
    taken = [(m.start, m.end) for m, _ in found]
    found += [(m, entity_iri("place", m.actor)) for m in places.mentions(article.text.text)
              if not any(s < m.end and m.start < e for s, e in taken)]
    for match, entity in found:
        start, end = article.text.raw_span(match.start, match.end)
        mention = URIRef(f"{doc}#char={start},{end}")
        graph.add((doc, KG.mentions, entity))
        graph.add((entity, GAF.denotedBy, mention))
        graph.add((mention, RDF.type, NIF.Phrase))
        graph.add((mention, NIF.referenceContext, doc))
        graph.add((mention, NIF.beginIndex, Literal(start, datatype=XSD.nonNegativeInteger)))
        graph.add((mention, NIF.endIndex, Literal(end, datatype=XSD.nonNegativeInteger)))
        graph.add((mention, NIF.anchorOf, Literal(article.text.raw[start:end])))
