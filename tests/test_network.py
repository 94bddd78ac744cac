"""Tests for kg.network: the networkx projection of the seed graph and the analyses' actual answers."""

from pathlib import Path

import networkx as nx
import pytest

from kg.cli import main
from kg.errors import KgError
from kg.graph import load
from kg.network import (
    BLOCKING_MEASURE,
    NETWORK_QUERIES,
    blocking_conditions,
    collisions,
    conditions_chain,
    deadlocks,
    dependency_view,
    find_node,
    network,
    plain_rows,
    position_iri,
    shared_talks,
)

ROOT = Path(__file__).resolve().parents[1]
RAW = (ROOT / "data" / "articles" / "000_0e22b9a82a6b1fdf.txt").read_text(encoding="utf-8")
ACTOR = "https://w3id.org/kg/id/actor/"
SEED_ARTICLE = "https://w3id.org/kg/id/article/000_0e22b9a82a6b1fdf"


def short(node: str) -> str:
    return node.rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def g() -> nx.MultiDiGraph:
    return network(load())


def test_nodes_have_kind_label_and_evidence(g):
    seed = {n for n, a in g.nodes(data=True) if a["kind"] not in ("position", "event") or a.get("source") == SEED_ARTICLE}
    kinds = {kind: sum(1 for n in seed if g.nodes[n]["kind"] == kind) for kind in ("actor", "position", "issue", "event")}
    assert kinds == {"actor": 18, "position": 25, "issue": 11, "event": 2}
    offer = g.nodes[position_iri("us-offers-15-year-guarantee")]
    assert offer["type"] == "Offer" and offer["holders"] == [ACTOR + "united-states"] and offer["addressees"] == [ACTOR + "ukraine"]
    assert offer["firmness"] == "described" and offer["status"] == "reported" and offer["reported_by"] == ["Reports"]
    assert offer["offsets"] == [[1270, 1325]] and offer["source"] == "https://w3id.org/kg/id/article/000_0e22b9a82a6b1fdf"
    # every quote is the exact raw text at its offsets
    for node, attrs in g.nodes(data=True):
        if attrs.get("source") != SEED_ARTICLE:
            continue
        for quote, (start, end) in zip(attrs.get("quotes", []), attrs.get("offsets", []), strict=True):
            assert RAW[start:end] == quote, node
    assert g.nodes[ACTOR + "steve-witkoff"]["party"] == ACTOR + "united-states"


def test_edges_are_typed_and_conflicts_carry_their_evidence(g):
    relations = {k for *_, k in g.edges(keys=True)}
    assert {"holds", "addressed-to", "depends-on", "conflicts-with", "part-of", "participates-in"} <= relations
    assert g.has_edge(ACTOR + "russia", position_iri("russia-demands-donbas"), key="holds")
    assert g.has_edge(position_iri("any-ceasefire"), position_iri("russia-demands-donbas"), key="depends-on")
    assert g.has_edge(ACTOR + "jared-kushner", position_iri("abu-dhabi-talks"), key="participates-in")
    conflicts = [(short(u), short(v), d) for u, v, k, d in g.edges(keys=True, data=True) if k == "conflicts-with"]
    assert len(conflicts) == 3  # one edge per kg:Conflict, not one per direction
    duration = next(d for u, v, d in conflicts if {u, v} == {"us-offers-15-year-guarantee", "ukraine-demands-50-year-shield"})
    assert duration["label"] == "15-year US offer against Ukraine's 50-year demand"
    assert RAW[slice(*duration["offsets"][0])] == duration["quotes"][0]


def test_dependency_view_holds_positions_and_conditions_only(g):
    view = dependency_view(g)
    assert {g.nodes[n]["kind"] for n in view} == {"position"}
    assert {short(n) for n in view} >= {"us-offers-security-guarantees", "signed-settlement", "territorial-status",
                                         "territorial-referendum", "deal-may-require-donbas-withdrawal", "any-ceasefire",
                                         "russia-demands-donbas", "us-offers-15-year-guarantee", "ukraine-demands-50-year-shield"}
    assert {k for *_, k in view.edges(keys=True)} == {"depends-on", "conflicts-with", "part-of", "specifies"}


def test_chain_of_conditions_in_front_of_the_us_guarantees(g):
    chain = conditions_chain(g, "us-offers-security-guarantees")
    assert [(short(c.node), c.depth) for c in chain] == [
        ("signed-settlement", 1), ("territorial-status", 2), ("deal-may-require-donbas-withdrawal", 2), ("territorial-referendum", 3)]
    assert [short(n) for n in chain[3].needed_by] == ["territorial-status"]


def test_the_donbas_condition_on_a_ceasefire(g):
    chain = conditions_chain(g, "Any ceasefire (in the Kremlin's terms)")
    assert [(c.label, c.depth) for c in chain] == [("Russia insists on the surrender of the entire Donbas", 1)]
    assert g.nodes[chain[0].node]["holders"] == [ACTOR + "russia"]


def test_edges_between_statements_carry_their_own_evidence_and_hedge(g):
    hinted = g.edges[position_iri("territorial-status"), position_iri("territorial-referendum"), "depends-on"]
    assert (hinted["firmness"], hinted["modality"], hinted["status"], hinted["cue"]) == ("hinted", "possible", "on record",
                                                                                        "has hinted; may be put")
    assert hinted["offsets"] == [[2353, 2465]] and RAW[2353:2465] == hinted["quotes"][0]
    reward = g.edges[position_iri("us-offers-security-guarantees"), position_iri("signed-settlement"), "depends-on"]
    assert (reward["date"], reward["status"], reward["quotes"][0][:22]) == ("2026-01-27", "anonymously sourced", "views these guarantees")
    part = g.edges[position_iri("peacetime-weaponry"), position_iri("us-offers-security-guarantees"), "part-of"]
    assert part["quotes"][0].startswith("Peacetime Weaponry:") and "modality" not in part  # the statement's own evidence
    for u, v, k, attrs in dependency_view(g).edges(keys=True, data=True):
        assert attrs["quotes"] and all(RAW[a:b] == q for (a, b), q in zip(attrs["offsets"], attrs["quotes"], strict=True)), (u, v, k)


def test_analyses_can_leave_hedged_edges_out(g):
    firm = conditions_chain(g, "us-offers-security-guarantees", min_firmness="Stated")
    assert [short(c.node) for c in firm] == ["signed-settlement", "territorial-status", "deal-may-require-donbas-withdrawal"]
    actual = conditions_chain(g, "us-offers-security-guarantees", min_firmness="Stated", actual_only=True)
    assert [short(c.node) for c in actual] == ["signed-settlement", "territorial-status"]
    assert [(short(b.node), b.count) for b in blocking_conditions(g, actual_only=True)] == [
        ("territorial-status", 2), ("signed-settlement", 1), ("russia-demands-donbas", 1)]
    with pytest.raises(KgError, match="unknown firmness 'firm'"):
        conditions_chain(g, "us-offers-security-guarantees", min_firmness="firm")


def test_a_hinted_link_alone_makes_no_firm_deadlock():
    # INVENTED for the test: a cycle closed only by a hinted, possible edge.
    invented = nx.MultiDiGraph()
    for node in ("urn:x:a", "urn:x:b"):
        invented.add_node(node, kind="position", type="Condition", label=node[-1])
    invented.add_edge("urn:x:a", "urn:x:b", key="depends-on", relation="depends-on", firmness="insisted")
    invented.add_edge("urn:x:b", "urn:x:a", key="depends-on", relation="depends-on", firmness="hinted", modality="possible")
    assert deadlocks(invented) == [["urn:x:a", "urn:x:b"]]
    assert deadlocks(invented, min_firmness="Stated") == [] == deadlocks(invented, actual_only=True)


def test_no_deadlock_in_the_seed_graph(g):
    assert deadlocks(g) == []


def test_deadlock_found_in_an_invented_graph():
    # INVENTED for the test, not from any article: three positions that wait for each other.
    invented = nx.MultiDiGraph()
    for node in ("urn:x:a", "urn:x:b", "urn:x:c", "urn:x:d"):
        invented.add_node(node, kind="position", type="Condition", label=node[-1])
    for u, v in (("urn:x:b", "urn:x:c"), ("urn:x:c", "urn:x:a"), ("urn:x:a", "urn:x:b"), ("urn:x:d", "urn:x:a")):
        invented.add_edge(u, v, key="depends-on", relation="depends-on")
    assert deadlocks(invented) == [["urn:x:a", "urn:x:b", "urn:x:c"]]
    assert [(b.label, b.count) for b in blocking_conditions(invented)] == [("a", 3), ("b", 3), ("c", 3)]


def test_blocking_conditions_ranked_by_transitive_dependents(g):
    assert "ancestors in the depends-on graph" in BLOCKING_MEASURE
    ranked = [(short(b.node), b.count) for b in blocking_conditions(g)]
    assert ranked == [("territorial-referendum", 3), ("territorial-status", 2), ("deal-may-require-donbas-withdrawal", 2),
                      ("signed-settlement", 1), ("russia-demands-donbas", 1)]
    top = blocking_conditions(g)[0]
    assert {short(n) for n in top.blocked} == {"territorial-status", "signed-settlement", "us-offers-security-guarantees"}


def test_collisions_between_parties(g):
    found = {(short(c.a), short(c.b)): (c.parties_a, c.parties_b) for c in collisions(g)}
    assert found == {
        ("ukraine-demands-50-year-shield", "us-offers-15-year-guarantee"): ((ACTOR + "ukraine",), (ACTOR + "united-states",)),
        ("russia-demands-donbas", "territorial-status"): ((ACTOR + "russia",), (ACTOR + "ukraine",)),  # Zelenskyy acts for Ukraine
    }
    # the reported term of the deal has no holder (FT and Reuters report it): no party to collide with
    others = [c for c in collisions(g, between_parties=False) if (short(c.a), short(c.b)) not in found]
    assert [(short(c.a), short(c.b), c.parties_a, c.parties_b) for c in others] == [
        ("deal-may-require-donbas-withdrawal", "us-not-forcing-concessions", (), (ACTOR + "united-states",))]


def test_actors_connected_through_the_abu_dhabi_talks(g):
    pairs = shared_talks(g)
    assert {frozenset((short(t.a), short(t.b))) for t in pairs} == {
        frozenset(p) for p in [("steve-witkoff", "jared-kushner"), ("steve-witkoff", "ukrainian-officials"),
                               ("steve-witkoff", "russian-representatives"), ("jared-kushner", "ukrainian-officials"),
                               ("jared-kushner", "russian-representatives"), ("ukrainian-officials", "russian-representatives")]}
    assert {t.events for t in pairs} == {(position_iri("abu-dhabi-talks"),)}


def test_find_node_explains_a_wrong_name(g):
    assert find_node(g, "United States") == ACTOR + "united-states"
    with pytest.raises(KgError, match="no node named 'us-offer'.*statement id"):
        find_node(g, "us-offer")


def test_analyze_cli(capsys):
    assert main(["analyze", "chain", "us-offers-security-guarantees"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("conditions in front of US security guarantees for Ukraine "
                      "[000_0e22b9a82a6b1fdf/us-offers-security-guarantees, 2026-01-27]: 4")
    assert out[4].strip().startswith("3. Zelenskyy hints a territorial deal may be put to a national referendum "
                                     "[000_0e22b9a82a6b1fdf/territorial-referendum, 2026-01-27]")
    assert main(["analyze", "chain", "us-offers-security-guarantees", "--min-firmness", "Stated", "--actual-only"]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith("/us-offers-security-guarantees, 2026-01-27]: 2")
    assert main(["analyze", "deadlocks"]) == 0
    assert capsys.readouterr().out.strip() == "cycles of mutual conditions: none"
    assert main(["analyze", "collisions"]) == 0
    out = capsys.readouterr().out
    assert "15-year US offer against Ukraine's 50-year demand\n    Ukraine: Ukraine pushes for a 50-year" in out
    assert "not forcing" not in out
    assert main(["analyze", "talks"]) == 0
    assert "Jared Kushner -- Steve Witkoff: Trilateral talks in Abu Dhabi [000_0e22b9a82a6b1fdf/abu-dhabi-talks, 2026-01-27]" \
        in capsys.readouterr().out
    assert main(["analyze", "chain", "nothing-like-this"]) == 1
    assert "no node named 'nothing-like-this'" in capsys.readouterr().err
    assert main(["analyze", "talks", "--dataset", "no/such.trig"]) == 1
    assert "no built dataset at no/such.trig" in capsys.readouterr().err


def test_the_seed_network_is_the_same_on_both_engines(g, net):
    # g: Oxigraph, its answers read as plain values; net (conftest): rdflib, read through rdflib terms
    assert nx.utils.graphs_equal(g, net) and g.graph == net.graph


def test_multi_valued_attributes_give_one_row_per_value(graphs, g):
    # the reported deal term has two reporters and three places: 2 + 3 rows, not 2 x 3 combinations
    node = position_iri("deal-may-require-donbas-withdrawal")
    for engine, graph in graphs.items():
        found = sorted((r["attribute"], r["value"]) for r in plain_rows(graph, "network-attributes")
                       if r["node"] == node and r["attribute"] in ("reported_by", "places"))
        assert found == [("places", "Donbas"), ("places", "Donetsk"), ("places", "Luhansk"),
                         ("reported_by", "Financial Times"), ("reported_by", "Reuters")], engine
    assert (g.nodes[node]["reported_by"], g.nodes[node]["places"]) == (["Financial Times", "Reuters"], ["Donbas", "Donetsk", "Luhansk"])


def test_plain_rows_are_plain_values_and_the_network_agrees_across_engines(invented_graphs):
    # the INVENTED corpus (tests/fixtures/invented-corpus)
    oxigraph, rdflib = (network(invented_graphs[engine]) for engine in ("oxigraph", "rdflib"))
    assert nx.utils.graphs_equal(oxigraph, rdflib) and oxigraph.graph == rdflib.graph
    offer = oxigraph.nodes[position_iri("aldoria-offers-guarantee", article="001_aldoria-offer")]
    assert (offer["holders"], offer["addressees"], offer["firmness"], offer["date"], offer["offsets"]) == (
        [ACTOR + "aldoria"], [ACTOR + "brenn"], "stated", "2026-03-02", [[0, 89]])
    spans = {(r["statement"].rsplit("/", 1)[-1], r["start"], r["end"]) for r in plain_rows(invented_graphs["oxigraph"], "evidence")}
    assert ("aldoria-offers-guarantee", 0, 89) in spans
    for engine, graph in invented_graphs.items():  # text, numbers, booleans: never rdflib terms (URIRef and Literal are str)
        types = {type(v) for name in NETWORK_QUERIES for row in plain_rows(graph, name) for v in row.values()}
        assert types <= {str, int, bool}, engine


@pytest.mark.slow
def test_the_network_is_the_same_through_a_time_limited_worker(invented):
    limited = load(invented.dataset, timeout=60)  # queries run in a worker process, answers come back as rdflib terms
    try:
        assert nx.utils.graphs_equal(network(limited), network(load(invented.dataset)))
    finally:
        limited.close()
