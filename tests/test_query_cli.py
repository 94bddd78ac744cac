"""kg query: library, files, inline SPARQL, parameters, output formats, refusals, syntax errors, time limits."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys

import pytest

from kg.cli import main
from kg.library import named_queries

pytestmark = pytest.mark.slow  # kg query runs each query in a worker process (spawned) with its time limit

ART = "https://w3id.org/kg/id/article/000_0e22b9a82a6b1fdf/"
US_DEMAND = ["positions", "-p", "holder=kgid:actor/united-states", "-p", "kind=kg:Demand"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["query", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_list_shows_every_named_query_with_its_description(capsys):
    status, out, _ = run(capsys, "--list")
    assert status == 0
    lines = out.splitlines()
    assert len(lines) == len(named_queries())
    assert any(line.startswith("conflicts ") and "CQ7 Pairs of positions that conflict" in line for line in lines)
    assert any(line.startswith("depends-on ") and "kg:dependsOn+" in line for line in lines)


@pytest.mark.parametrize("store", ["rdflib", "oxigraph"])
def test_named_query_with_parameters_as_csv(capsys, store):
    status, out, err = run(capsys, *US_DEMAND, "--engine", store, "-f", "csv")
    assert (status, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["position"], r["addressee"], r["firmness"], r["status"]) for r in rows] == [
        (ART + "us-demands-peace-agreement", "https://w3id.org/kg/id/actor/ukraine", "ultimatum", "reported")]
    assert out.endswith("\r\n")


def test_tsv_uses_rdf_term_syntax(capsys):
    status, out, _ = run(capsys, "quantities", "-f", "tsv")
    header, *rows = out.splitlines()
    assert header.split("\t") == ["?statement", "?label", "?property", "?value", "?unit"]
    assert f"<{ART}us-offers-15-year-guarantee>\t\"US offers a 15-year guarantee\"@en\t" \
           "<https://w3id.org/kg/ontology#duration>\t15\t<http://qudt.org/vocab/unit/YR>" in rows


def test_json_is_the_sparql_results_format(capsys):
    status, out, _ = run(capsys, *US_DEMAND, "-f", "json")
    doc = json.loads(out)
    assert doc["head"]["vars"] == ["position", "kind", "label", "holder", "addressee", "content", "firmness", "status"]
    [binding] = doc["results"]["bindings"]
    assert binding["position"] == {"type": "uri", "value": ART + "us-demands-peace-agreement"}
    assert binding["firmness"] == {"type": "literal", "value": "ultimatum", "xml:lang": "en"}
    status, out, _ = run(capsys, "ASK { ?s a <https://w3id.org/kg/ontology#Conflict> }", "-f", "json")
    assert json.loads(out) == {"head": {}, "boolean": True}


def test_markdown_and_table_shorten_iris(capsys):
    _, out, _ = run(capsys, *US_DEMAND, "-f", "markdown")
    assert out.splitlines()[0] == "| position | kind | label | holder | addressee | content | firmness | status |"
    assert out.splitlines()[2].startswith("| kgid:article/000_0e22b9a82a6b1fdf/us-demands-peace-agreement | kg:Demand |")
    _, out, _ = run(capsys, "depends-on", "-p", f"node=<{ART}us-offers-security-guarantees>", "-f", "table")
    header, rule, *rows = out.splitlines()
    assert header.split() == ["node", "condition", "kind", "label", "direct"]
    assert rule.startswith("-----") and rows[0].index("kgid:article") == 0
    assert [row.split()[1].rsplit("/", 1)[1] for row in rows] == [
        "deal-may-require-donbas-withdrawal", "signed-settlement", "territorial-referendum", "territorial-status"]
    assert [row.split()[-1] for row in rows] == ["false", "true", "false", "false"]
    assert len({row.index("kg:") for row in rows}) == 1  # aligned columns


def test_table_is_the_default_on_a_terminal_only():
    code = "import sys; from kg.cli import main; sys.exit(main(['query', 'conflicts', '--timeout', '0']))"
    piped = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert piped.stdout.splitlines()[0] == "position,positionLabel,other,otherLabel,conflict,conflictLabel"
    leader, follower = pty.openpty()
    try:
        subprocess.run([sys.executable, "-c", code], stdout=follower, stderr=subprocess.PIPE, check=True)
        os.close(follower)
        out = b""
        while chunk := os.read(leader, 65536) if out.count(b"\n") < 5 else b"":
            out += chunk
    finally:
        os.close(leader)
    assert out.decode().splitlines()[0].split() == ["position", "positionLabel", "other", "otherLabel", "conflict", "conflictLabel"]


def test_rq_file_and_inline_query(capsys, tmp_path):
    path = tmp_path / "mine.rq"
    path.write_text("PREFIX kg: <https://w3id.org/kg/ontology#>\nSELECT ?c WHERE { ?c a kg:Conflict } ORDER BY ?c\n", encoding="utf-8")
    status, out, _ = run(capsys, str(path), "-f", "csv")
    assert status == 0 and out.splitlines()[1] == ART + "conflict-donbas-vs-territorial-status"
    status, out, _ = run(capsys, "SELECT (COUNT(*) AS ?n) WHERE { ?a <https://w3id.org/kg/ontology#dependsOn> ?b }", "-f", "csv")
    assert out.splitlines() == ["n", "5"]
    status, _, err = run(capsys, str(tmp_path / "missing.rq"))
    assert status == 2 and "no query file" in err


def test_injection_through_a_parameter_matches_nothing(capsys):
    status, out, _ = run(capsys, "positions", "-p", 'holder=x" } ; DROP ALL ; #', "-f", "csv")
    assert (status, out.splitlines()) == (0, ["position,kind,label,holder,addressee,content,firmness,status"])
    status, out, _ = run(capsys, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "-f", "csv")
    assert int(out.splitlines()[1]) > 1000


def test_typed_literal_parameter(capsys):
    query = "PREFIX qudt: <http://qudt.org/schema/qudt/>\nSELECT ?q ?v WHERE { ?q qudt:numericValue ?v }"
    status, out, _ = run(capsys, query, "-p", 'v="15"^^xsd:integer', "-f", "csv")
    assert out.splitlines() == ["q,v", ART + "us-offers-15-year-guarantee/duration,15"]


def test_update_is_refused_with_status_1(capsys):
    status, out, err = run(capsys, "DELETE WHERE { ?s ?p ?o }")
    assert (status, out) == (1, "")
    assert err.startswith("refused: this is a SPARQL update (DELETE WHERE); kg queries are read-only")


def test_service_is_refused_unless_allowed(capsys):
    status, _, err = run(capsys, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert status == 1
    assert "refused: SERVICE <http://127.0.0.1:9/sparql> would send the query to another endpoint" in err
    assert "--allow-remote" in err


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("query, message", [
    ("SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(?o = ) }", "syntax error at line 3, column 18: unexpected end of query"),
    ("SELECT * WHERE {\n  ?s ex:p ?o }", "syntax error at line 2, column 6: undeclared prefix ex: (add PREFIX ex: <...>"),
    ("SELECT * WHERE {\n  ?s ?p ?o\n  BIND(1 AS ?o) }", "syntax error at line 3, column 13: ?o is already bound before this BIND"),
    ("SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "syntax error at line 1, column 46: The SELECT contains a variable that is unbound"),
    ("# Empty", "syntax error at line 1, column 8: empty query"),
    ("SELECT * WHERE " + "{" * 3000 + "}" * 3000, "query too large: nested deeper than 16 levels at line 1, column 32"),
])
def test_syntax_errors_and_limits_have_status_2_on_both_engines(capsys, engine, query, message):
    status, out, err = run(capsys, query, "--engine", engine)
    assert (status, out) == (2, "")
    assert err.startswith(f"kg query: {message}")


def test_predeclared_prefixes_and_stable_star_columns(capsys):
    for engine in ("rdflib", "oxigraph"):
        status, out, _ = run(capsys, "SELECT * WHERE { ?zeta kg:holder ?alpha ; rdfs:label ?label } ORDER BY ?zeta LIMIT 1",
                             "--engine", engine, "-f", "csv")
        assert status == 0 and out.splitlines()[0] == "zeta,alpha,label"


def test_store_path_loads_once_and_reopens(capsys, tmp_path):
    folder = tmp_path / "store"
    for _ in range(2):
        status, out, _ = run(capsys, "SELECT (COUNT(*) AS ?n) WHERE { ?a kg:dependsOn ?b }", "--store-path", str(folder), "-f", "csv")
        assert (status, out.splitlines()) == (0, ["n", "5"])
    stamp = (folder / "kg-store.json").read_text(encoding="utf-8")
    assert '"sha256"' in stamp and "kg.trig" in stamp


@pytest.mark.parametrize("store", ["rdflib", "oxigraph"])
def test_timeout_stops_a_runaway_query(capsys, store):
    status, out, err = run(capsys, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
                           "--timeout", "1", "--engine", store)
    assert (status, out) == (1, "")
    assert err.strip() == "query stopped after 1 s (--timeout); raise --timeout or narrow the query"


@pytest.mark.parametrize("argv, message", [
    (["nope"], "no named query 'nope'; kg query --list shows the library"),
    (["actors", "-p", "holder"], "--param 'holder': write NAME=VALUE"),
    (["positions", "-p", "actor=Russia"], "--param actor: the query has no ?actor (its parameters: holder, kind)"),
    (["CONSTRUCT WHERE { ?s ?p ?o }", "-f", "csv"], "--format csv does not fit a CONSTRUCT query (graphs: turtle, ntriples, jsonld"),
    ([], "give a query"),
])
def test_usage_errors_have_status_2(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert message in err
