"""Fast checks of the endpoint's parts and of kg query's graph answers, without starting servers."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from conftest import seed_iri
from kg.cli import main
from kg.namespaces import KG
from kg.querycheck import with_prefixes
from kg.results import QueryResult, format_result
from kg.serve import Endpoint, Refusal, bound_query, exposure_warning, negotiate, remove_stale_stores

HOLDERS = """PREFIX kg: <https://w3id.org/kg/ontology#>
CONSTRUCT { ?d kg:holder ?h } WHERE { ?d a kg:Demand ; kg:holder ?h }"""


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld"])
def test_construct_gives_the_same_graph_on_both_engines(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    graphs = []
    for engine in ("rdflib", "oxigraph"):
        assert main(["query", HOLDERS, "--engine", engine, "--format", fmt]) == 0
        graphs.append(Graph().parse(data=capsys.readouterr().out, format={"ntriples": "nt", "jsonld": "json-ld"}.get(fmt, fmt)))
    assert set(graphs[0]) == set(graphs[1])
    assert (URIRef(seed_iri("russia-demands-donbas")), KG.holder, URIRef("https://w3id.org/kg/id/actor/russia")) in graphs[0]


def test_describe_and_the_default_format(capsys: pytest.CaptureFixture[str]) -> None:
    for engine in ("rdflib", "oxigraph"):
        assert main(["query", "DESCRIBE <https://w3id.org/kg/id/actor/russia>", "--engine", engine, "--timeout", "0"]) == 0
        graph = Graph().parse(data=capsys.readouterr().out, format="turtle")
        assert Literal("Russia", lang="en") in set(graph.objects(URIRef("https://w3id.org/kg/id/actor/russia"), None))


def test_formats_must_fit_the_query(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", HOLDERS, "--format", "csv"]) == 2
    assert "--format csv does not fit a CONSTRUCT query (graphs: turtle, ntriples, jsonld" in capsys.readouterr().err
    assert main(["query", "ASK {}", "--format", "turtle"]) == 2


@pytest.mark.parametrize("argv", [["serve", "--port", "99999"], ["serve", "--port", "-1"], ["serve", "--timeout", "-1"],
                                  ["serve", "--timeout", "nan"], ["query", "actors", "--timeout", "-1"],
                                  ["query", "actors", "--timeout", "inf"], ["push", "--endpoint", "x", "--timeout", "nan"]])
def test_bad_ports_and_timeouts_are_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "is not a port number from 0 to 65535" in err or "is not a number of seconds >= 0 (0: no limit)" in err


def test_timeout_zero_means_no_limit_in_query(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "SELECT (1 AS ?one) WHERE {}", "--timeout", "0", "--format", "csv"]) == 0
    assert capsys.readouterr().out == "one\r\n1\r\n"


def test_table_shows_terminal_escapes_as_text() -> None:
    result = QueryResult(["label"], [{"label": Literal("red\x1b[31m alarm\x07\x9b2J\tend")}])
    table = format_result(result, "table")
    assert "\x1b" not in table and "\x07" not in table and "\x9b" not in table and "\t" not in table
    assert "red\\x1b[31m alarm\\x07\\x9b2J\\x09end" in table


def test_prefixes_are_added_only_where_missing() -> None:
    query = "PREFIX kg: <https://example.org/other#>\nSELECT * { ?s kg:p ?o ; rdfs:label ?l }"
    added = with_prefixes(query)
    assert added.endswith(query) and added.count("PREFIX kg:") == 1 and "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>" in added


def test_named_query_parameters_are_bound_as_escaped_terms() -> None:
    text = bound_query("positions", [("holder", "kgid:actor/russia"), ("kind", "")])
    assert "BIND(<https://w3id.org/kg/id/actor/russia> AS ?holder)" in text and "AS ?kind)" not in text
    nasty = bound_query("positions", [("holder", 'x" } ; DROP ALL ; #')])
    assert 'BIND("x\\" } ; DROP ALL ; #" AS ?holder)' in nasty
    with pytest.raises(Refusal, match="positions has no parameter 'nobody'"):
        bound_query("positions", [("nobody", "x")])
    with pytest.raises(Refusal, match="no named query 'nothing'"):
        bound_query("nothing", [])
    assert 'BIND("<http://x> } DROP ALL>" AS ?holder)' in bound_query("positions", [("holder", "<http://x> } DROP ALL>")])


def test_content_negotiation() -> None:
    rdf = ["text/turtle", "application/n-triples", "application/ld+json"]
    assert negotiate("", rdf) == "text/turtle" and negotiate("*/*", rdf) == "text/turtle"
    assert negotiate("application/ld+json", rdf) == "application/ld+json"
    assert negotiate("application/*;q=0.9, text/turtle;q=0.1", rdf) == "application/n-triples"
    assert negotiate("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ["text/turtle", "text/html"]) == "text/html"
    assert negotiate("text/turtle;q=abc, application/ld+json;q=0.5", rdf) == "text/turtle"


def test_host_header_is_checked_against_dns_rebinding() -> None:
    server = Endpoint(("127.0.0.1", 0), timeout=1, max_bytes=1, allow_remote=False, allowed_hosts=("kg.example",))
    try:
        port = server.server_address[1]
        for good in (f"127.0.0.1:{port}", "localhost", f"LOCALHOST:{port}", "[::1]:80", "kg.example:8080", None):
            assert server.host_allowed(good), good
        for bad in ("evil.example", f"evil.example:{port}", "10.0.0.1", "127.0.0.1.evil.example", "localhost.evil"):
            assert not server.host_allowed(bad), bad
        assert server.request_queue_size == 64
    finally:
        server.server_close()


def test_stale_stores_of_killed_servers_are_removed(tmp_path: Path) -> None:
    dead, alive, foreign = tmp_path / "kg-serve-dead", tmp_path / "kg-serve-alive", tmp_path / "kg-serve-nolock"
    for folder in (dead, alive, foreign):
        (folder / "store").mkdir(parents=True)
    (dead / "lock").touch()
    held = os.open(alive / "lock", os.O_CREAT | os.O_RDWR)
    fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        assert remove_stale_stores(tmp_path) == [dead]
        assert not dead.exists() and alive.exists() and foreign.exists()
    finally:
        os.close(held)
    assert remove_stale_stores(tmp_path) == [alive]


def test_listing_gives_parameter_names() -> None:
    from kg.serve import query_listing

    listing = {q["name"]: q for q in json.loads(json.dumps(query_listing()))}
    assert listing["positions"]["param_names"][:2] == ["holder", "kind"]


def test_listening_beyond_this_machine_is_warned_about() -> None:
    assert exposure_warning("127.0.0.1") is None and exposure_warning("::1") is None and exposure_warning("localhost") is None
    for host in ("0.0.0.0", "::", "192.0.2.7"):
        assert exposure_warning(host).startswith(f"kg serve: warning: listening on {host}, so other machines can query")
