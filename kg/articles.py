"""Articles as the tools cite them: each statement named ``ARTICLE/id`` with its date, and the position threads.

:func:`annotate` attaches to a network (:func:`kg.network.network`) what the graph says about its
articles and threads, as graph attributes that views keep (:func:`kg.network.dependency_view`):

* ``g.graph["articles"]``: article IRI -> :class:`ArticleInfo` (id, title, outlet, reported and
  published dates, URL), from the article metadata in each article's named graph;
* ``g.graph["threads"]``: the position threads (:mod:`kg.threads`), each a :class:`Thread` whose
  members are in date order with their relation to the report before (supersedes, updates,
  corroborates).

:func:`cite` and :func:`name` then say where and when a statement was reported, as ``kg analyze``
prints it: the statement's own date, else its article's reported date.

>>> from kg.graph import load
>>> from kg.network import network, position_iri
>>> g = network(load())  # network() calls annotate()
>>> name(g, position_iri("us-offers-15-year-guarantee"))
'US offers a 15-year guarantee [000_0e22b9a82a6b1fdf/us-offers-15-year-guarantee, 2026-01-27]'
>>> g.graph["articles"]["https://w3id.org/kg/id/article/000_0e22b9a82a6b1fdf"].date
'2026-01-27'
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import networkx as nx

from kg.graph import KnowledgeGraph
from kg.namespaces import ID
from kg.threads import TIMELINE

RELATIONS = ("supersedes", "updates", "corroborates")
"""How a report of a thread relates to the report before it (see :mod:`kg.threads`)."""


@dataclass(frozen=True)
class ArticleInfo:
    """An article as the page and the analyses show it: id, reported date, and title, outlet, published date, URL if known."""

    iri: str
    id: str
    date: str
    title: str = ""
    outlet: str = ""
    published: str = ""
    url: str = ""


@dataclass(frozen=True)
class ThreadMember:
    """One report of a thread: the statement, its label, date, article IRI and relation to the report before (or None)."""

    node: str
    label: str
    date: str
    article: str
    relation: str | None


@dataclass(frozen=True)
class Thread:
    """The same position (holder, kind, topic) as reported in several articles, in date order."""

    iri: str
    label: str
    sources: int
    members: tuple[ThreadMember, ...]


def _first(values: set[str]) -> str:
    return min(values) if values else ""


def articles(graph: KnowledgeGraph) -> dict[str, ArticleInfo]:
    """The articles of the graph by IRI, in order of reported date, then id.

    >>> from kg.graph import load
    >>> [a.date for a in articles(load()).values() if a.id == "000_0e22b9a82a6b1fdf"]
    ['2026-01-27']
    """
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in graph.named("articles").rows:
        for key, value in row.items():
            if value is not None:
                found[str(row["article"])][key].add(str(value))
    infos = [ArticleInfo(iri, _first(v["id"]) or iri.rsplit("/", 1)[-1], _first(v["date"]), _first(v["title"]), _first(v["outlet"]),
                         _first(v["published"]), _first(v["url"])) for iri, v in found.items()]
    return {a.iri: a for a in sorted(infos, key=lambda a: (a.date, a.id))}


def threads(graph: KnowledgeGraph) -> list[Thread]:
    """The position threads of the graph (the query of ``kg timeline``), members in date order.

    >>> from kg.graph import load
    >>> [t.label for t in threads(load()) if any("/000_0e22b9a82a6b1fdf/" in m.node for m in t.members)]  # the seed: no repeats
    []
    """
    rows = graph.query(TIMELINE).rows
    heads: dict[str, tuple[str, int]] = {}
    members: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in rows:
        thread = str(r["thread"])
        heads[thread] = (str(r["threadLabel"]), int(str(r["sources"])))
        member = members[thread].setdefault(str(r["member"]), {"label": str(r["label"]), "date": str(r["date"]),
                                                               "article": str(r["article"]), "relation": None})
        if r.get("relation") is not None:
            member["relation"] = str(r["relation"]).rsplit("#", 1)[-1]
    return [Thread(thread, label, sources,
                   tuple(ThreadMember(node, **m) for node, m in sorted(members[thread].items(),
                                                                        key=lambda item: (item[1]["date"], item[1]["article"], item[0]))))
            for thread, (label, sources) in sorted(heads.items())]


def annotate(g: nx.MultiDiGraph, graph: KnowledgeGraph) -> nx.MultiDiGraph:
    """Attach the articles and threads of ``graph`` to its network ``g`` (``g.graph["articles"]``, ``["threads"]``); returns ``g``."""
    g.graph["articles"] = articles(graph)
    g.graph["threads"] = threads(graph)
    return g


def statement_id(node: str) -> str:
    """``ARTICLE/id`` for a statement IRI (the form ``kg analyze`` accepts), else the IRI's last segment.

    >>> statement_id("https://w3id.org/kg/id/article/001_a/offer"), statement_id("https://w3id.org/kg/id/actor/russia")
    ('001_a/offer', 'russia')
    """
    prefix = str(ID["article/"])
    return node.removeprefix(prefix) if node.startswith(prefix) and node.count("/", len(prefix)) == 1 else node.rsplit("/", 1)[-1]


def node_date(g: nx.MultiDiGraph, node: str) -> str:
    """The date of a statement: its own (``date``), else its article's reported date (``""`` if neither is known)."""
    attrs = g.nodes[node] if node in g else {}
    info = g.graph.get("articles", {}).get(attrs.get("source", ""))
    return str(attrs.get("date") or (info.date if info else ""))


def cite(g: nx.MultiDiGraph, node: str) -> str:
    """Where and when: ``ARTICLE/id, DATE`` for a statement, the id alone for an entity or where no date is known.

    >>> g = nx.MultiDiGraph(articles={"urn:a": ArticleInfo("urn:a", "001_a", "2026-03-02")})
    >>> g.add_node("https://w3id.org/kg/id/article/001_a/offer", source="urn:a")
    >>> cite(g, "https://w3id.org/kg/id/article/001_a/offer")
    '001_a/offer, 2026-03-02'
    """
    date = node_date(g, node)
    return f"{statement_id(node)}, {date}" if date else statement_id(node)


def name(g: nx.MultiDiGraph, node: str) -> str:
    """A node's label and :func:`cite` in brackets: ``US offers a 15-year guarantee [000_…/us-offers-15-year-guarantee, 2026-01-27]``."""
    label = g.nodes[node].get("label", node) if node in g else g.graph.get("labels", {}).get(node, node)
    return f"{label} [{cite(g, node)}]"
