"""Positions across articles: threads of the same position, what corroborates, updates or supersedes what.

A *position thread* gathers the positions with the same holder, kind and topic that are reported
in at least two articles (holders that are an article's own actors, such as its author, are left
out). Its members are ordered by date (the statement's ``date``, else the article's ``reported``
date), then article and statement id. Each member is compared with the one reported before it:

* ``kg:supersedes`` when a quantity of the position moved (a 25-year demand lowered to 15 years);
* ``kg:corroborates`` when an independent source reports it unchanged (the same quantities, or
  the same content when there are none);
* ``kg:updates`` when an independent source reports it changed otherwise (wording, modality).

An article with ``syndicated_from: ID`` is a copy of that article: its members count as the
same source, so ``kg:sourceCount`` on the thread (the number of independent sources) does not
grow, and a copy neither corroborates nor updates its original. :func:`add_threads` writes the
threads into the graph ``https://w3id.org/kg/graph/threads``; :func:`timeline` reads them back
from a built graph for ``kg timeline [ISSUE|ACTOR]``.

>>> from kg.annotations import load_corpus
>>> from kg.corpus import find_corpus
>>> from pathlib import Path
>>> corpus = load_corpus(find_corpus(Path(__file__).parents[1] / "tests" / "fixtures" / "invented-corpus"))
>>> [(t.key, [m.statement for m in t.members], [m.relation for m in t.members]) for t in position_threads(corpus)]
[('aldoria-offer-water-guarantee', ['aldoria-offers-guarantee', 'aldoria-may-accept-longer-term'], [None, 'updates']), \
('brenn-demand-water-guarantee', ['brenn-demands-25-years', 'brenn-demands-15-years'], [None, 'supersedes'])]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import RDF, RDFS, Graph, Literal

from kg.aliases import fold
from kg.annotations import Article, Corpus, LineDict, _as_list, statement_group
from kg.errors import KgError
from kg.namespaces import GRAPH, ID, KG, statement_iri
from kg.vocabulary import VOCABULARY

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

THREADS_GRAPH = GRAPH["threads"]
QUANTITY_KEYS = tuple(k for k, row in VOCABULARY.curated_keys.items() if row.refers == "quantity")


@dataclass
class Member:
    """One report of a thread's position."""

    article: str
    statement: str
    date: str
    origin: str  # the article it was first published as (itself, unless syndicated)
    quantities: dict[str, tuple[float, str]]
    content: str
    relation: str | None = None  # to the member before it: supersedes, updates, corroborates or None


@dataclass
class Thread:
    """The members of one (holder, kind, topic) across articles."""

    key: str
    holders: tuple[str, ...]
    kind: str
    topics: tuple[str, ...]
    members: list[Member] = field(default_factory=list)

    @property
    def sources(self) -> int:
        """Independent sources: articles, a syndicated copy counted with its original."""
        return len({m.origin for m in self.members})


def _origin(article: Article, by_id: dict[str, Article]) -> str:
    seen = {article.id}
    while article.meta.get("syndicated_from") in by_id and article.meta["syndicated_from"] not in seen:
        article = by_id[article.meta["syndicated_from"]]
        seen.add(article.id)
    return article.id


def _quantities(item: LineDict) -> dict[str, tuple[float, str]]:
    return {k: (float(item[k]["value"]), str(item[k]["unit"])) for k in QUANTITY_KEYS if isinstance(item.get(k), dict)}


def _relation(before: Member, after: Member) -> str | None:
    shared = set(before.quantities) & set(after.quantities)
    if any(before.quantities[k] != after.quantities[k] for k in shared):
        return "supersedes"
    if before.origin == after.origin:
        return None  # the same source again (a syndicated copy, or the same article)
    same = before.quantities == after.quantities if before.quantities or after.quantities else \
        fold(before.content).strip() == fold(after.content).strip()
    return "corroborates" if same else "updates"


def position_threads(corpus: Corpus) -> list[Thread]:
    """Every thread of the corpus: positions of shared actors with the same holder, kind and topic in two or more articles."""
    shared = {a["id"] for a in corpus.actors}
    by_id = {a.id: a for a in corpus.articles}
    threads: dict[tuple, Thread] = {}
    for article in corpus.articles:
        origin = _origin(article, by_id)
        for item in article.statements:
            kind = item.get("kind")
            holders, topics = tuple(sorted(_as_list(item.get("holder")))), tuple(sorted(_as_list(item.get("topic"))))
            if statement_group(str(kind)) != "position" or not holders or not topics or not set(holders) <= shared:
                continue
            key = "-".join(["+".join(holders), str(kind).lower(), "+".join(topics)])
            thread = threads.setdefault((holders, kind, topics), Thread(key, holders, str(kind), topics))
            thread.members.append(Member(article.id, item["id"], str(item.get("date") or article.meta["reported"]), origin,
                                         _quantities(item), str(item.get("content", ""))))
    out = []
    for thread in sorted(threads.values(), key=lambda t: t.key):
        if len({m.article for m in thread.members}) < 2:
            continue
        thread.members.sort(key=lambda m: (m.date, m.article, m.statement))
        for before, after in zip(thread.members, thread.members[1:], strict=False):
            after.relation = _relation(before, after)
        out.append(thread)
    return out


def add_threads(graph: Graph, corpus: Corpus) -> None:
    """Write every thread into ``graph``: the thread node, its members, sourceCount, and the relations between members."""
    names = {i["id"]: str(_as_list(i.get("names"))[0]) for i in corpus.actors + corpus.issues if _as_list(i.get("names"))}
    for thread in position_threads(corpus):
        node = ID[f"thread/{thread.key}"]
        holders, topics = (" and ".join(names.get(i, i) for i in ids) for ids in (thread.holders, thread.topics))
        graph.add((node, RDF.type, KG.PositionThread))
        graph.add((node, RDFS.label, Literal(f"{holders}: {thread.kind} on {topics}", lang="en")))
        graph.add((node, KG.sourceCount, Literal(thread.sources)))
        for before, member in zip([None, *thread.members], thread.members, strict=False):
            iri = statement_iri(member.article, member.statement)
            graph.add((node, KG.member, iri))
            if before is not None and member.relation:
                graph.add((iri, KG[member.relation], statement_iri(before.article, before.statement)))


TIMELINE = """PREFIX kg: <https://w3id.org/kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX qudt: <http://qudt.org/schema/qudt/>
SELECT ?thread ?threadLabel ?sources ?member ?label ?date ?article ?articleId ?holder ?topic ?value ?unit ?relation ?source
WHERE {
  ?thread a kg:PositionThread ; rdfs:label ?threadLabel ; kg:sourceCount ?sources ; kg:member ?member .
  ?member rdfs:label ?label ; kg:holder ?holder ; kg:topic ?topic ; <http://www.w3.org/ns/prov#wasDerivedFrom> ?article .
  ?article dct:identifier ?articleId ; dct:date ?reported .
  OPTIONAL { ?member kg:date ?stated }
  BIND(COALESCE(?stated, ?reported) AS ?date)
  OPTIONAL { ?member kg:duration ?q . ?q qudt:numericValue ?value ; qudt:unit ?unit }
  OPTIONAL { GRAPH ?asserted { ?member ?relation ?earlier } ?thread kg:member ?earlier .  # not the inferred superproperty
             FILTER(?asserted != <https://w3id.org/kg/graph/inferred> && ?relation IN (kg:supersedes, kg:updates, kg:corroborates)) }
  OPTIONAL { ?member kg:reportedBy ?by . ?by rdfs:label ?source }
}"""
"""Threads with their members, dates, articles, durations, relations and sources (one row per combination)."""


def timeline(graph: KnowledgeGraph, about: str | None = None) -> list[str]:
    """How positions moved: one block per thread, one line per report with date, duration, relation and source.

    ``about`` narrows to the threads of one actor (any of its names) or one issue (its id or name).
    """
    rows = graph.query(TIMELINE).rows
    wanted: set[str] | None = None
    if about:
        issues = {str(r["topic"]) for r in rows if fold(str(r["topic"]).rsplit("/", 1)[-1]) == fold(about)}
        issues |= {str(r["topic"]) for r in graph.query(
            "SELECT ?topic ?name WHERE { ?topic a <https://w3id.org/kg/ontology#Issue> ; "
            "<http://www.w3.org/2004/02/skos/core#prefLabel>|<http://www.w3.org/2004/02/skos/core#altLabel> ?name }").rows
            if fold(str(r["name"])) == fold(about)}
        if issues:
            wanted = issues
        else:
            try:
                wanted = {graph.resolve_actor(about)}
            except KgError as exc:
                raise KgError(f"no issue or actor named {about!r} ({exc})") from exc
    threads: dict[str, dict] = {}
    for r in rows:
        if wanted is not None and str(r["holder"]) not in wanted and str(r["topic"]) not in wanted:
            continue
        thread = threads.setdefault(str(r["thread"]), {"label": str(r["threadLabel"]), "sources": int(r["sources"]), "members": {}})
        member = thread["members"].setdefault(str(r["member"]), {
            "date": str(r["date"]), "label": str(r["label"]), "article": str(r["articleId"]),
            "id": str(r["member"]).rsplit("/", 1)[-1], "quantity": None, "relation": None, "sources": set()})
        if r.get("value") is not None:
            member["quantity"] = f"{float(str(r['value'])):g} {str(r['unit']).rsplit('/', 1)[-1].lower()}"
        if r.get("relation") is not None:
            member["relation"] = str(r["relation"]).rsplit("#", 1)[-1]
        if r.get("source") is not None:
            member["sources"].add(str(r["source"]))
    if not threads:
        return ["no position is reported in more than one article" + (f" for {about!r}" if about else "")]
    lines = []
    for _, thread in sorted(threads.items()):
        members = sorted(thread["members"].values(), key=lambda m: (m["date"], m["article"], m["id"]))
        lines.append(f"{thread['label']}: {len(members)} reports, {thread['sources']} independent source(s)")
        for m in members:
            moved = f"  [{m['relation']} the report before]" if m["relation"] else ""
            quantity = f"  ({m['quantity']})" if m["quantity"] else ""
            lines.append(f"  {m['date']}  {m['label']}{quantity}{moved}  -- {m['article']}/{m['id']}, "
                         f"reported by {', '.join(sorted(m['sources'])) or 'unknown'}")
    return lines
