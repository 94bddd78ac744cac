"""The interactive graph page: one self-contained HTML file built with pyvis and vis-network.

pyvis builds the network (nodes, edges, physics options); the page itself comes from our own
template (``kg/templates/graph-page.html``) so that every byte of it is ours to escape:

* vis-network 9.1.2 is inlined from ``kg/static/vis-network-9.1.2.min.js``, the copy pyvis 0.3.2
  ships (``pyvis/lib/vis-9.1.2``; Apache-2.0 or MIT, its licence header kept), together with the
  page's own script and style: no CDN, no request to any other host, opens from ``file://``.
* The graph goes in as JSON in a ``<script type="application/json">`` block with ``<``, ``>``,
  ``&``, U+2028 and U+2029 escaped; the page script reads it with ``JSON.parse`` and writes text
  only through ``textContent`` and DOM properties (tooltips are DOM elements, labels are drawn on
  the canvas). The title in ``<title>`` is HTML-escaped.
* A Content-Security-Policy allows only the two inline scripts (by SHA-256) and inline style, so
  even markup that slipped through could neither run nor fetch anything.
* The layout is stable across builds: positions are precomputed with networkx from a fixed seed;
  up to :data:`PHYSICS_MAX_NODES` nodes vis-network's physics then settles them (deterministically)
  and stops; above that the precomputed layout is drawn as is.

>>> from kg.network import network
>>> html = page(network(), title="Seed <graph>")
>>> "<title>Seed &lt;graph&gt;</title>" in html, "cdn" in html.lower(), "http-equiv=\\"Content-Security-Policy\\"" in html
(True, False, True)
"""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import json
import math
import string
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import KgError
from kg.network import RELATIONS
from kg.serialize import write_outputs
from kg.vocabulary import VOCABULARY

PACKAGE = resources.files("kg")
VIS_JS = "vis-network-9.1.2.min.js"
SEED = 42
PHYSICS_MAX_NODES = 400
"""Above this many nodes the page draws the precomputed layout without running physics (see benchmarks/bench_viz.py)."""

NODE_STYLES: dict[str, dict[str, Any]] = {
    "actor": {"shape": "dot", "color": "#4a78b5", "size": 14},
    "issue": {"shape": "diamond", "color": "#e0b43c", "size": 10},
    "event": {"shape": "star", "color": "#c2185b", "size": 18},
    "position": {"shape": "box"},
}
POSITION_COLORS = {"Demand": "#f3a5a5", "Offer": "#a9d8a0", "Condition": "#ffc97a", "Proposal": "#d3a6e0",
                   "Outcome": "#86cfc6", "Claim": "#cfd8dc", "Assessment": "#e6e6e6", "Argument": "#c9b7ae"}
EDGE_STYLES: dict[str, dict[str, Any]] = {name: row.style for name, row in VOCABULARY.edges.items()}
"""How each network relation is drawn (from the ontology: kg:edgeStyle)."""


def _legend_key(attrs: dict[str, Any]) -> str:
    return f"position:{attrs['type']}" if attrs["kind"] == "position" else attrs["kind"]


def _node_style(attrs: dict[str, Any]) -> dict[str, Any]:
    style = dict(NODE_STYLES.get(attrs["kind"], NODE_STYLES["actor"]))
    if attrs["kind"] == "position":
        style.update(color=POSITION_COLORS.get(attrs["type"], "#eeeeee"), widthConstraint={"maximum": 170})
    return style


def _labels(g: nx.MultiDiGraph, nodes: list[str]) -> str:
    return "; ".join(str(g.nodes[n].get("label", n)) if n in g else n for n in nodes)


def _quotes(attrs: dict[str, Any]) -> list[list[str]]:
    return [[q, f"[{start}\u2013{end}]"] for q, (start, end) in zip(attrs.get("quotes", []), attrs.get("offsets", []), strict=False)]


def _source(attrs: dict[str, Any]) -> str:
    source = str(attrs.get("source", ""))
    text = f"article {source.rsplit('/', 1)[-1]}" if source else ""
    if attrs.get("reported_by"):
        text += f" (reported by {'; '.join(attrs['reported_by'])})"
    return text


def node_card(g: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    """What the tooltip and the details panel show for a node: heading, rows of (field, text), quotes.

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
              ("Places", "; ".join(a.get("places", []))), ("Source", _source(a))]
    return {"heading": str(a.get("label", node)), "rows": [[k, str(v)] for k, v in fields if v],
            "quotes": _quotes(a), "iri": node}


def edge_card(g: nx.MultiDiGraph, source: str, target: str, relation: str) -> dict[str, Any]:
    """What the tooltip and the details panel show for an edge.

    >>> from kg.network import network
    >>> g = network()
    >>> edge_card(g, *sorted((u, v) for u, v, k in g.edges(keys=True) if k == "conflicts-with")[-1], "conflicts-with")["heading"]
    "conflicts-with: 15-year US offer against Ukraine's 50-year demand"
    """
    a = g.edges[source, target, relation]
    fields = [("From", _labels(g, [source])), ("To", _labels(g, [target])), ("Meaning", RELATIONS.get(relation)),
              ("Statement", a.get("content")), ("Status", a.get("status")), ("Source", _source(a))]
    heading = f"{relation}: {a['label']}" if "label" in a else relation
    return {"heading": heading, "rows": [[k, str(v)] for k, v in fields if v], "quotes": _quotes(a), "iri": a.get("conflict", "")}


def layout(g: nx.Graph, seed: int = SEED) -> dict[str, tuple[float, float]]:
    """Node positions in pixels, from networkx's spring layout with a fixed seed (same graph, same positions).

    >>> pos = layout(nx.path_graph(["a", "b", "c"]))
    >>> sorted(pos) == ["a", "b", "c"] and pos == layout(nx.path_graph(["a", "b", "c"]))
    True
    """
    simple = nx.Graph()
    simple.add_nodes_from(sorted(g))
    simple.add_edges_from(sorted((min(u, v), max(u, v)) for u, v in g.edges()))
    if not simple:
        return {}
    iterations = 100 if len(simple) <= PHYSICS_MAX_NODES else 30  # large graphs: scipy's optimiser, bounded time
    positions = nx.spring_layout(simple, seed=seed, k=1.6 / math.sqrt(len(simple)), iterations=iterations)
    scale = 90 * math.sqrt(len(simple))
    return {n: (round(float(x) * scale, 1), round(float(y) * scale, 1)) for n, (x, y) in positions.items()}


def build_network(g: nx.MultiDiGraph, seed: int = SEED) -> Any:
    """The pyvis Network of ``g``: styled nodes with precomputed positions, styled edges, physics options."""
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line")
    positions = layout(g, seed)
    for node, attrs in g.nodes(data=True):
        x, y = positions[node]
        net.add_node(node, label=str(attrs.get("label", node)), x=x, y=y, kind=attrs["kind"], legend=_legend_key(attrs),
                     kg=node_card(g, node), **_node_style(attrs))
    for number, (source, target, relation) in enumerate(g.edges(keys=True)):
        style = dict(EDGE_STYLES.get(relation, {"color": "#999999", "width": 1}))
        arrow = style.pop("arrow", True)
        net.add_edge(source, target, id=f"e{number}", relation=relation, arrows={"to": {"enabled": arrow, "scaleFactor": 0.6}},
                     kg=edge_card(g, source, target, relation), **style)
    physics = g.number_of_nodes() <= PHYSICS_MAX_NODES
    net.barnes_hut(gravity=-9000, central_gravity=0.9, spring_length=150, spring_strength=0.03, damping=0.3, overlap=0.6)
    net.toggle_physics(physics)
    net.toggle_stabilization(True)
    net.set_edge_smooth("continuous" if physics else "straightCross")
    return net


def _options(net: Any, physics: bool) -> dict[str, Any]:
    """pyvis's options with what the page needs on top: hover tooltips, seeded layout, bounded stabilisation."""
    options = json.loads(net.get_network_data()[5])
    options["physics"]["stabilization"].update(iterations=300, updateInterval=25, fit=True)
    options["physics"]["enabled"] = physics
    options["layout"] = {"randomSeed": SEED, "improvedLayout": False}
    options["interaction"].update(hover=True, tooltipDelay=150, hideEdgesOnDrag=not physics, navigationButtons=False,
                                  keyboard={"enabled": True, "bindToWindow": False})
    options["nodes"] = {"font": {"size": 13, "face": "DejaVu Sans, sans-serif"}, "borderWidth": 1, "margin": 6}
    options["edges"]["color"] = {"inherit": False}
    options["edges"]["font"] = {"size": 11}
    return options


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


def page(g: nx.MultiDiGraph, title: str = "kg: actors and positions") -> str:
    """The whole HTML page for ``g`` (any network of :func:`kg.network.network`'s shape), as text."""
    net = build_network(g)
    physics = g.number_of_nodes() <= PHYSICS_MAX_NODES
    nodes, edges = net.nodes, net.edges
    legend_nodes = Counter(n["legend"] for n in nodes)
    legend_relations = Counter(e["relation"] for e in edges)
    node_legend = []
    for key in sorted(legend_nodes, key=lambda k: (k.startswith("position"), k)):
        sample = next(n for n in nodes if n["legend"] == key)
        label = key.split(":", 1)[1] if ":" in key else key
        node_legend.append({"key": key, "label": label, "shape": sample["shape"], "color": sample["color"], "count": legend_nodes[key]})
    order = list(EDGE_STYLES)
    relation_legend = [{"key": r, "description": RELATIONS.get(r, r), "count": legend_relations[r], "color": s["color"],
                        "width": s["width"], "dashes": s.get("dashes"), "arrow": s.get("arrow", True)}
                       for r, s in ((r, EDGE_STYLES.get(r, {"color": "#999999", "width": 1}))
                                    for r in sorted(legend_relations, key=lambda r: (order.index(r) if r in order else len(order), r)))]
    actors = sorted(([n, str(a.get("label", n))] for n, a in g.nodes(data=True) if a["kind"] == "actor"),
                    key=lambda p: (p[1].casefold(), p[0]))
    data = {"title": title, "physics": physics, "options": _options(net, physics), "nodes": nodes, "edges": edges,
            "legend": {"nodes": node_legend, "relations": relation_legend}, "actors": actors}
    vis = _inline(VIS_JS, (PACKAGE / "static" / VIS_JS).read_text(encoding="utf-8"))
    app = _inline("graph-page.js", (PACKAGE / "static" / "graph-page.js").read_text(encoding="utf-8"))
    style = _inline("graph-page.css", (PACKAGE / "static" / "graph-page.css").read_text(encoding="utf-8"))
    csp = (f"default-src 'none'; script-src {_sha256(vis)} {_sha256(app)}; style-src 'unsafe-inline'; img-src data:; "
           "base-uri 'none'; form-action 'none'")
    template = string.Template((PACKAGE / "templates" / "graph-page.html").read_text(encoding="utf-8"))
    return template.substitute(csp=csp, title=html_lib.escape(title), style=style, vis=vis, app=app, data=script_safe_json(data))


def write_page(g: nx.MultiDiGraph, path: Path | str, title: str = "kg: actors and positions") -> Path:
    """Write :func:`page` to ``path`` (UTF-8) and return the path."""
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise KgError(f"{path}: the page must be written to an .html file")
    [written] = write_outputs({path: page(g, title).encode("utf-8")})  # all or nothing, like kg build
    return written
