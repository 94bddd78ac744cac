"""kg.safety: read-only checks before any engine sees the text, and a time limit that really stops a query."""

from __future__ import annotations

import time
from functools import partial

import pytest
from rdflib import Literal

from kg.errors import KgError
from kg.querycheck import QueryRefused, QuerySyntaxError, QueryTimeout, check_query
from kg.store import built_dataset, open_store
from kg.workers import QueryWorker, run_with_timeout

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.mark.parametrize("sparql, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"), ("ASK { ?s ?p ?o }", "ASK"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"), ("DESCRIBE <urn:x>", "DESCRIBE"),
    # the word SERVICE in a comment or a string is not a SERVICE clause
    ("# SERVICE <http://example.org/>\nSELECT ?s WHERE { ?s ?p 'SERVICE <http://example.org/> { }' }", "SELECT"),
    ('SELECT ?s WHERE { ?s ?p """LOAD <http://x> ; DROP ALL""" }', "SELECT"),
])
def test_read_only_queries_pass(sparql, form):
    assert check_query(sparql) == form


@pytest.mark.parametrize("sparql, verb", [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT DATA"), ("DELETE DATA { <urn:a> <urn:b> <urn:c> }", "DELETE DATA"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE WHERE"), ("DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", "INSERT/DELETE"),
    ("LOAD <http://example.org/data.ttl>", "LOAD"), ("CLEAR ALL", "CLEAR"), ("DROP GRAPH <urn:g>", "DROP"),
    ("CREATE GRAPH <urn:g>", "CREATE"),
    ("PREFIX ex: <http://ex.org/#>\n# broken\ninsert data { ex:a ex:b }", "INSERT"),
    ("COPY <urn:a> TO <urn:b>", "COPY"), ("ADD <urn:a> TO <urn:b>", "ADD"),
])
def test_updates_are_refused_with_the_reason_and_fix(sparql, verb):
    with pytest.raises(QueryRefused) as refused:
        check_query(sparql)
    assert f"refused: this is a SPARQL update ({verb}" in str(refused.value)
    assert "kg queries are read-only (fix: use SELECT or ASK" in str(refused.value)


@pytest.mark.parametrize("sparql, what", [
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE <http://example.org/sparql>"),
    ("SELECT * WHERE { ?x ?y ?z { SELECT * WHERE { SERVICE SILENT <file:///etc/passwd> { ?s ?p ?o } } } }",
     "SERVICE <file:///etc/passwd>"),
    ("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }", "SERVICE ?endpoint"),
    ("SELECT * FROM <http://example.org/g.ttl> WHERE { ?s ?p ?o }", "FROM <http://example.org/g.ttl>"),
    ("SELECT * FROM NAMED <file:///etc/hosts> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM NAMED <file:///etc/hosts>"),
])
def test_remote_access_is_refused_unless_allowed(sparql, what):
    with pytest.raises(QueryRefused) as refused:
        check_query(sparql)
    assert str(refused.value).startswith(f"refused: {what} would")
    assert "--allow-remote" in str(refused.value)
    assert check_query(sparql, allow_remote=True) == "SELECT"


@pytest.mark.parametrize("sparql, line, column, words", [
    ("SELECT * WHERE { ?s ?p ?o ", 1, 27, "found end of query"),
    ("SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(?o = ) }", 3, 3, "FILTER"),
    ("PREFIX kg: <https://w3id.org/kg/ontology#>\nSELECT * WHERE {\n  ?s ex:p ?o }", 3, 6, "undeclared prefix ex:"),
    ("SELECT * WHERE { ?s ?p ?o } ; DROP ALL", 1, 29, "'; DROP ALL'"),
])
def test_syntax_errors_have_line_and_column(sparql, line, column, words):
    with pytest.raises(QuerySyntaxError) as error:
        check_query(sparql)
    assert (error.value.line, error.value.column) == (line, column)
    assert str(error.value).startswith(f"syntax error at line {line}, column {column}: ")
    assert words in str(error.value)


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_timeout_kills_the_worker(engine):
    started = time.perf_counter()
    with pytest.raises(QueryTimeout, match=r"^query stopped after 1 s \(--timeout\)"):
        run_with_timeout(partial(open_store, built_dataset(), engine), SLOW, None, 1)
    assert time.perf_counter() - started < 15  # load + 1 s, not the minutes the query would take


def test_worker_answers_many_queries_and_restarts_after_a_timeout():
    with QueryWorker(partial(open_store, built_dataset(), "oxigraph")) as worker:
        assert worker.startup_seconds is not None and worker.startup_seconds < 30
        first = worker.process.pid
        label = "SELECT ?a ?l WHERE { ?a <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
        assert [str(r["a"]) for r in worker.select(label, {"l": Literal("Russia", lang="en")}, 10).rows] == [
            "https://w3id.org/kg/id/actor/russia"]
        assert worker.process.pid == first  # the same worker, the store loaded once
        with pytest.raises(QueryTimeout):
            worker.select(SLOW, None, 0.5)
        assert worker.process is None
        assert worker.select("ASK { ?s ?p ?o }", None, 10).boolean is True  # a fresh worker
        assert worker.process.pid != first


def test_worker_reports_runtime_errors_and_load_failures(tmp_path):
    with QueryWorker(partial(open_store, built_dataset(), "oxigraph")) as worker, \
            pytest.raises(KgError, match="oxigraph can only bind variables of the SELECT clause: add \\?l"):
        worker.select("SELECT ?a WHERE { ?a ?p ?l }", {"l": Literal("x")}, 10)
    broken = tmp_path / "broken.trig"
    broken.write_text("<urn:a> <urn:b> .", encoding="utf-8")
    with pytest.raises(KgError, match="could not load the store"):
        QueryWorker(partial(open_store, broken, "rdflib")).start()
