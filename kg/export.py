"""Exports: the network for network tools (GraphML, GEXF for Gephi), the dataset in the build's RDF
formats, and a static picture (PNG, SVG) of the dependency view for papers.

GraphML and GEXF hold neither lists nor missing values, so :func:`flatten` converts attributes
deterministically: lists (holders, quotes, offsets...) become JSON text, ``None`` values are left
out. Both are styled for Gephi and yEd with the page's own styles (:func:`kg.viz.node_style`,
:func:`kg.viz.edge_style`) and positions (:func:`kg.viz.layout`, up to :data:`LAYOUT_MAX_NODES`
nodes; above, Gephi's own layouts do better): GEXF as ``viz:color``, ``viz:size``, ``viz:shape``,
``viz:position`` (edges: ``viz:color``, ``viz:thickness``, ``viz:shape``), GraphML as the ``r``,
``g``, ``b``, ``size``, ``x``, ``y`` attributes that Gephi reads (edges: ``r``, ``g``, ``b``,
``width``). All outputs are byte-for-byte stable for the same graph (sorted nodes and edges, no
timestamps: GEXF's ``lastmodifieddate`` is dropped, SVG ids are salted with a constant).

>>> flat = flatten(network())
>>> flat.nodes["https://w3id.org/kg/id/article/000_0e22b9a82a6b1fdf/territorial-status"]["offsets"]
'[[2036, 2062], [2134, 2202]]'
"""

from __future__ import annotations

import io
import json
import textwrap
from typing import Any

import networkx as nx
from rdflib import Dataset

from kg.errors import KgError
from kg.graph import KnowledgeGraph, load
from kg.namespaces import PREFIXES
from kg.network import dependency_view, network
from kg.serialize import serialize
from kg.viz import EDGE_STYLES, POSITION_COLORS, edge_style, layout, node_style

NETWORK_FORMATS = ("graphml", "gexf")
RDF_FORMATS = {"trig": "kg.trig", "nquads": "kg.nq", "jsonld": "kg.jsonld", "turtle": "kg.ttl"}
IMAGE_FORMATS = ("png", "svg")
FORMATS = (*NETWORK_FORMATS, *RDF_FORMATS, *IMAGE_FORMATS)
SEED = 7
LAYOUT_MAX_NODES = 2000
"""GEXF and GraphML exports carry positions up to this many nodes (the layout grows with the square of the nodes)."""
GEXF_SHAPES = {"dot": "disc", "box": "square", "diamond": "diamond", "star": "triangle"}


def _flat(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | tuple | dict) else value


def flatten(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``g`` whose attribute values are all str, int, float or bool (lists as JSON text)."""
    flat = nx.MultiDiGraph()
    for node, attrs in g.nodes(data=True):
        flat.add_node(node, **{k: _flat(v) for k, v in sorted(attrs.items()) if v is not None})
    for u, v, key, attrs in g.edges(keys=True, data=True):
        flat.add_edge(u, v, key=key, **{k: _flat(v) for k, v in sorted(attrs.items()) if v is not None})
    return flat


def rgb(color: str) -> tuple[int, int, int]:
    """``#rrggbb`` as a (red, green, blue) triple of 0-255 integers.

    >>> rgb("#4a78b5")
    (74, 120, 181)
    """
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _positions(g: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    return layout(g) if g.number_of_nodes() <= LAYOUT_MAX_NODES else {}


def graphml(g: nx.MultiDiGraph) -> bytes:
    """The network as GraphML with ``r``, ``g``, ``b``, ``size``, ``x``, ``y`` on nodes and ``r``, ``g``, ``b``, ``width`` on edges.

    Edge ids are the relations; read back with ``nx.read_graphml(path, force_multigraph=True)``.
    """
    flat, positions = flatten(g), _positions(g)
    for node, attrs in g.nodes(data=True):
        style = node_style(attrs)
        flat.nodes[node].update(zip("rgb", rgb(style["color"]), strict=True), size=float(style["size"]))
        if node in positions:
            flat.nodes[node].update(x=positions[node][0], y=-positions[node][1])  # screen y grows down, Gephi's up
    for u, v, key in g.edges(keys=True):
        style = edge_style(key)
        flat.edges[u, v, key].update(zip("rgb", rgb(style["color"]), strict=True), width=float(style["width"]))
    return "\n".join(nx.generate_graphml(flat, named_key_ids=True)).encode("utf-8") + b"\n"


def gexf(g: nx.MultiDiGraph) -> bytes:
    """The network as GEXF 1.2 for Gephi, styled (``viz:`` colour, size, shape, position), without the writer's date stamp."""
    flat, positions = flatten(g), _positions(g)
    for node, attrs in g.nodes(data=True):
        style = node_style(attrs)
        viz = {"color": dict(zip("rgb", rgb(style["color"]), strict=True), a=1.0), "size": float(style["size"]),
               "shape": GEXF_SHAPES.get(style["shape"], "disc")}
        if node in positions:
            viz["position"] = {"x": positions[node][0], "y": -positions[node][1], "z": 0.0}
        flat.nodes[node]["viz"] = viz
    for u, v, key in g.edges(keys=True):
        style = edge_style(key)
        flat.edges[u, v, key]["viz"] = {"color": dict(zip("rgb", rgb(style["color"]), strict=True), a=1.0),
                                         "thickness": float(style["width"]), "shape": "dashed" if style.get("dashes") else "solid"}
    writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(flat)
    writer.xml.find("meta").attrib.pop("lastmodifieddate", None)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def rdf(graph: KnowledgeGraph, fmt: str) -> bytes:
    """The whole dataset, every named graph, in one of the build's RDF formats (:data:`RDF_FORMATS`).

    Read from the dataset file (through SPARQL for a remote store); written by the build's own serialiser.

    >>> rdf(load(), "nquads").count(b"\\n") > 1000
    True
    """
    ds = Dataset(default_union=True)
    for prefix, namespace in PREFIXES.items():
        ds.bind(prefix, namespace)
    if graph.path is not None:  # the file itself: Oxigraph keeps xsd:nonNegativeInteger... only as xsd:integer
        for s, p, o, g in graph.dataset().quads((None, None, None, None)):
            ds.graph(getattr(g, "identifier", g)).add((s, p, o))
    else:
        for row in graph.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }").rows:
            ds.graph(row["g"]).add((row["s"], row["p"], row["o"]))
    return serialize(ds)[RDF_FORMATS[fmt]]


def _layers(view: nx.MultiDiGraph) -> dict[str, int]:
    """Columns for the picture: depends-on, part-of and specifies read left to right (topological generations)."""
    structure = nx.DiGraph()
    structure.add_nodes_from(view)
    structure.add_edges_from((u, v) for u, v, k in view.edges(keys=True) if k != "conflicts-with")
    if not nx.is_directed_acyclic_graph(structure):
        return dict.fromkeys(view, 0)
    return {n: i for i, generation in enumerate(nx.topological_generations(structure)) for n in generation}


def picture(g: nx.MultiDiGraph, fmt: str) -> bytes:
    """A PNG or SVG of the dependency view of ``g``: positions as coloured boxes, relations as styled arrows."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    view = dependency_view(g)
    if not view:
        raise KgError("the graph has no dependency, conflict or part-of edges between positions: nothing to draw")
    layers = _layers(view)
    ordered = nx.MultiDiGraph()
    ordered.add_nodes_from(sorted(view, key=lambda n: (layers[n], view.nodes[n]["label"])), layer=0)
    nx.set_node_attributes(ordered, layers, "layer")
    pos = nx.multipartite_layout(ordered, subset_key="layer", align="vertical", scale=1)
    if len(set(layers.values())) == 1:
        pos = nx.spring_layout(ordered.to_undirected(as_view=True), seed=SEED)
    tallest = max(list(layers.values()).count(i) for i in set(layers.values()))
    with matplotlib.rc_context({"svg.hashsalt": "kg", "font.family": "DejaVu Sans", "svg.fonttype": "none"}):
        fig = Figure(figsize=(3.2 * (max(layers.values()) + 1) + 1, 1.3 * tallest + 1.5), layout="constrained")
        ax = fig.add_subplot()
        ax.set_axis_off()
        for relation in sorted({k for *_, k in view.edges(keys=True)}):
            style = EDGE_STYLES[relation]
            edges = [(u, v) for u, v, k in view.edges(keys=True) if k == relation]
            nx.draw_networkx_edges(view, pos, edgelist=edges, ax=ax, edge_color=style["color"], width=style["width"],
                                   style="dashed" if style.get("dashes") else "solid", arrows=True, node_size=5200,
                                   arrowstyle="-" if style.get("arrow", True) is False else "-|>", arrowsize=14,
                                   connectionstyle="arc3,rad=0.08")
        for node, (x, y) in pos.items():
            attrs = view.nodes[node]
            ax.text(x, y, "\n".join(textwrap.wrap(attrs["label"], 26)), ha="center", va="center", fontsize=7.5, zorder=3,
                    bbox={"boxstyle": "round,pad=0.4", "fc": POSITION_COLORS.get(attrs["type"], "#eeeeee"), "ec": "#555555", "lw": 0.6})
        handles = [Line2D([], [], color=EDGE_STYLES[r]["color"], lw=2, ls="--" if EDGE_STYLES[r].get("dashes") else "-", label=r)
                   for r in sorted({k for *_, k in view.edges(keys=True)})]
        handles += [Patch(fc=POSITION_COLORS[t], ec="#555555", label=t) for t in sorted({a["type"] for _, a in view.nodes(data=True)})
                    if t in POSITION_COLORS]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=min(len(handles), 6), fontsize=8, frameon=False)
        ax.margins(0.12, 0.08)
        buffer = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buffer, format=fmt, dpi=150, metadata=metadata)
    return buffer.getvalue()


def export(fmt: str, graph: KnowledgeGraph | None = None, view: str | None = None) -> bytes:
    """The bytes of one export: ``fmt`` in :data:`FORMATS`; ``view`` (full or dependency) for network formats.

    Images always show the dependency view; RDF formats always hold the whole dataset.

    >>> export("graphml", view="dependency").count(b"<node ")
    13
    """
    if fmt not in FORMATS:
        raise KgError(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if view not in (None, "full", "dependency"):
        raise KgError(f"unknown view {view!r}; use full or dependency")
    if view and fmt not in NETWORK_FORMATS and not (fmt in IMAGE_FORMATS and view == "dependency"):
        raise KgError(f"--view applies to graphml and gexf only: {fmt} exports "
                      + ("hold the whole dataset" if fmt in RDF_FORMATS else "always show the dependency view"))
    graph = graph or load()
    if fmt in RDF_FORMATS:
        return rdf(graph, fmt)
    g = network(graph)
    if fmt in IMAGE_FORMATS:
        return picture(g, fmt)
    g = dependency_view(g) if view == "dependency" else g
    return graphml(g) if fmt == "graphml" else gexf(g)

