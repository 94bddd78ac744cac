"""CQ1-CQ9 (shared/competency-questions.md): the acceptance questions, each answered by a named query or helper."""

from __future__ import annotations

import pytest
from rdflib import URIRef

import kg
from conftest import SEED

ART = f"https://w3id.org/kg/id/article/{SEED}/"
ACTOR = "https://w3id.org/kg/id/actor/"


def short(iri) -> str:
    return str(iri).rsplit("/", 1)[-1]


@pytest.fixture(scope="module", params=["rdflib", "oxigraph"])
def g(request) -> kg.KnowledgeGraph:
    return kg.load(engine=request.param)


def test_cq1_actors_kinds_and_surface_names(g):
    actors = {short(a.iri): a for a in g.actors()}
    assert {k for k, a in actors.items() if a.kind == "State"} >= {"united-states", "ukraine", "russia"}
    assert {k for k, a in actors.items() if a.kind == "Person"} >= {"volodymyr-zelenskyy", "steve-witkoff", "jared-kushner", "donald-trump"}
    assert actors["nato"].kind == "InternationalOrganisation"
    assert {k for k, a in actors.items() if a.kind == "MediaOrganisation"} >= {"financial-times", "reuters"}
    assert {a.kind for a in actors.values()} >= {"AnonymousSource"}
    for name, actor in [("Kyiv", "ukraine"), ("Washington", "united-states"), ("the White House", "united-states"),
                        ("the Kremlin", "russia"), ("U S", "united-states")]:
        assert g.resolve_actor(name) == ACTOR + actor
    assert "Trump administration" in actors["trump-administration"].names
    mentions = {(str(r["mention"]), short(r["actor"])) for r in g.named("actor-mentions").rows}
    assert {("Kyiv", "ukraine"), ("Washington", "united-states"), ("the White House", "united-states"),
            ("The Kremlin", "russia"), ("U S", "united-states")} <= mentions


def test_cq2_us_demand_addressee_firmness_status(g):
    [demand] = g.positions(actor="United States", kind="Demand")
    assert short(demand.iri) == "us-demands-peace-agreement"
    assert (demand.addressees, demand.firmness, demand.status) == ((ACTOR + "ukraine",), "ultimatum", "reported")
    assert "finalize a peace agreement with Russia" in demand.content


def test_cq3_us_offer_parts_and_15_year_duration(g):
    rows = g.named("offer-parts", offer=URIRef(ART + "us-offers-security-guarantees")).rows
    parts = {(short(r["relation"]), short(r["part"])) for r in rows}
    assert parts == {("ontology#partOf", "article5-like-assurances"), ("ontology#partOf", "peacetime-weaponry"),
                     ("ontology#partOf", "us-prosperity-package"), ("ontology#specifies", "us-offers-15-year-guarantee")}
    [duration] = [(int(r["duration"]), short(r["unit"])) for r in rows if "duration" in r]
    assert duration == (15, "YR")


def test_cq4_offer_depends_on_signed_settlement(g):
    assert [(short(d.iri), d.kind) for d in g.depends_on("us-offers-security-guarantees", transitive=False)] == [
        ("signed-settlement", "Condition")]
    reward = g.evidence("guarantees-reward-not-prerequisite")[0]
    assert "not as a prerequisite for peace, but as the reward for a which is the signed settlement" in reward.quote


def test_cq5_ukraine_wants_article5_and_50_years_because_russia_would_rearm(g):
    rows = g.named("demands-and-arguments", holder=URIRef(ACTOR + "ukraine")).rows
    by_demand = {short(r["demand"]): r for r in rows}
    assert set(by_demand) == {"ukraine-demands-article5-commitment", "ukraine-demands-50-year-shield"}
    assert "Article 5" in str(by_demand["ukraine-demands-article5-commitment"]["content"])
    assert short(by_demand["ukraine-demands-article5-commitment"]["argument"]) == "russia-would-rearm"
    assert "rearm" in str(by_demand["ukraine-demands-article5-commitment"]["argumentContent"])
    assert int(by_demand["ukraine-demands-50-year-shield"]["duration"]) == 50


def test_cq6_russia_demands_donbas_and_the_ceasefire_depends_on_it(g):
    [demand] = g.positions(actor="Russia", kind="Demand", article=SEED)
    assert short(demand.iri) == "russia-demands-donbas" and "Donbas" in demand.content
    assert [(short(d.iri), d.direct) for d in g.dependents(demand.iri)] == [("any-ceasefire", True)]


def test_cq7_conflicts(g):
    pairs = {frozenset((short(c.position), short(c.other))) for c in g.conflicts()}
    assert frozenset(("us-offers-15-year-guarantee", "ukraine-demands-50-year-shield")) in pairs
    assert frozenset(("russia-demands-donbas", "territorial-status")) in pairs
    assert frozenset(("us-not-forcing-concessions", "deal-may-require-donbas-withdrawal")) in pairs
    durations = {short(r["statement"]): int(r["value"]) for r in g.named("quantities").rows if short(r["unit"]) == "YR"}
    assert durations == {"us-offers-15-year-guarantee": 15, "ukraine-demands-50-year-shield": 50}


def test_cq8_transitive_chain_in_front_of_the_us_guarantees(g):
    sparql = """PREFIX kg: <https://w3id.org/kg/ontology#>
        SELECT ?offer ?condition WHERE { ?offer kg:dependsOn+ ?condition } ORDER BY ?condition"""
    computed = [short(r["condition"]) for r in g.query(sparql, offer=URIRef(ART + "us-offers-security-guarantees")).rows]
    assert computed == ["deal-may-require-donbas-withdrawal", "signed-settlement", "territorial-referendum", "territorial-status"]
    assert sorted(short(d.iri) for d in g.depends_on("us-offers-security-guarantees")) == computed


def test_cq9_evidence_quote_offsets_source_reporter_firmness(g):
    [e] = g.evidence("russia-demands-donbas")
    assert e.quote.startswith("The Kremlin insists that the surrender of the entire Donbas")
    assert (e.start, e.source, e.firmness, e.status) == (2222, ART[:-1], "insisted", "on record")
    assert e.end - e.start == len(e.quote)
    [hinted] = g.evidence("territorial-referendum")
    assert hinted.firmness == "hinted"
