"""The graph page's data, without a browser: evidence and hedges on edge cards, names for IRIs, the overview."""

from __future__ import annotations

import json
import re

import networkx as nx

from conftest import seed_iri
from kg.articles import annotate
from kg.network import dependency_view, network
from kg.viz import ARTICLE_GROUP, edge_card, layout, node_card, overview, page


def test_edge_cards_show_the_relations_own_evidence_and_hedges():
    g = network()
    guarantees, settlement = seed_iri("us-offers-security-guarantees"), seed_iri("signed-settlement")
    plain = edge_card(g, guarantees, settlement, "depends-on")
    assert plain["rows"][:2] == [["From", "US security guarantees for Ukraine"], ["To", "A signed peace settlement"]]
    # the attributes evidence on relations adds (quotes, texts, offsets, firmness, modality) are shown when present
    g.edges[guarantees, settlement, "depends-on"].update(quotes=["to secure which is the guarantees"], texts=["to secure guarantees"],
                                                         offsets=[[109, 206]], firmness="hinted", modality="possible")
    card = edge_card(g, guarantees, settlement, "depends-on")
    assert ["Firmness", "hinted"] in card["rows"] and ["Modality", "possible"] in card["rows"]
    assert card["quotes"] == [["to secure guarantees", "to secure which is the guarantees", "[109\u2013206]"]]


def test_dependency_view_cards_name_actors_not_iris():
    view = dependency_view(network())
    card = node_card(view, seed_iri("us-offers-security-guarantees"))
    assert ["Held by", "United States"] in card["rows"] and ["Addressed to", "Ukraine"] in card["rows"]
    data = json.loads(re.search(r'id="kg-data">(.*?)</script>', page(view), re.DOTALL).group(1))
    assert not [row for n in data["nodes"] for row in n["kg"]["rows"] if "https://w3id.org/kg/id/actor/" in row[1]]


def test_overview_groups_positions_by_holder_and_topic_else_article():
    g = nx.MultiDiGraph()  # INVENTED
    g.add_node("urn:x:actor/a", kind="actor", type="State", label="A")
    g.add_node("urn:x:issue/w", kind="issue", type="Issue", label="water")
    for n in range(3):
        g.add_node(f"urn:x:p{n}", kind="position", type="Demand", label=f"p{n}", source="urn:x:article/1")
    g.add_edge("urn:x:actor/a", "urn:x:p0", key="holds", relation="holds")
    g.add_edge("urn:x:actor/a", "urn:x:p1", key="holds", relation="holds")
    g.add_edge("urn:x:p1", "urn:x:issue/w", key="topic", relation="topic")
    o = overview(g)
    assert o.groups == {"urn:x:actor/a": ("urn:x:p0", "urn:x:p1"), "urn:x:issue/w": ("urn:x:p1",),
                        ARTICLE_GROUP + "urn:x:article/1": ("urn:x:p2",)}
    assert o.shared == {("urn:x:actor/a", "urn:x:issue/w"): 1}


def test_layout_is_deterministic_and_spreads_nodes():
    g = nx.gnm_random_graph(300, 600, seed=3)
    pos = layout(g)
    assert pos == layout(g) and len(set(pos.values())) == 300
    xs = [x for x, _ in pos.values()]
    assert max(xs) - min(xs) > 1000  # pixels: 90 * sqrt(n) either side


def test_page_data_carries_articles_dates_and_threads_of_the_invented_corpus(invented_graphs):
    graph = invented_graphs["rdflib"]
    data = json.loads(re.search(r'id="kg-data">(.*?)</script>', page(annotate(network(graph), graph)), re.DOTALL).group(1))
    assert data["articles"] == [{"id": "001_aldoria-offer", "title": "", "outlet": "", "date": "2026-03-02"},
                                {"id": "002_brenn-lowers", "title": "", "outlet": "", "date": "2026-03-20"}]
    by_id = {n["id"].split("/article/")[-1]: n for n in data["nodes"]}
    # a position's article (index into articles) and date: its own (Thursday, 2026-03-19), else its article's
    assert (by_id["002_brenn-lowers/brenn-demands-15-years"]["article"], by_id["002_brenn-lowers/brenn-demands-15-years"]["date"]) \
        == (1, "2026-03-19")
    assert (by_id["002_brenn-lowers/accord-ratified"]["article"], by_id["002_brenn-lowers/accord-ratified"]["date"]) == (1, "2026-03-20")
    assert "article" not in by_id["https://w3id.org/kg/id/actor/brenn"]
    [brenn] = [t for t in data["threads"] if t["label"] == "Brenn: Demand on water guarantee"]
    assert brenn["sources"] == 2 and [m[1:] for m in brenn["members"]] == [  # labels: the page has the nodes'
        [None, "2026-03-02", 0, None], [None, "2026-03-19", 1, "supersedes"]]
    # cards name the article with its date
    assert ["Source", "article 002_brenn-lowers, 2026-03-20 (reported by Coastal Union)"] in \
        by_id["002_brenn-lowers/brenn-demands-15-years"]["kg"]["rows"]
