"""The named query library and the Python helpers, on both engines (rdflib and oxigraph)."""

from __future__ import annotations

import pickle
from decimal import Decimal

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef

import kg
from conftest import SEED
from kg.errors import KgError
from kg.library import named_queries
from kg.querycheck import QueryRefused, check_query
from kg.records import Conflict, Dependency
from kg.results import QueryResult
from kg.terms import parse_term, to_rdflib

ARTICLES = "https://w3id.org/kg/id/article/"
ART = f"{ARTICLES}{SEED}/"
ACTOR = "https://w3id.org/kg/id/actor/"
KG = "https://w3id.org/kg/ontology#"


@pytest.fixture(scope="module")
def graphs() -> dict[str, kg.KnowledgeGraph]:
    return {engine: kg.load(engine=engine) for engine in ("rdflib", "oxigraph")}


def normalised(result) -> list[tuple]:
    """Rows as comparable tuples: numbers by value (oxigraph stores xsd:nonNegativeInteger as xsd:integer)."""
    def norm(term):
        if term is None:
            return None
        if isinstance(term, Literal) and isinstance(term.toPython(), int | Decimal | float) and not isinstance(term.toPython(), bool):
            return ("number", Decimal(str(term.toPython())))
        return (type(term).__name__, term.n3())
    return [tuple(norm(row.get(v)) for v in result.vars) for row in result.rows]


def short(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


# the example parameters of each library query and what that answer must contain
def seed_rows(result: QueryResult) -> list[dict]:
    """The rows that name no statement of an article other than the seed."""
    return [r for r in result if not any(str(v).startswith(ARTICLES) and not f"{v}/".startswith(ART) for v in r.values())]


EXAMPLES = {
    "actors": ({}, 37),
    "actor-mentions": ({"actor": URIRef(ACTOR + "united-states")}, 13),
    "positions": ({"holder": URIRef(ACTOR + "russia"), "kind": URIRef(KG + "Demand")}, 1),
    "offer-parts": ({"holder": URIRef(ACTOR + "united-states")}, 4),
    "depends-on": ({"node": URIRef(ART + "us-offers-security-guarantees")}, 4),
    "dependents": ({"condition": URIRef(ART + "territorial-referendum")}, 3),
    "dependency-chain": ({"node": URIRef(ART + "us-offers-security-guarantees")}, 4),
    "demands-and-arguments": ({"holder": URIRef(ACTOR + "ukraine")}, 2),
    "conflicts": ({}, 3),
    "evidence": ({"statement": URIRef(ART + "deal-may-require-donbas-withdrawal")}, 2),
    "events": ({}, 5),
    "positions-over-time": ({"holder": URIRef(ACTOR + "united-states")}, 9),
    "reported-by": ({"source": URIRef(ACTOR + "reuters")}, 1),
    "quantities": ({}, 4),
    "statements": ({}, 30),
}


def test_library_has_a_documented_query_for_each_competency_question():
    library = named_queries()
    assert len(library) >= 10
    assert {q.cq for q in library.values()} >= {f"CQ{i}" for i in range(1, 10)}
    for name in EXAMPLES:
        q = library[name]
        assert q.description and q.params and q.example.startswith(f"kg query {name}"), name
        assert check_query(q.sparql) == "SELECT"


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_gives_identical_answers_on_both_engines(graphs, name):
    rdflib_rows = normalised(graphs["rdflib"].named(name))
    assert rdflib_rows, f"{name} returned nothing on the seed graph"
    assert normalised(graphs["oxigraph"].named(name)) == rdflib_rows


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_named_queries_with_parameters_agree_and_filter(graphs, name):
    bindings, expected_rows = EXAMPLES[name]
    answers = [graphs[e].named(name, **bindings) for e in ("rdflib", "oxigraph")]
    assert normalised(answers[0]) == normalised(answers[1])
    assert len(seed_rows(answers[0])) == expected_rows
    for var, value in bindings.items():
        assert {row[var] for row in answers[0].rows} == {value}


def test_depends_on_direct_and_transitive_with_property_path(graphs):
    rows = graphs["rdflib"].named("depends-on", node=URIRef(ART + "us-offers-security-guarantees")).rows
    assert {(short(r["condition"]), r["direct"].toPython()) for r in rows} == {
        ("signed-settlement", True), ("territorial-status", False),
        ("deal-may-require-donbas-withdrawal", False), ("territorial-referendum", False)}


def test_dependency_chain_edges(graphs):
    rows = graphs["oxigraph"].named("dependency-chain", node=URIRef(ART + "us-offers-security-guarantees")).rows
    assert sorted((short(r["from"]), short(r["to"])) for r in rows) == [
        ("signed-settlement", "deal-may-require-donbas-withdrawal"), ("signed-settlement", "territorial-status"),
        ("territorial-status", "territorial-referendum"), ("us-offers-security-guarantees", "signed-settlement")]


def test_reported_by_a_medium(graphs):
    rows = graphs["rdflib"].named("reported-by", source=URIRef(ACTOR + "financial-times")).rows
    assert [(short(r["statement"]), str(r["status"])) for r in rows] == [("deal-may-require-donbas-withdrawal", "reported")]


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_helpers_accept_actor_names_and_statement_ids(graphs, engine):
    g = graphs[engine]
    assert g.resolve_actor("the Kremlin") == g.resolve_actor("Russia") == ACTOR + "russia"
    assert [short(p.iri) for p in g.positions(actor="Kyiv", kind="Demand")] == [
        "ukraine-demands-50-year-shield", "ukraine-demands-article5-commitment"]
    assert g.depends_on("signed-settlement", transitive=False) == [
        Dependency(ART + "deal-may-require-donbas-withdrawal", g.depends_on(ART + "signed-settlement")[0].label, "Proposal", True),
        Dependency(ART + "territorial-status", "Territorial status, the final 10%, remains the sticking point", "Condition", True)]
    assert [short(d.iri) for d in g.dependents("territorial-referendum")] == [
        "signed-settlement", "territorial-status", "us-offers-security-guarantees"]
    assert [d.direct for d in g.dependents("territorial-referendum")] == [False, True, False]


def test_helpers_give_the_same_records_on_both_engines(graphs):
    r, o = graphs["rdflib"], graphs["oxigraph"]
    assert r.actors() == o.actors()
    assert r.positions() == o.positions()
    assert r.conflicts() == o.conflicts()
    assert r.evidence("conflict-donbas-vs-territorial-status") == o.evidence("conflict-donbas-vs-territorial-status")
    assert r.depends_on("us-offers-security-guarantees") == o.depends_on("us-offers-security-guarantees")


def test_conflicts_are_typed_records(graphs):
    conflicts = graphs["rdflib"].conflicts()
    assert all(isinstance(c, Conflict) for c in conflicts)
    assert {(short(c.position), short(c.other), short(c.conflict)) for c in conflicts} == {
        ("ukraine-demands-50-year-shield", "us-offers-15-year-guarantee", "conflict-guarantee-duration"),
        ("russia-demands-donbas", "territorial-status", "conflict-donbas-vs-territorial-status"),
        ("deal-may-require-donbas-withdrawal", "us-not-forcing-concessions", "conflict-not-forcing-vs-withdrawal")}


def test_evidence_groups_reporters_and_points_into_the_raw_text(graphs):
    [e] = graphs["rdflib"].evidence("deal-may-require-donbas-withdrawal")
    raw = (kg.corpus.find_corpus().articles / "000_0e22b9a82a6b1fdf.txt").read_text(encoding="utf-8")
    assert raw[e.start:e.end] == e.quote
    assert e.quote.startswith("Reports from the Financial Times and Reuters suggest")
    assert e.reporters == ("Financial Times", "Reuters")
    assert e.reported_by == (ACTOR + "financial-times", ACTOR + "reuters")
    assert (e.source, e.firmness, e.status) == (ART[:-1], "described", "reported")


def test_unknown_names_are_clear_errors(graphs):
    g = graphs["rdflib"]
    with pytest.raises(KgError, match="no actor named 'Atlantis'; see kg query actors"):
        g.positions(actor="Atlantis")
    with pytest.raises(KgError, match="no statement with id 'nothing'; see kg query statements"):
        g.evidence("nothing")
    with pytest.raises(KgError, match="no named query 'nope'; the library has: actor-mentions, actors"):
        g.named("nope")


def test_query_helper_is_read_only_and_local_by_default(graphs):
    g = graphs["oxigraph"]
    with pytest.raises(QueryRefused, match="SPARQL update"):
        g.query("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(QueryRefused, match="SERVICE <file:///etc/passwd>"):
        g.query("SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }")
    with pytest.raises(KgError, match="CONSTRUCT queries are not supported"):
        g.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert g.query("ASK { ?s ?p ?o }").boolean is True


def test_bindings_are_terms_not_text(graphs):
    injection = 'x" } ; DROP ALL ; #'
    assert parse_term(injection) == Literal(injection)
    for g in graphs.values():
        assert g.query("SELECT ?a ?label WHERE { ?a <http://www.w3.org/2000/01/rdf-schema#label> ?label }", label=injection).rows == []
        assert len(g.query("SELECT * WHERE { ?s ?p ?o }").rows) > 1000  # nothing was dropped


def test_both_engines_bind_any_variable_before_the_pattern(graphs):
    """Bindings open the WHERE group as VALUES: unprojected variables and BIND(?param AS ?v) see them on both engines."""
    for g in graphs.values():
        rows = g.query("SELECT ?a WHERE { ?a rdfs:label ?label }", label=Literal("Russia", lang="en")).rows
        assert [str(r["a"]) for r in rows] == [ACTOR + "russia"]
        assert [str(r["v"]) for r in g.query("SELECT ?v WHERE { BIND(?param AS ?v) }", param="x")] == ["x"]


def test_results_convert_to_dataframes(graphs):
    frame = graphs["rdflib"].positions(actor="Russia", article=SEED).to_dataframe()
    assert list(frame.columns) == ["iri", "label", "kind", "holders", "addressees", "content", "firmness", "status",
                                   "modality", "cue", "date", "sources", "topics", "quantities", "article"]
    assert set(frame["kind"]) == {"Demand", "Outcome"}
    assert graphs["rdflib"].conflicts(SEED).to_dataframe().shape == (3, 6)


def test_on_disk_store_is_loaded_once_and_reloaded_when_the_dataset_changes(tmp_path):
    data, folder = tmp_path / "invented.nq", tmp_path / "store"
    quad = "<urn:kg-test:a> <http://www.w3.org/2000/01/rdf-schema#label> \"{}\" <urn:kg-test:g> .\n"
    data.write_text(quad.format("first"), encoding="utf-8")
    count = "SELECT ?l WHERE { ?s rdfs:label ?l }"
    assert [str(r["l"]) for r in kg.load(data, store_path=folder).query(count)] == ["first"]
    stamp = (folder / "kg-store.json").read_text(encoding="utf-8")
    assert [str(r["l"]) for r in kg.load(data, store_path=folder).query(count)] == ["first"]  # reopened read-only
    assert (folder / "kg-store.json").read_text(encoding="utf-8") == stamp
    data.write_text(quad.format("first") + quad.format("second"), encoding="utf-8")
    assert sorted(str(r["l"]) for r in kg.load(data, store_path=folder).query(count)) == ["first", "second"]
    with pytest.raises(KgError, match="needs the oxigraph engine"):
        kg.load(data, engine="rdflib", store_path=folder)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(KgError, match="is not empty and is not a kg store"):
        kg.load(data, store_path=tmp_path / "other")


def test_positions_are_one_record_each_with_their_attributes(graphs):
    for g in graphs.values():
        [p] = [p for p in g.positions(article=SEED) if p.iri == ART + "deal-may-require-donbas-withdrawal"]
        assert p.addressees == (ACTOR + "ukraine",) and p.article == ARTICLES + SEED
        assert p.sources == (ACTOR + "financial-times", ACTOR + "reuters")
        assert p.topics == ("https://w3id.org/kg/id/issue/peace-agreement", "https://w3id.org/kg/id/issue/territory")
        [offer] = [p for p in g.positions(article=SEED) if p.iri == ART + "us-offers-15-year-guarantee"]
        assert [(q.property, q.value, q.unit) for q in offer.quantities] == [("duration", 15, "http://qudt.org/vocab/unit/YR")]
        dated = [p for p in g.positions(article=SEED) if p.date is not None]
        assert {str(p.date) for p in dated} == {"2026-01-27"} and all(p.date.year == 2026 for p in dated)
        assert len({p.iri for p in g.positions()}) == len(g.positions())  # one record per position


def test_events_name_the_latest_date_honestly(graphs):
    result = graphs["oxigraph"].named("events")
    assert "latestDate" in result.vars
    talks = [r for r in result if str(r["event"]).endswith("/abu-dhabi-talks")]
    assert talks and all("date" not in r and str(r["latestDate"]) == "2026-01-27" for r in talks)
    frame = result.to_dataframe()
    assert {type(v).__name__ for v in frame["latestDate"] if v is not None} == {"date"}


TERMS = [  # INVENTED values: every kind of term Oxigraph can answer with, written as N-Quads objects
    ('"tab\\there, new\\nline, cr\\r, \\"quoted\\" back\\\\slash \\u0001 \\u2028 é 🕊"',
     "tab\there, new\nline, cr\r, \"quoted\" back\\slash \x01 \u2028 é 🕊"),
    ('""', ""), ('"Aldoria"@en-GB', "Aldoria"), ('"-5"^^<http://www.w3.org/2001/XMLSchema#integer>', -5),
    ('"0.50"^^<http://www.w3.org/2001/XMLSchema#decimal>', Decimal("0.5")), ('"1.5E3"^^<http://www.w3.org/2001/XMLSchema#double>', 1500.0),
    ('"true"^^<http://www.w3.org/2001/XMLSchema#boolean>', True), ('"2026-03-14"^^<http://www.w3.org/2001/XMLSchema#date>', None),
    ('"abc"^^<http://www.w3.org/2001/XMLSchema#integer>', None), ('"x"^^<urn:kg-test:type>', None), ("_:veskaria", None),
    ("<urn:kg-test:dam/é?q=1#f>", None),
]


TERMS_QUERY = "SELECT ?s ?o ?none WHERE { ?s <urn:kg-test:p> ?o OPTIONAL { ?o <urn:kg-test:none> ?none } } ORDER BY ?s"
"""Every term of :data:`TERMS` as ?o of its subject ?s, with ?none never bound."""


def terms_graph(folder, timeout):
    """A graph of :data:`TERMS` (INVENTED), loaded on Oxigraph with the time limit ``timeout``."""
    data = folder / "invented.nq"
    data.write_text("".join(f"<urn:kg-test:s{i}> <urn:kg-test:p> {term} <urn:kg-test:g> .\n" for i, (term, _) in enumerate(TERMS)),
                    encoding="utf-8")
    return kg.load(data, timeout=timeout)


@pytest.mark.parametrize("timeout", [None, 30], ids=["in-process", "worker"])
def test_oxigraph_rows_are_the_terms_the_engine_holds(tmp_path, timeout):
    """Rows read from Oxigraph's written answer (kg.terms.from_tsv) are the rdflib terms of the engine's own terms."""
    g, sparql = terms_graph(tmp_path, timeout), TERMS_QUERY
    result = g.query(sparql)
    assert len(result) == len(TERMS) and result.vars == ["s", "o", "none"]  # counted before any row is read
    copy = pickle.loads(pickle.dumps(result))  # how an unread answer leaves a worker
    solutions = g.store.store.query(sparql, use_default_graph_as_union=True)
    expected = [{"s": to_rdflib(s), "o": to_rdflib(o)} for s, o, _ in solutions]
    assert result.rows == expected and copy.rows == expected
    for row, want in zip(result.rows, expected, strict=True):
        got, term = row["o"], want["o"]
        assert type(got) is type(term) and got.n3() == term.n3()
        if isinstance(term, Literal):
            assert (got.language, got.datatype, got.toPython()) == (term.language, term.datatype, term.toPython())
    values = {int(str(r["s"])[len("urn:kg-test:s"):]): r["o"] for r in result}
    for i, (_, python) in enumerate(TERMS):
        if python is not None:
            assert values[i].toPython() == python
    assert values[2].language == "en-gb" and str(values[11]) == "urn:kg-test:dam/é?q=1#f"
    assert isinstance(values[10], BNode)
    g.close()


@pytest.mark.parametrize("timeout", [None, 30], ids=["in-process", "worker"])
def test_solutions_are_oxigraphs_own_terms(tmp_path, timeout):
    """result.solutions(): the same answer as pyoxigraph terms, Oxigraph's own in-process, parsed by Oxigraph from what
    it wrote out of the worker; handed over once, instead of rows (INVENTED values)."""
    g, sparql = terms_graph(tmp_path, timeout), TERMS_QUERY
    engine = [tuple(s) for s in g.store.store.query(sparql, use_default_graph_as_union=True)]
    result = g.query(sparql)
    handed = result.solutions()
    assert isinstance(handed, ox.QuerySolutions) and [v.value for v in handed.variables] == ["s", "o", "none"]
    solutions = [(s["s"], s["o"], s["none"]) for s in handed]
    assert len(solutions) == len(engine) and all(none is None for _, _, none in solutions)
    assert [(s, o) for s, o, _ in solutions if not isinstance(o, ox.BlankNode)] == \
        [(s, o) for s, o, _ in engine if not isinstance(o, ox.BlankNode)]  # a blank node's label is the engine's to choose
    with pytest.raises(KgError, match="handed over by solutions"):
        result.rows  # noqa: B018 (the answer was read there, once)
    with pytest.raises(KgError, match="not handed over before"):
        result.solutions()
    read = g.query(sparql)
    assert len(read.rows) == len(engine)
    with pytest.raises(KgError, match="whose rows were not read yet"):
        read.solutions()  # not after the rows
    with pytest.raises(KgError, match="a SELECT answer of the Oxigraph engine"):
        g.query("ASK { ?s ?p ?o }").solutions()
    g.close()


def test_solutions_need_the_oxigraph_engine(graphs):
    with pytest.raises(KgError, match="Oxigraph engine"):
        graphs["rdflib"].query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1").solutions()
