"""The interactive graph page: one self-contained HTML file drawn by vis-network.

The page comes from our own template (``kg/templates/graph-page.html``) so that every byte of it is
ours to escape:

* vis-network 9.1.2 is inlined from the copy the pyvis package ships (``pyvis/lib/vis-9.1.2``;
  Apache-2.0 or MIT, its licence header kept), together with the
  page's own script and style: no CDN, no request to any other host, opens from ``file://``.
* The graph goes in as JSON in a ``<script type="application/json">`` block with ``<``, ``>``,
  ``&``, U+2028 and U+2029 escaped; the page script reads it with ``JSON.parse`` and writes text
  only through ``textContent`` and DOM properties (tooltips are DOM elements, labels are drawn on
  the canvas). The title in ``<title>`` is HTML-escaped.
* A Content-Security-Policy allows only the two inline scripts (by SHA-256) and inline style, so
  even markup that slipped through could neither run nor fetch anything.
* Cards show each evidence quote normalised (the corpus's noise phrases removed, ``texts``), the
  raw quote on demand; a search box finds a node by its label, any alias or its statement id.
* Filters by article and date range apply to positions and events (actors and issues stay while
  something linked to them does), also in the overview; the card of a position lists its thread
  (the same position in other articles), which :func:`kg.network.network` attaches to the network
  (:func:`kg.articles.annotate`); a network made otherwise knows its articles by id only.
* Scale: up to :data:`PHYSICS_MAX_NODES` nodes the positions precomputed by :func:`layout` (a
  seeded numpy force layout) are settled by vis-network's physics; up to :data:`OVERVIEW_ABOVE`
  they are drawn as they are; above, the page opens on an **overview** (:func:`overview`: actors,
  issues and articles, sized by how many positions they gather, linked by shared positions) and
  a click on one of them drills down to its positions, laid out by vis-network's physics with
  bounded iterations (see ``benchmarks/bench_viz.py``).

>>> from kg.network import network
>>> html = page(network(), title="Seed <graph>")
>>> "<title>Seed &lt;graph&gt;</title>" in html, "cdn" in html.lower(), "http-equiv=\\"Content-Security-Policy\\"" in html
(True, False, True)
"""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import itertools
import json
import math
import string
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from kg.articles import ArticleInfo, node_date
from kg.errors import KgError
from kg.network import RELATIONS
from kg.progress import collector_paused, step
from kg.serialize import write_outputs
from kg.vocabulary import VOCABULARY

PACKAGE = resources.files("kg")
VIS_JS = resources.files("pyvis") / "lib" / "vis-9.1.2" / "vis-network.min.js"
"""vis-network, from the pyvis package (the design card's page library)."""
SEED = 42
PHYSICS_MAX_NODES = 400
"""Up to this many nodes vis-network's physics settles the precomputed layout; above, it is drawn as is."""
OVERVIEW_ABOVE = 500
"""Above this many nodes the page opens on the :func:`overview` with drill-down instead of every node at once."""
FILTERED_KINDS = ("position", "event")
"""The kinds of node the page's article and date filters apply to (actors and issues stay while something linked to them does)."""
ARTICLE_GROUP = "kg:article-group:"
"""Prefix of overview nodes that gather the positions of one article which have no holder and no topic."""

NODE_STYLES: dict[str, dict[str, Any]] = {
    "actor": {"shape": "dot", "color": "#4a78b5", "size": 14},
    "issue": {"shape": "diamond", "color": "#e0b43c", "size": 10},
    "event": {"shape": "star", "color": "#c2185b", "size": 18},
    "position": {"shape": "box", "size": 12},
    "article": {"shape": "box", "color": "#d7ccc8", "size": 12},
}
POSITION_COLORS = {"Demand": "#f3a5a5", "Offer": "#a9d8a0", "Condition": "#ffc97a", "Proposal": "#d3a6e0",
                   "Outcome": "#86cfc6", "Claim": "#cfd8dc", "Assessment": "#e6e6e6", "Argument": "#c9b7ae"}
EDGE_STYLES: dict[str, dict[str, Any]] = {name: row.style for name, row in VOCABULARY.edges.items()}
"""How each network relation is drawn (from the ontology: kg:edgeStyle)."""
DEFAULT_EDGE_STYLE: dict[str, Any] = {"color": "#999999", "width": 1}


def _legend_key(attrs: dict[str, Any]) -> str:
    return f"position:{attrs['type']}" if attrs["kind"] == "position" else attrs["kind"]


def node_style(attrs: dict[str, Any]) -> dict[str, Any]:
    """Shape, colour and size of a node of the network (the page's and the GEXF/GraphML exports').

    >>> node_style({"kind": "position", "type": "Offer"})["color"], node_style({"kind": "actor"})["shape"]
    ('#a9d8a0', 'dot')
    """
    style = dict(NODE_STYLES.get(attrs.get("kind", "actor"), NODE_STYLES["actor"]))
    if attrs.get("kind") == "position":
        style.update(color=POSITION_COLORS.get(attrs.get("type", ""), "#eeeeee"))
    return style


def edge_style(relation: str) -> dict[str, Any]:
    """Colour, width, dashes and arrow of a relation (from the ontology), grey for unknown ones.

    >>> edge_style("depends-on")["color"] == EDGE_STYLES["depends-on"]["color"], edge_style("nonsense")
    (True, {'color': '#999999', 'width': 1})
    """
    return dict(EDGE_STYLES.get(relation, DEFAULT_EDGE_STYLE))


def _labels(g: nx.MultiDiGraph, nodes: list[str]) -> str:
    """Names, never IRIs where a name is known: from the node, else from the graph's label map (views drop nodes)."""
    names = g.graph.get("labels", {})
    return "; ".join(str(g.nodes[n].get("label", n)) if n in g else str(names.get(n, n)) for n in nodes)


def _quotes(attrs: dict[str, Any]) -> list[list[str]]:
    """Evidence as [normalised text, raw quote, offsets]; the raw quote stands in where no normalised text is known."""
    quotes, offsets = attrs.get("quotes", []), attrs.get("offsets", [])
    texts = attrs.get("texts") or quotes
    return [[text, raw, f"[{start}\u2013{end}]"] for text, raw, (start, end) in zip(texts, quotes, offsets, strict=False)]


def _source(g: nx.MultiDiGraph, attrs: dict[str, Any]) -> str:
    """The article by id, with its title, outlet and date where the network is annotated (:func:`kg.articles.annotate`)."""
    source = str(attrs.get("source", ""))
    info = g.graph.get("articles", {}).get(source)
    text = f"article {source.rsplit('/', 1)[-1]}" if source else ""
    if info:
        text += "".join(f", {part}" for part in (info.title, info.outlet, info.date) if part)
    if attrs.get("reported_by"):
        text += f" (reported by {'; '.join(attrs['reported_by'])})"
    return text


def node_card(g: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    """What the tooltip and the details panel show for a node: heading, rows of (field, text), quotes.

    Quotes are ``[normalised text, raw quote, offsets]``.

    >>> from kg.network import network
    >>> card = node_card(network(), "https://w3id.org/kg/id/article/000_0e22b9a82a6b1fdf/us-offers-15-year-guarantee")
    >>> card["rows"][:3]
    [['Kind', 'Offer (position)'], ['Statement', 'a 15-year guarantee'], ['Held by', 'United States']]
    """
    a = g.nodes[node]
    kind = f"{a['type']} ({a['kind']})" if a["type"] != a["kind"].title() else a["type"]
    fields = [("Kind", kind), ("Statement", a.get("content")), ("Held by", _labels(g, a.get("holders", []))),
              ("Addressed to", _labels(g, a.get("addressees", []))),
              ("Party", _labels(g, [a["party"]]) if "party" in a else None),
              ("Firmness", a.get("firmness")), ("Status", a.get("status")), ("Modality", a.get("modality")),
              ("Cue", a.get("cue")), ("Negated", "yes" if a.get("negated") else None), ("Date", a.get("date")),
              ("Places", "; ".join(a.get("places", []))), ("Source", _source(g, a))]
    return {"heading": str(a.get("label", node)), "rows": [[k, str(v)] for k, v in fields if v],
            "quotes": _quotes(a), "iri": node}


def edge_card(g: nx.MultiDiGraph, source: str, target: str, relation: str) -> dict[str, Any]:
    """What the tooltip and the details panel show for an edge: its ends by name, and its own evidence and hedges if it has them.

    >>> from kg.network import network
    >>> g = network()
    >>> edge_card(g, *sorted((u, v) for u, v, k in g.edges(keys=True) if k == "conflicts-with")[-1], "conflicts-with")["heading"]
    "conflicts-with: 15-year US offer against Ukraine's 50-year demand"
    """
    card = _edge_facts(g, source, target, relation)
    ends = [("From", _labels(g, [source])), ("To", _labels(g, [target])), ("Meaning", RELATIONS.get(relation))]
    card["rows"] = [[k, str(v)] for k, v in ends if v] + card["rows"]
    return card


def _edge_facts(g: nx.MultiDiGraph, source: str, target: str, relation: str) -> dict[str, Any]:
    """An edge card without its ends and meaning (the page writes those itself from the labels and the legend)."""
    a = g.edges[source, target, relation]
    fields = [("Statement", a.get("content")), ("Firmness", a.get("firmness")), ("Modality", a.get("modality")),
              ("Cue", a.get("cue")), ("Status", a.get("status")), ("Source", _source(g, a))]
    heading = f"{relation}: {a['label']}" if "label" in a else relation
    return {"heading": heading, "rows": [[k, str(v)] for k, v in fields if v], "quotes": _quotes(a), "iri": a.get("conflict", "")}


def layout(g: nx.Graph, seed: int = SEED, iterations: int = 80) -> dict[str, tuple[float, float]]:
    """Node positions in pixels: a Fruchterman-Reingold force layout in numpy from a fixed seed.

    Vectorised (repulsion between all pairs in blocks, attraction along edges, weak gravity that
    keeps separate components close): well under a second for 500 nodes, where networkx's spring layout
    takes minutes above 500 nodes (see ``benchmarks/bench_viz.py``). Same graph, same positions.

    >>> pos = layout(nx.path_graph(["a", "b", "c"]))
    >>> sorted(pos) == ["a", "b", "c"] and pos == layout(nx.path_graph(["a", "b", "c"]))
    True
    >>> abs(pos["a"][0] - pos["c"][0]) > abs(pos["a"][0] - pos["b"][0])  # the middle node in the middle
    True
    """
    nodes = sorted(g)
    if not nodes:
        return {}
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    pairs = sorted({(min(index[u], index[v]), max(index[u], index[v])) for u, v in g.edges() if u != v})
    ends = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    pos = np.random.default_rng(seed).uniform(-1.0, 1.0, (n, 2))
    k = 2.0 / math.sqrt(n)
    block = max(1, 1_000_000 // n)
    temperature = 0.2
    for _ in range(iterations):
        disp = np.zeros_like(pos)
        for first in range(0, n, block):  # repulsion k²/d between all pairs, a block of rows at a time
            dx = pos[first:first + block, 0, None] - pos[None, :, 0]
            dy = pos[first:first + block, 1, None] - pos[None, :, 1]
            push = (k * k) / np.maximum(dx * dx + dy * dy, 1e-6)
            disp[first:first + block, 0] = (dx * push).sum(axis=1)
            disp[first:first + block, 1] = (dy * push).sum(axis=1)
        delta = pos[ends[:, 0]] - pos[ends[:, 1]]
        pull = delta * (np.hypot(delta[:, 0], delta[:, 1]) / k)[:, None]
        np.subtract.at(disp, ends[:, 0], pull)
        np.add.at(disp, ends[:, 1], pull)
        disp -= pos * (0.3 * k)  # gravity
        length = np.maximum(np.hypot(disp[:, 0], disp[:, 1]), 1e-12)
        pos += disp * (np.minimum(length, temperature) / length)[:, None]
        temperature = max(temperature * 0.95, 0.005)
    pos -= pos.mean(axis=0)
    pos *= 90 * math.sqrt(n) / max(float(np.abs(pos).max()), 1e-9)
    return {node: (round(float(x), 1), round(float(y), 1)) for node, (x, y) in zip(nodes, pos, strict=True)}


def _compact_quotes(card: dict[str, Any]) -> list[list[str | None]]:
    """Quotes for the page's data: the raw quote left out (``None``) where it equals the normalised text."""
    return [[text, None if raw == text else raw, offsets] for text, raw, offsets in card["quotes"]]


def _vis_node(g: nx.MultiDiGraph, node: str, attrs: dict[str, Any], position: tuple[float, float] | None,
              article_index: dict[str, int]) -> dict[str, Any]:
    """A node of the page's data: style by group (the legend key), card without what the page knows (label, IRI);
    a position or event also carries its article (index into the page's ``articles``) and date, for the filters."""
    label = str(attrs.get("label", node))
    card = node_card(g, node)
    vis = {"id": node, "label": label, "kind": attrs["kind"], "group": _legend_key(attrs), "kg": {"rows": card["rows"]}}
    if attrs["kind"] in FILTERED_KINDS:
        if attrs.get("source") in article_index:
            vis["article"] = article_index[attrs["source"]]
        if node_date(g, node):
            vis["date"] = node_date(g, node)
    if card["quotes"]:
        vis["kg"]["quotes"] = _compact_quotes(card)
    aliases = sorted(set(map(str, attrs.get("names", []))) - {label})
    if aliases:
        vis["names"] = aliases  # the search box also finds the label and the IRI's last segment (statement or entity id)
    if position:
        vis["x"], vis["y"] = position
    return vis


def page_articles(g: nx.MultiDiGraph) -> list[ArticleInfo]:
    """The articles the positions and events of ``g`` come from, by date then id, with their metadata
    (:func:`kg.network.network` attaches it; a network made otherwise gives ids alone).

    >>> from kg.network import network
    >>> [a.date for a in page_articles(network()) if a.id == "000_0e22b9a82a6b1fdf"]
    ['2026-01-27']
    """
    known = g.graph.get("articles", {})
    used = {str(a["source"]) for _, a in g.nodes(data=True) if a["kind"] in FILTERED_KINDS and a.get("source")}
    infos = [known.get(iri) or ArticleInfo(iri, iri.rsplit("/", 1)[-1], "") for iri in used]
    return sorted(infos, key=lambda a: (a.date, a.id, a.iri))


def _page_threads(g: nx.MultiDiGraph, article_index: dict[str, int]) -> list[dict[str, Any]]:
    """The threads with a member in ``g``: label, independent sources, members as [node, label, date, article index, relation]
    (the label ``None`` where the page has the node and so its label)."""
    return [{"label": t.label, "sources": t.sources,
             "members": [[m.node, None if m.node in g else m.label, m.date, article_index.get(m.article, -1), m.relation]
                         for m in t.members]}
            for t in g.graph.get("threads", []) if any(m.node in g for m in t.members)]


def _vis_edge(g: nx.MultiDiGraph, source: str, target: str, relation: str) -> dict[str, Any]:
    """An edge of the page's data: style from the page's ``edgeStyles``, card with the edge's own rows, evidence and IRI."""
    card = _edge_facts(g, source, target, relation)
    own: dict[str, Any] = {"rows": card["rows"]}
    if card["heading"] != relation:
        own["heading"] = card["heading"]
    if card["quotes"]:
        own["quotes"] = _compact_quotes(card)
    if card["iri"]:
        own["iri"] = card["iri"]
    return {"from": source, "to": target, "relation": relation, "kg": own}


def _vis_edge_style(relation: str) -> dict[str, Any]:
    style = edge_style(relation)
    arrow = style.pop("arrow", True)
    return {**style, "arrows": {"to": {"enabled": arrow, "scaleFactor": 0.6}}}


def _group_style(attrs: dict[str, Any]) -> dict[str, Any]:
    style = node_style(attrs)
    if attrs["kind"] == "position":
        style["widthConstraint"] = {"maximum": 170}
        del style["size"]
    return style


@dataclass(frozen=True)
class Overview:
    """The overview of a large network: groups of positions and how many positions each pair shares.

    ``groups`` maps a group (an actor holding positions, an issue that is their topic, or
    ``ARTICLE_GROUP + article IRI`` for positions with neither) to its positions.
    """

    groups: dict[str, tuple[str, ...]]
    shared: dict[tuple[str, str], int]


def overview(g: nx.MultiDiGraph) -> Overview:
    """Group the positions of ``g`` by holder and by topic (by article when they have neither).

    >>> from kg.network import network
    >>> o = overview(network())
    >>> russia, territory = "https://w3id.org/kg/id/actor/russia", "https://w3id.org/kg/id/issue/territory"
    >>> len(o.groups[russia]) > 0 and o.shared[min(russia, territory), max(russia, territory)] > 0
    True
    """
    groups: dict[str, set[str]] = defaultdict(set)
    shared: Counter[tuple[str, str]] = Counter()
    for node, attrs in g.nodes(data=True):
        if attrs["kind"] != "position":
            continue
        keys = ({u for u, _, k in g.in_edges(node, keys=True) if k == "holds"}
                | {v for _, v, k in g.out_edges(node, keys=True) if k == "topic"})
        keys = keys or {ARTICLE_GROUP + str(attrs.get("source", ""))}
        for key in keys:
            groups[key].add(node)
        shared.update(itertools.combinations(sorted(keys), 2))
    return Overview({k: tuple(sorted(v)) for k, v in sorted(groups.items())}, dict(sorted(shared.items())))


def _overview_data(g: nx.MultiDiGraph, seed: int) -> dict[str, Any]:
    """The overview's vis-network nodes and edges, laid out, each group node carrying the nodes to drill down to."""
    view = overview(g)
    simple = nx.Graph()
    simple.add_nodes_from(view.groups)
    simple.add_edges_from(view.shared)
    with step(f"laying out the overview ({len(simple):,} groups)"):
        positions = layout(simple, seed)
    nodes = []
    for key, members in view.groups.items():
        if key.startswith(ARTICLE_GROUP):
            article = key.removeprefix(ARTICLE_GROUP)
            label, attrs, focus = f"article {article.rsplit('/', 1)[-1]}", {"kind": "article"}, list(members)
        else:
            attrs, focus = g.nodes[key], [key]
            label = str(attrs.get("label", key))
        count = len(members)
        rows = [["Kind", f"{attrs['kind']} (overview)"], ["Positions", f"{count} (click to open them)"]]
        style = node_style(attrs)
        style["size"] = round(style["size"] + 4 * math.sqrt(count), 1)
        x, y = positions[key]
        nodes.append({"id": key, "label": f"{label} ({count})", "kind": attrs["kind"], "x": x, "y": y, "focus": focus,
                      "kg": {"heading": label, "rows": rows, "quotes": [], "iri": "" if key.startswith(ARTICLE_GROUP) else key},
                      **style})
    names = {n["id"]: n["kg"]["heading"] for n in nodes}
    edges = [{"id": f"o{number}", "from": a, "to": b, "width": round(1 + math.log2(count), 1), "color": "#b0b0b0",
              "arrows": {"to": {"enabled": False}},
              "kg": {"heading": f"{names[a]} \u2013 {names[b]}", "rows": [["Shared positions", str(count)]], "quotes": [], "iri": ""}}
             for number, ((a, b), count) in enumerate(view.shared.items())]
    return {"nodes": nodes, "edges": edges}


def _options(physics: bool) -> dict[str, Any]:
    """vis-network options: hover tooltips, seeded layout, bounded stabilisation, Barnes-Hut physics settings."""
    return {
        "physics": {"enabled": physics, "barnesHut": {"gravitationalConstant": -9000, "centralGravity": 0.9, "springLength": 150,
                                                      "springConstant": 0.03, "damping": 0.3, "avoidOverlap": 0.6},
                    "stabilization": {"enabled": True, "iterations": 300, "updateInterval": 25, "fit": True, "onlyDynamicEdges": False}},
        "layout": {"randomSeed": SEED, "improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": not physics, "navigationButtons": False,
                        "dragNodes": True, "keyboard": {"enabled": True, "bindToWindow": False}},
        "nodes": {"font": {"size": 13, "face": "DejaVu Sans, sans-serif"}, "borderWidth": 1, "margin": 6},
        "edges": {"color": {"inherit": False}, "font": {"size": 11},
                  "smooth": {"enabled": True, "type": "continuous" if physics else "straightCross"}},
    }


def script_safe_json(value: Any) -> str:
    """JSON that cannot end or confuse the ``<script>`` element holding it: ``<``, ``>``, ``&``, U+2028/9 escaped.

    >>> script_safe_json({"label": "</script><b>&\u2028"})
    '{"label":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u2028"}'
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _inline(name: str, text: str) -> str:
    """An asset to inline in a script or style element, refused if it could end that element early."""
    lowered = text.lower()
    if "</script" in lowered or "</style" in lowered or "<!--" in lowered:
        raise KgError(f"kg/static/{name} contains '</script', '</style' or '<!--' and cannot be inlined")
    return text


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def page(g: nx.MultiDiGraph, title: str = "kg: actors and positions", seed: int = SEED,
         dealspace: dict[str, Any] | None = None) -> str:
    """The whole HTML page for ``g`` (any network of :func:`kg.network.network`'s shape), as text.

    Above :data:`OVERVIEW_ABOVE` nodes the page opens on the overview (no layout of every node).
    ``dealspace`` is :func:`kg.dealspace.overlay` of an analysis: the page then offers its
    concession sets, highlighted one at a time.
    """
    size = g.number_of_nodes()
    physics, grouped = size <= PHYSICS_MAX_NODES, size > OVERVIEW_ABOVE
    with step(f"building the page ({size:,} nodes, {g.number_of_edges():,} edges)"), collector_paused():
        positions = {} if grouped else layout(g, seed)
        articles = page_articles(g)
        article_index = {a.iri: i for i, a in enumerate(articles)}
        nodes = [_vis_node(g, node, attrs, positions.get(node), article_index) for node, attrs in g.nodes(data=True)]
        edges = [_vis_edge(g, *edge) for edge in g.edges(keys=True)]
        samples = {_legend_key(attrs): attrs for _, attrs in g.nodes(data=True)}
        groups = {key: _group_style(attrs) for key, attrs in sorted(samples.items())}
        legend_nodes = Counter(n["group"] for n in nodes)
        legend_relations = Counter(e["relation"] for e in edges)
        node_legend = [{"key": key, "label": key.split(":", 1)[1] if ":" in key else key, "shape": groups[key]["shape"],
                        "color": groups[key]["color"], "count": legend_nodes[key]}
                       for key in sorted(legend_nodes, key=lambda k: (k.startswith("position"), k))]
        order = list(EDGE_STYLES)
        relation_legend = [{"key": r, "description": RELATIONS.get(r, r), "count": legend_relations[r], "color": s["color"],
                            "width": s["width"], "dashes": s.get("dashes"), "arrow": s.get("arrow", True)}
                           for r, s in ((r, edge_style(r))
                                        for r in sorted(legend_relations, key=lambda r: (order.index(r) if r in order else len(order), r)))]
        actors = sorted(([n, str(a.get("label", n))] for n, a in g.nodes(data=True) if a["kind"] == "actor"),
                        key=lambda p: (p[1].casefold(), p[0]))
        options = _options(physics)
        options["groups"] = groups
        data = {"title": title, "physics": physics, "options": options, "nodes": nodes, "edges": edges,
                "edgeStyles": {r: _vis_edge_style(r) for r in sorted(legend_relations)},
                "legend": {"nodes": node_legend, "relations": relation_legend}, "actors": actors,
                "overview": _overview_data(g, seed) if grouped else None, "dealspace": dealspace,
                "articles": [{"id": a.id, "title": a.title, "outlet": a.outlet, "date": a.date} for a in articles],
                "threads": _page_threads(g, article_index)}
        payload = script_safe_json(data)
    vis = _inline("vis-network-9.1.2.min.js", VIS_JS.read_text(encoding="utf-8"))
    app = _inline("graph-page.js", (PACKAGE / "static" / "graph-page.js").read_text(encoding="utf-8"))
    style = _inline("graph-page.css", (PACKAGE / "static" / "graph-page.css").read_text(encoding="utf-8"))
    csp = (f"default-src 'none'; script-src {_sha256(vis)} {_sha256(app)}; style-src 'unsafe-inline'; img-src data:; "
           "base-uri 'none'; form-action 'none'")
    template = string.Template((PACKAGE / "templates" / "graph-page.html").read_text(encoding="utf-8"))
    return template.substitute(csp=csp, title=html_lib.escape(title), style=style, vis=vis, app=app, data=payload)


def write_page(g: nx.MultiDiGraph, path: Path | str, title: str = "kg: actors and positions",
               dealspace: dict[str, Any] | None = None) -> Path:
    """Write :func:`page` to ``path`` (UTF-8) and return the path."""
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise KgError(f"{path}: the page must be written to an .html file")
    [written] = write_outputs({path: page(g, title, dealspace=dealspace).encode("utf-8")})  # all or nothing, like kg build
    return written


@dataclass(frozen=True)
class InlinePage:
    """The graph page for a notebook: shown in an isolated, sandboxed ``<iframe srcdoc>`` (``_repr_html_``).

    The frame keeps the page's styles and scripts away from the notebook's own (and the notebook's
    away from the page); ``sandbox="allow-scripts"`` gives it an opaque origin, so it cannot reach
    the notebook either.
    """

    html: str = field(repr=False)
    height: int = 640

    def _repr_html_(self) -> str:
        return (f'<iframe class="kg-graph-page" srcdoc="{html_lib.escape(self.html, quote=True)}" sandbox="allow-scripts" '
                f'style="width: 100%; height: {int(self.height)}px; border: 1px solid #ddd" title="kg graph page"></iframe>')


def inline_page(g: nx.MultiDiGraph, title: str = "kg: actors and positions", height: int = 640) -> InlinePage:
    """The page of ``g`` to display inline in Jupyter: make it the cell's last expression, or ``display(inline_page(g))``.

    >>> from kg.network import network
    >>> frame = inline_page(network(), title="a <b> title")._repr_html_()
    >>> frame.startswith('<iframe class="kg-graph-page" srcdoc="&lt;!DOCTYPE html&gt;'), "a &amp;lt;b&amp;gt; title" in frame
    (True, True)
    """
    return InlinePage(page(g, title), height)
