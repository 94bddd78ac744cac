"""Tests for kg.export: GraphML/GEXF load back with networkx, styled for Gephi, RDF formats, stable PNG/SVG of the dependency view."""

from pathlib import Path

import networkx as nx
import pytest
from rdflib import Graph

from conftest import seed_iri
from kg.cli import main
from kg.errors import KgError
from kg.export import export, gexf, graphml, rgb
from kg.graph import load
from kg.network import dependency_view, network
from kg.viz import EDGE_STYLES, NODE_STYLES, POSITION_COLORS, layout

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def g() -> nx.MultiDiGraph:
    return network(load())


def triples(graph: nx.MultiDiGraph) -> list[tuple[str, str, str]]:
    return sorted((u, v, d["relation"]) for u, v, d in graph.edges(data=True))


@pytest.mark.parametrize("view", ["full", "dependency"])
def test_graphml_and_gexf_load_back_with_the_same_nodes_and_edges(g, view, tmp_path):
    graph = dependency_view(g) if view == "dependency" else g
    (tmp_path / "n.graphml").write_bytes(graphml(graph))
    (tmp_path / "n.gexf").write_bytes(gexf(graph))
    for back in (nx.read_graphml(tmp_path / "n.graphml", force_multigraph=True), nx.read_gexf(tmp_path / "n.gexf")):
        assert sorted(back.nodes) == sorted(graph.nodes)
        assert triples(back) == triples(graph)
        node = "https://w3id.org/kg/id/article/000_0e22b9a82a6b1fdf/territorial-status"
        assert back.nodes[node]["label"] == "Territorial status, the final 10%, remains the sticking point"
        assert back.nodes[node]["offsets"] == "[[2036, 2062], [2134, 2202]]"  # lists as JSON text
        assert back.nodes[node]["holders"] == '["https://w3id.org/kg/id/actor/volodymyr-zelenskyy"]'


def test_exports_are_byte_stable(g):
    assert graphml(g) == graphml(network(load()))
    first = gexf(g)
    assert first == gexf(g) and b"lastmodifieddate" not in first
    svg = export("svg")
    assert svg == export("svg")
    assert b">A signed peace settlement<" in svg and b">Russia insists on the<" in svg  # text stays text, wrapped
    assert export("png").startswith(b"\x89PNG\r\n\x1a\n")


def test_rdf_export_reproduces_the_build(tmp_path):
    # Read from the build's N-Quads, the N-Quads export is the same file but for blank node labels (OWL lists).
    nquads = ROOT / "data" / "build" / "kg.nq"
    assert main(["export", "--format", "nquads", "--out", str(tmp_path / "x.nq"), "--dataset", str(nquads)]) == 0
    exported, built = ((tmp_path / "x.nq").read_text().splitlines(), nquads.read_text().splitlines())
    assert len(exported) == len(built)
    assert [line for line in exported if "_:" not in line] == [line for line in built if "_:" not in line]
    assert main(["export", "--format", "turtle", "--out", str(tmp_path / "x.ttl"), "--dataset", str(nquads)]) == 0
    union = Graph()
    union.parse(tmp_path / "x.ttl", format="turtle")
    assert len(union) == len({line.split(" <https://w3id.org/kg/graph/")[0] for line in nquads.read_text().splitlines()})


def test_export_cli_and_errors(tmp_path, capsys):
    out = tmp_path / "sub" / "dep.gexf"
    assert main(["export", "--format", "gexf", "--view", "dependency", "--out", str(out)]) == 0
    assert sorted(nx.read_gexf(out).nodes) == sorted(dependency_view(network()).nodes)
    assert "wrote" in capsys.readouterr().out
    assert main(["export", "--format", "trig", "--view", "dependency", "--out", str(tmp_path / "x.trig")]) == 1
    assert "--view applies to graphml and gexf only: trig exports hold the whole dataset" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--format", "pdf", "--out", str(tmp_path / "x.pdf")])
    assert exit_info.value.code == 2
    with pytest.raises(KgError, match="unknown export format 'pdf'"):
        export("pdf")


def test_gexf_and_graphml_carry_the_page_styles_and_positions(g, tmp_path):
    (tmp_path / "n.gexf").write_bytes(gexf(g))
    (tmp_path / "n.graphml").write_bytes(graphml(g))
    from_gexf = nx.read_gexf(tmp_path / "n.gexf")
    from_graphml = nx.read_graphml(tmp_path / "n.graphml", force_multigraph=True)
    offer, russia = seed_iri("us-offers-15-year-guarantee"), "https://w3id.org/kg/id/actor/russia"
    green, blue = rgb(POSITION_COLORS["Offer"]), rgb(NODE_STYLES["actor"]["color"])
    viz = from_gexf.nodes[offer]["viz"]
    assert (viz["color"]["r"], viz["color"]["g"], viz["color"]["b"]) == green
    assert from_gexf.nodes[russia]["viz"]["size"] == NODE_STYLES["actor"]["size"]
    assert (from_graphml.nodes[offer]["r"], from_graphml.nodes[offer]["g"], from_graphml.nodes[offer]["b"]) == green
    assert (from_graphml.nodes[russia]["r"], from_graphml.nodes[russia]["g"], from_graphml.nodes[russia]["b"]) == blue
    # positions: the page's layout (y flipped for Gephi), the same in both files and spread out, not all at the origin
    x, y = layout(g)[offer]
    assert (viz["position"]["x"], viz["position"]["y"]) == (x, -y) == (from_graphml.nodes[offer]["x"], from_graphml.nodes[offer]["y"])
    assert len({(d["viz"]["position"]["x"], d["viz"]["position"]["y"]) for _, d in from_gexf.nodes(data=True)}) == g.number_of_nodes()
    # edges: the ontology's edge styles (kg:edgeStyle), dashes as GEXF's dashed shape
    depends = next((u, v) for u, v, k in g.edges(keys=True) if k == "depends-on")
    style = EDGE_STYLES["depends-on"]
    [edge] = [d for u, v, d in from_graphml.edges(data=True) if (u, v) == depends and d["relation"] == "depends-on"]
    assert (edge["r"], edge["g"], edge["b"]) == rgb(style["color"]) and edge["width"] == style["width"]
    gexf_text = (tmp_path / "n.gexf").read_text()
    assert 'viz:shape value="dashed"' in gexf_text and 'viz:shape value="square"' in gexf_text
    assert f'<viz:thickness value="{float(style["width"])}"' in gexf_text
