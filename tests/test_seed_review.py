"""The seed statements as the text supports them (issue 9; docs/seed-review.md), and evidence on every relation.

Each check reads the seed article's own named graph, on both engines, so that it holds in a bigger corpus too.
"""

from __future__ import annotations

import re

from conftest import SEED, SEED_GRAPH, seed_iri
from kg.annotations import load_corpus

PREFIXES = """PREFIX kg: <https://w3id.org/kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def select(g, body: str, **bindings) -> list[dict]:
    return g.query(PREFIXES + body, **bindings).rows


def values(g, statement: str, predicate: str) -> list[str]:
    rows = select(g, f"SELECT ?s ?v WHERE {{ GRAPH <{SEED_GRAPH}> {{ ?s {predicate} ?v }} }} ORDER BY ?v", s=seed_iri(statement))
    return [str(r["v"]).rsplit("/", 1)[-1].rsplit("#", 1)[-1] for r in rows]


def relation(g, source: str, predicate: str, target: str) -> dict:
    [row] = select(g, f"""SELECT ?s ?o ?r ?firmness ?modality ?status ?cue ?date WHERE {{ GRAPH <{SEED_GRAPH}> {{
        ?r kg:from ?s ; kg:relation {predicate} ; kg:to ?o .
        OPTIONAL {{ ?r kg:firmness ?firmness }} OPTIONAL {{ ?r kg:modality ?modality }}
        OPTIONAL {{ ?r kg:epistemicStatus ?status }} OPTIONAL {{ ?r kg:cue ?cue }} OPTIONAL {{ ?r kg:date ?date }} }} }}""",
                   s=seed_iri(source), o=seed_iri(target))
    return {k: str(v).rsplit("#", 1)[-1] for k, v in row.items() if k not in ("s", "o")}


def test_donbas_withdrawal_has_no_holder_and_is_reported_by_the_ft_and_reuters(g):
    assert values(g, "deal-may-require-donbas-withdrawal", "kg:holder") == []
    assert values(g, "deal-may-require-donbas-withdrawal", "kg:reportedBy") == ["financial-times", "reuters"]
    assert values(g, "deal-may-require-donbas-withdrawal", "kg:modality") == ["Possible"]
    edge = relation(g, "signed-settlement", "kg:dependsOn", "deal-may-require-donbas-withdrawal")
    assert (edge["modality"], edge["cue"]) == ("Possible", "may require")


def test_referendum_edge_is_hedged_hinted_and_possible(g):
    edge = relation(g, "territorial-status", "kg:dependsOn", "territorial-referendum")
    assert (edge["firmness"], edge["modality"], edge["cue"]) == ("Hinted", "Possible", "has hinted; may be put")
    assert values(g, "territorial-referendum", "kg:addressee") == []


def test_talks_description_names_nobody(g):
    assert values(g, "talks-constructive-but-difficult", "kg:holder") == []
    assert values(g, "talks-constructive-but-difficult", "kg:reportedBy") == ["author"]
    assert values(g, "talks-constructive-but-difficult", "kg:epistemicStatus") == ["ArticleVoice"]
    assert values(g, "talks-constructive-but-difficult", "kg:cue") == ["have been described as"]


def test_no_position_has_a_modality_the_text_does_not_give(g):
    rows = select(g, f"""SELECT ?s ?m WHERE {{ GRAPH <{SEED_GRAPH}> {{ ?s kg:modality ?m ; kg:content ?c }} }} ORDER BY ?s""")
    assert [(str(r["s"]).rsplit("/", 1)[1], str(r["m"]).rsplit("#", 1)[1]) for r in rows] == [
        ("deal-may-require-donbas-withdrawal", "Possible"), ("territorial-referendum", "Possible")]
    # and every Possible is a "may" of its own evidence
    for statement in ("deal-may-require-donbas-withdrawal", "territorial-referendum"):
        assert " may " in " ".join(e.text for e in g.evidence(statement))


def test_implied_and_inferred_statements_are_not_on_record(g):
    for statement in ("ukraine-demands-article5-commitment", "conflict-donbas-vs-territorial-status"):
        assert values(g, statement, "kg:epistemicStatus") == ["CuratorInference"]
        assert values(g, statement, "kg:reportedBy") == ["curator"]


def test_addressees_only_where_the_text_names_one(g):
    for statement in ("us-not-forcing-concessions", "russia-demands-donbas", "signed-settlement"):
        assert values(g, statement, "kg:addressee") == [], statement
    assert values(g, "us-demands-peace-agreement", "kg:addressee") == ["ukraine"]  # "a firm ultimatum to Kyiv"


def test_guarantees_offer_has_the_sources_and_date_the_text_gives(g):
    assert values(g, "us-offers-security-guarantees", "kg:reportedBy") == ["sources-familiar-with-washington-discussions"]
    assert values(g, "us-offers-security-guarantees", "kg:date") == ["2026-01-27"]
    edge = relation(g, "us-offers-security-guarantees", "kg:dependsOn", "signed-settlement")
    assert (edge["date"], edge["status"]) == ("2026-01-27", "AnonymouslySourced")


def test_ultimatum_calls_for_the_settlement_and_the_strategy_explains_the_pivot(g):
    assert relation(g, "us-demands-peace-agreement", "kg:callsFor", "signed-settlement")["cue"] == "must finalize"
    assert relation(g, "us-pivot-to-broker", "kg:reason", "us-strategy-priorities")["cue"] == "Why; This strategy"


def test_purposes_of_the_referendum_and_of_the_strategy(g):
    rows = select(g, f"""SELECT ?s ?label WHERE {{ GRAPH <{SEED_GRAPH}> {{ ?s kg:purpose ?o . ?o rdfs:label ?label }} }} ORDER BY ?s""")
    assert [(str(r["s"]).rsplit("/", 1)[1], str(r["label"])) for r in rows] == [
        ("end-conflict-quickly", "De-escalated tensions and a reduced aid burden"),
        ("territorial-referendum", "Democratic legitimacy for a deal involving territorial shifts"),
        ("us-strategy-priorities", "Ending the conflict quickly")]


def test_washington_changed_role_from_supporter_to_broker_in_2026(g):
    [row] = select(g, f"""SELECT ?actor ?from ?to ?year WHERE {{ GRAPH <{SEED_GRAPH}> {{
        ?change a kg:StanceChange ; kg:participant ?actor ; kg:fromRole/rdfs:label ?from ;
                kg:toRole/rdfs:label ?to ; kg:year ?year }} }}""")
    assert (str(row["actor"]).rsplit("/", 1)[1], str(row["from"]), str(row["to"]), str(row["year"])) == (
        "united-states", "outright supporter", "broker", "2026")


def test_every_relation_between_statements_has_evidence_equal_to_the_raw_text(g):
    """For every direct edge between two statements of the seed, its qualified relation and evidence quote."""
    raw = load_corpus().articles[0].text.raw
    rows = select(g, f"""SELECT ?s ?p ?o ?quote ?start ?end WHERE {{ GRAPH <{SEED_GRAPH}> {{
        ?s ?p ?o . ?s kg:evidence [] . ?o kg:evidence [] . FILTER(?p NOT IN (kg:evidence, kg:from, kg:to, kg:between))
        OPTIONAL {{ {{ ?r kg:from ?s ; kg:to ?o }} UNION {{ ?r kg:from ?o ; kg:to ?s ; kg:relation kg:conflictsWith }}
                   ?r kg:relation ?p ; kg:evidence/oa:hasTarget/oa:hasSelector ?sel .
                   ?sel oa:start ?b ; oa:end ?e . ?r kg:evidence/oa:hasTarget/oa:hasSelector/oa:exact ?quote .
                   BIND(xsd:integer(?b) AS ?start) BIND(xsd:integer(?e) AS ?end) }} }} }}""")
    edges = {(r["s"], r["p"], r["o"]) for r in rows}
    assert len(edges) >= 25
    missing = sorted(str(e) for e in edges if not any((r["s"], r["p"], r["o"]) == e and "quote" in r for r in rows))
    assert missing == []
    # the quote that sits at the offsets equals the raw text there
    assert any(raw[int(r["start"]):int(r["end"])] == str(r["quote"]) for r in rows)
    for edge in edges:
        spans = {(int(r["start"]), int(r["end"])) for r in rows if (r["s"], r["p"], r["o"]) == edge}
        quotes = {str(r["quote"]) for r in rows if (r["s"], r["p"], r["o"]) == edge}
        assert {raw[a:b] for a, b in spans} == quotes, edge


def test_cues_are_verbatim_from_their_own_evidence():
    article = load_corpus().articles[0]
    assert article.id == SEED

    def check(owner: str, item: dict) -> list[str]:
        if "cue" not in item:
            return []
        text = " ".join(article.text.clean(s["start"], s["end"]) for s in item["evidence"])
        return [f"{owner}: {part!r}" for part in re.split(r"\s*(?:;|\.\.\.)\s*", item["cue"]) if part not in text]

    problems = []
    for item in article.statements:
        problems += check(item["id"], item)
        for key, value in item.items():
            for rel in value if isinstance(value, list) else []:
                if isinstance(rel, dict) and "to" in rel:
                    problems += check(f"{item['id']} {key} {rel['to']}", {**item, **rel})
    assert problems == []


def test_inferred_types_and_inverses_answer(g):
    rows = select(g, "SELECT DISTINCT ?p ?article WHERE { ?p a kg:Position ; <http://www.w3.org/ns/prov#wasDerivedFrom> ?article }",
                  article=f"https://w3id.org/kg/id/article/{SEED}")
    assert len(rows) == 25 and seed_iri("any-ceasefire") in {str(r["p"]) for r in rows}
    offer = seed_iri("us-offers-security-guarantees")
    rows = select(g, "SELECT ?offer ?part WHERE { ?offer kg:hasPart ?part } ORDER BY ?part", offer=offer)
    assert [str(r["part"]).rsplit("/", 1)[1] for r in rows] == ["article5-like-assurances", "peacetime-weaponry", "us-prosperity-package"]
    rows = select(g, "SELECT ?offer ?x WHERE { ?x kg:requiredFor ?offer }", offer=offer)
    assert [str(r["x"]).rsplit("/", 1)[1] for r in rows] == ["signed-settlement"]
    # and a query can leave the inferred layer out
    rows = select(g, """SELECT ?p ?kind WHERE { ?p a ?kind
        FILTER NOT EXISTS { GRAPH <https://w3id.org/kg/graph/inferred> { ?p a ?kind } } }""", p=seed_iri("any-ceasefire"))
    assert [str(r["kind"]) for r in rows] == ["https://w3id.org/kg/ontology#Outcome"]
