"""kg.connect and kg push against a real Oxigraph server; the client's error messages."""

from __future__ import annotations

import base64
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from rdflib import XSD, Dataset, Literal, URIRef
from rdflib.term import Identifier

import kg
from kg.cli import main
from kg.errors import KgError
from kg.graph import KnowledgeGraph
from kg.library import named_queries
from kg.remote import PushError, RemoteStore, connect, push, with_bindings
from kg.results import QueryResult
from kg.store import built_dataset
from kg.workers import oxigraph_binary

pytestmark = pytest.mark.slow  # starts servers, processes or a browser

ARTICLE = "https://w3id.org/kg/id/article/000_0e22b9a82a6b1fdf/"
ARTICLE_GRAPH = "https://w3id.org/kg/graph/article/000_0e22b9a82a6b1fdf"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")


INTEGER_TYPES = {XSD[t] for t in ("nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger", "long", "int",
                                  "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}


def comparable(result: QueryResult, oxigraph_integers: bool = False, integer_booleans: bool = False
               ) -> tuple[list[str], list[str], bool | None]:
    """Variables, rows in a canonical order (ties that ORDER BY leaves may come in any order), boolean.

    With ``oxigraph_integers``, integer-derived literals (oa:start's xsd:nonNegativeInteger...) become
    xsd:integer, as Oxigraph 0.5 stores them. With ``integer_booleans``, xsd:boolean values become the
    integers 1 and 0, as Virtuoso 7 answers them (it has no boolean type: ``EXISTS {...}`` gives 1 or 0).
    """
    def canonical(term: Identifier) -> Identifier:
        if oxigraph_integers and isinstance(term, Literal) and term.datatype in INTEGER_TYPES:
            return Literal(str(term), datatype=XSD.integer)
        if integer_booleans and isinstance(term, Literal) and term.datatype == XSD.boolean:
            return Literal(int(term.toPython()), datatype=XSD.integer)
        return term
    return result.vars, sorted(repr(sorted((k, canonical(v)) for k, v in row.items())) for row in result.rows), result.boolean


def same_answers(remote: KnowledgeGraph, embedded: KnowledgeGraph, same_engine: KnowledgeGraph,
                 integer_booleans: bool = False) -> list[str]:
    """Run every named query (``remote.named``), unbound and with its parameters bound, on all three; return the queries compared.

    ``remote`` must give the same rows as ``same_engine`` (embedded pyoxigraph) and as ``embedded``
    (rdflib) up to Oxigraph's integer datatypes (and, with ``integer_booleans``, Virtuoso's booleans).
    Parameter values come from the first row of the unbound answer, so the bound
    answer is never empty.
    """
    compared = []
    for name, query in named_queries().items():
        unbound = embedded.query(query.sparql)
        assert unbound.rows, f"{name}: no rows on the seed dataset"
        params = {p: unbound.rows[0][p] for p in query.param_names if p in unbound.rows[0]}
        for bindings in ([{}, params] if params else [{}]):
            label = f"{name}({', '.join(bindings)})"
            expected = embedded.query(query.sparql, **bindings)
            assert expected.rows, f"{label}: no rows"
            answer = remote.named(name, **bindings)
            answer = comparable(answer, integer_booleans=integer_booleans)
            assert answer == comparable(same_engine.query(query.sparql, **bindings), integer_booleans=integer_booleans), label
            assert answer == comparable(expected, oxigraph_integers=True, integer_booleans=integer_booleans), label
            compared.append(label)
    return compared


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built dataset, so that a rebuild during the tests cannot make the two sides differ."""
    path = tmp_path_factory.mktemp("dataset") / "kg.trig"
    shutil.copy(built_dataset(), path)
    return path


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real read-write Oxigraph server on a free loopback port (default graph = union of the named graphs)."""
    port = free_port()
    process = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(tmp_path_factory.mktemp("oxigraph")),
                                "--union-default-graph", "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def pushed(oxigraph: str, snapshot: Path) -> kg.remote.PushReport:
    return push(f"{oxigraph}/store", snapshot)


@pytest.fixture(scope="module")
def embedded(snapshot: Path) -> KnowledgeGraph:
    return kg.load(snapshot)


@pytest.fixture(scope="module")
def remote(oxigraph: str, pushed: kg.remote.PushReport) -> KnowledgeGraph:
    return kg.connect(f"{oxigraph}/query")


def test_push_sends_one_graph_per_article_and_reports_it(pushed: kg.remote.PushReport, snapshot: Path,
                                                         remote: KnowledgeGraph) -> None:
    dataset = Dataset()
    dataset.parse(snapshot, format="trig")
    expected = {str(g.identifier): len(g) for g in dataset.graphs() if len(g) and isinstance(g.identifier, URIRef)}
    assert {iri: triples for iri, triples, _ in pushed.sent} == expected
    assert {ARTICLE_GRAPH, "https://w3id.org/kg/graph/ontology", "https://w3id.org/kg/graph/entities"} <= set(expected)
    assert pushed.not_sent == [] and all(size > 100 for _, _, size in pushed.sent)
    graphs = remote.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert {str(r["g"]): int(r["n"]) for r in graphs.rows} == expected
    assert pushed.lines()[0].startswith(f"replaced {len(expected)} graph(s) on ")


def test_every_named_query_answers_identically_through_connect(remote: KnowledgeGraph, embedded: KnowledgeGraph,
                                                               snapshot: Path) -> None:
    compared = same_answers(remote, embedded, kg.load(snapshot, engine="oxigraph"))
    assert {f"{name}()" for name in named_queries()} <= set(compared)
    assert "positions(holder, kind)" in compared and "depends-on(node)" in compared


# Methods of KnowledgeGraph that run no query of their own: ``dataset`` builds an rdflib Dataset from the
# dataset file, which a remote graph does not have. ``named`` is compared query by query in same_answers.
NOT_HELPERS = {"query", "close", "dataset", "named"}


def outcome(call: Callable[[str], object], argument: str) -> object:
    """What ``call(argument)`` returns, or the message of the KgError it raises (a name of two actors...)."""
    try:
        return call(argument)
    except KgError as exc:
        return f"KgError: {exc}"


def same_helpers(remote: KnowledgeGraph, embedded: KnowledgeGraph) -> set[str]:
    """Call every helper of KnowledgeGraph that runs a query on both graphs, with arguments that cover the dataset
    (every actor by IRI and by each of its names, every statement by IRI or id, every kind and article; the
    evidence of one statement of each kind), assert that the answers are equal and return the helpers compared.
    """
    actors = embedded.actors()
    rows = embedded.named("statements").rows
    statements = {(str(r["statement"]), str(r["id"])) for r in rows}
    nodes = sorted(iri for iri, _ in statements)
    one_of_each_kind = sorted({str(r["kind"]): str(r["statement"]) for r in rows}.values())  # evidence is slow on Virtuoso
    ids = [i for i in sorted({i for _, i in statements}) if sum(i == j for _, j in statements) == 1]  # ids of one statement
    articles = sorted({p.article.rsplit("/", 1)[1] for p in embedded.positions() if p.article})
    kinds = sorted({p.kind for p in embedded.positions()})
    calls: dict[str, Callable[[KnowledgeGraph], object]] = {
        "actors": lambda g: g.actors(),
        "resolve_actor": lambda g: [outcome(g.resolve_actor, name) for a in actors for name in (a.iri, a.label, *a.names)],
        "resolve_node": lambda g: [g.resolve_node(i) for i in ids],
        "positions": lambda g: [g.positions(), *(g.positions(kind=k) for k in kinds),
                                *(g.positions(actor=a.iri) for a in actors), *(g.positions(article=a) for a in articles)],
        "depends_on": lambda g: [(g.depends_on(n), g.depends_on(n, transitive=False)) for n in nodes],
        "dependents": lambda g: [(g.dependents(n), g.dependents(n, transitive=False)) for n in nodes],
        "conflicts": lambda g: [g.conflicts(), *(g.conflicts(a) for a in articles)],
        "evidence": lambda g: [g.evidence(n) for n in one_of_each_kind],  # every row: same_answers("evidence")
        "_repr_html_": lambda g: g._repr_html_().split("</p>", 1)[1],  # the counts (the first line says where the graph is)
    }
    for name, call in calls.items():
        answer = call(remote)
        assert answer and answer == call(embedded), name
    return set(calls)


def test_every_helper_answers_identically_through_connect(remote: KnowledgeGraph, embedded: KnowledgeGraph) -> None:
    methods = {name for name, value in vars(KnowledgeGraph).items()
               if callable(value) and (not name.startswith("_") or name == "_repr_html_")}
    assert same_helpers(remote, embedded) == methods - NOT_HELPERS  # a new helper must be added to same_helpers
    with pytest.raises(KgError, match="no dataset file"):
        remote.dataset()


def test_helpers_work_unchanged_through_connect(remote: KnowledgeGraph, embedded: KnowledgeGraph) -> None:
    assert isinstance(remote.store, RemoteStore)
    demands = remote.positions(actor="the Kremlin", kind="Demand")
    assert [p.iri for p in demands] == [ARTICLE + "russia-demands-donbas"]
    assert demands == embedded.positions(actor="the Kremlin", kind="Demand")
    assert remote.actors() == embedded.actors()
    chain = {d.iri.rsplit("/", 1)[1] for d in remote.depends_on("us-offers-security-guarantees")}
    assert {"signed-settlement", "territorial-status", "deal-may-require-donbas-withdrawal", "territorial-referendum"} <= chain
    assert [d.iri for d in remote.dependents("russia-demands-donbas")] == [ARTICLE + "any-ceasefire"]
    assert remote.conflicts() == embedded.conflicts()
    assert remote.evidence("us-demands-peace-agreement") == embedded.evidence("us-demands-peace-agreement")


def test_bound_values_are_sent_as_escaped_terms(remote: KnowledgeGraph, embedded: KnowledgeGraph) -> None:
    nasty = Literal('x" } ; DROP ALL ; SELECT * { "\n\\', lang="en")
    query = "SELECT ?copy WHERE { BIND(?value AS ?copy) }"
    assert remote.query(query, value=nasty).rows == [{"copy": nasty}] == embedded.query(query, value=nasty).rows
    with pytest.raises(KgError, match="cannot bind"):
        remote.query("SELECT ?s WHERE { ?s ?p ?o }", s=URIRef("http://x> } DROP ALL #"))
    # braces in strings, comments and SELECT expressions do not fool the search for the WHERE group
    text = with_bindings('SELECT ("{" AS ?b) (EXISTS { ?a ?p ?o } AS ?e) # {\nWHERE { ?a ?p ?o }', {"a": URIRef("http://a")})
    assert text.endswith("WHERE { BIND(<http://a> AS ?a)\n ?a ?p ?o }")


def test_push_merge_adds_and_replace_restores(oxigraph: str, snapshot: Path, remote: KnowledgeGraph) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/kg/graph/entities> { ?s ?p ?o } }"
    before = int(remote.query(count).rows[0]["n"])
    extra = snapshot.parent / "extra.nq"
    extra.write_text('<http://example.org/a> <http://example.org/b> "merged" <https://w3id.org/kg/graph/entities> .\n')
    report = push(f"{oxigraph}/store", extra, replace=False)
    assert report.mode == "merge" and report.sent == [("https://w3id.org/kg/graph/entities", 1, 57)]
    assert int(remote.query(count).rows[0]["n"]) == before + 1
    push(f"{oxigraph}/store", snapshot)
    assert int(remote.query(count).rows[0]["n"]) == before


def test_kg_push_command_prints_what_it_sent(oxigraph: str, snapshot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["push", "--endpoint", f"{oxigraph}/store", "--dataset", str(snapshot)]) == 0
    out = capsys.readouterr().out
    assert f"  sent {ARTICLE_GRAPH}: " in out and "triples" in out and "bytes" in out


# --- Virtuoso ------------------------------------------------------------------------------------

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


def virtuoso_ini(folder: Path, sql_port: int, http_port: int) -> Path:
    """A copy of Debian's virtuoso.ini with every file in ``folder`` and its own loopback ports."""
    files = {("Database", "DatabaseFile"): "virtuoso.db", ("Database", "ErrorLogFile"): "virtuoso.log",
             ("Database", "LockFile"): "virtuoso.lck", ("Database", "TransactionFile"): "virtuoso.trx",
             ("Database", "xa_persistent_file"): "virtuoso.pxa", ("TempDatabase", "DatabaseFile"): "virtuoso-temp.db",
             ("TempDatabase", "TransactionFile"): "virtuoso-temp.trx"}
    values = {key: str(folder / name) for key, name in files.items()}
    values |= {("Parameters", "ServerPort"): f"127.0.0.1:{sql_port}", ("HTTPServer", "ServerPort"): f"127.0.0.1:{http_port}",
               ("Parameters", "VADInstallDir"): str(folder),  # no VAD packages to install: starts in seconds
               ("Parameters", "DirsAllowed"): f"., {folder}", ("URIQA", "DefaultHost"): f"127.0.0.1:{http_port}"}
    section, lines = "", []
    for line in VIRTUOSO_INI.read_text(encoding="utf-8").splitlines():
        if header := re.match(r"\[(.+)\]", line):
            section = header.group(1)
        key = re.match(r"(\w+)\s*=", line)
        lines.append(f"{key.group(1)} = {values[section, key.group(1)]}" if key and (section, key.group(1)) in values else line)
    ini = folder / "virtuoso.ini"
    ini.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ini


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Virtuoso 7 (Debian's virtuoso-opensource) with its own database folder, on loopback ports."""
    binary = shutil.which("virtuoso-t")
    if binary is None:
        if os.environ.get("KG_REQUIRE_SERVERS"):
            pytest.fail("virtuoso-t is not installed (fix: apt-get install virtuoso-opensource)")
        pytest.skip("virtuoso-t is not installed (apt-get install virtuoso-opensource)")
    folder = tmp_path_factory.mktemp("virtuoso")
    http_port = free_port()
    ini = virtuoso_ini(folder, free_port(), http_port)
    with (folder / "out.log").open("wb") as log:
        process = subprocess.Popen([binary, "-f", "-c", str(ini)], cwd=folder, stdout=log, stderr=log)
    try:
        url = f"http://127.0.0.1:{http_port}"
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, (folder / "out.log").read_text(errors="replace")[-2000:]
            try:
                if RemoteStore(f"{url}/sparql", timeout=5).select("ASK { ?s ?p ?o }").boolean:
                    break
            except KgError:
                assert time.monotonic() < deadline, "Virtuoso did not come online in 180 s"
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def virtuoso_pushed(virtuoso: str, snapshot: Path) -> kg.remote.PushReport:
    return push(f"{virtuoso}/sparql-graph-crud-auth", snapshot, user="dba", password="dba")


def test_push_to_virtuoso_with_digest_authentication(virtuoso: str, virtuoso_pushed: kg.remote.PushReport,
                                                     snapshot: Path) -> None:
    dataset = Dataset()
    dataset.parse(snapshot, format="trig")
    expected = {str(g.identifier): len(g) for g in dataset.graphs() if len(g) and isinstance(g.identifier, URIRef)}
    assert {iri: triples for iri, triples, _ in virtuoso_pushed.sent} == expected and virtuoso_pushed.not_sent == []
    remote = kg.connect(f"{virtuoso}/sparql")
    counts = remote.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert {str(r["g"]): int(r["n"]) for r in counts.rows if str(r["g"]) in expected} == expected
    with pytest.raises(PushError, match="answered HTTP 401 Unauthorized.*fix: check the user name and password"):
        push(f"{virtuoso}/sparql-graph-crud-auth", snapshot, user="dba", password="wrong")
    with pytest.raises(PushError, match="answered HTTP 401 Unauthorized.*fix: give --user and set KG_PASSWORD"):
        push(f"{virtuoso}/sparql-graph-crud-auth", snapshot)


@pytest.fixture(scope="module")
def on_virtuoso(virtuoso: str, virtuoso_pushed: kg.remote.PushReport) -> KnowledgeGraph:
    return kg.connect(f"{virtuoso}/sparql")


def test_every_named_query_answers_identically_on_virtuoso(on_virtuoso: KnowledgeGraph, embedded: KnowledgeGraph,
                                                           snapshot: Path) -> None:
    compared = same_answers(on_virtuoso, embedded, kg.load(snapshot, engine="oxigraph"), integer_booleans=True)
    assert {f"{name}()" for name in named_queries()} <= set(compared)
    assert {"actors()", "events()", "events(event)", "network-nodes()", "positions(holder, kind)", "depends-on(node)"} <= set(compared)


def test_every_helper_answers_identically_on_virtuoso(on_virtuoso: KnowledgeGraph, embedded: KnowledgeGraph) -> None:
    test_every_helper_answers_identically_through_connect(on_virtuoso, embedded)
    test_helpers_work_unchanged_through_connect(on_virtuoso, embedded)


PREFIXES = """PREFIX kg: <https://w3id.org/kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
# Virtuoso 7.2 bugs met by kg's queries (docs/servers.md), each as a small query that Virtuoso answers wrong
# and the portable form of it that kg's queries use, which every engine answers alike.
VIRTUOSO_BUGS = {
    "a FILTER NOT EXISTS in a group with a BIND before an OPTIONAL is tested against the OPTIONAL's copy of ?actor": (
        """SELECT ?actor ?kind WHERE {
             ?actor a ?kind . ?kind rdfs:subClassOf* kg:Actor .
             FILTER NOT EXISTS { ?actor a ?narrower . ?narrower rdfs:subClassOf ?kind }
             BIND(1 AS ?one) OPTIONAL { ?actor kg:wikidata ?wikidata } }""",
        """SELECT ?actor ?kind WHERE {
             { SELECT ?actor ?kind WHERE { ?actor a ?kind . ?kind rdfs:subClassOf* kg:Actor .
                                          FILTER NOT EXISTS { ?actor a ?narrower . ?narrower rdfs:subClassOf ?kind } } }
             BIND(1 AS ?one) OPTIONAL { ?actor kg:wikidata ?wikidata } }"""),
    "GROUP BY a variable of an OPTIONAL, with a * path, answers no rows": (
        """SELECT ?event ?kind ?place WHERE {
             ?event a ?kind ; kg:evidence ?evidence . ?kind rdfs:subClassOf* kg:Event .
             OPTIONAL { ?event kg:place ?place } } GROUP BY ?event ?kind ?place""",
        """SELECT DISTINCT ?event ?kind ?place WHERE {
             ?event a ?kind . FILTER EXISTS { ?event kg:evidence ?evidence } ?kind rdfs:subClassOf* kg:Event .
             OPTIONAL { ?event kg:place ?place } }"""),
    "DISTINCT leaves duplicates when two OPTIONALs follow a join it must collapse": (
        """SELECT DISTINCT ?event ?place ?participant WHERE {
             ?event a ?kind ; kg:evidence ?evidence .
             OPTIONAL { ?event kg:place ?place . ?place rdfs:label ?placeLabel }
             OPTIONAL { ?event kg:participant ?participant } }""",
        """SELECT DISTINCT ?event ?place ?participant WHERE {
             { SELECT DISTINCT ?event WHERE { ?event a ?kind ; kg:evidence ?evidence } }
             OPTIONAL { ?event kg:place ?place . ?place rdfs:label ?placeLabel }
             OPTIONAL { ?event kg:participant ?participant } }"""),
    "after a UNION, a row that misses one OPTIONAL loses the binding of the next": (
        """SELECT ?node ?article WHERE {
             { ?node a kg:Demand } UNION { ?node a kg:Issue } UNION { ?node a kg:StanceChange }
             OPTIONAL { ?node kg:latestDate ?date } OPTIONAL { ?node prov:wasDerivedFrom ?article } }""",
        """SELECT ?node ?article WHERE {
             { SELECT ?node WHERE { { ?node a kg:Demand } UNION { ?node a kg:Issue } UNION { ?node a kg:StanceChange } } }
             OPTIONAL { ?node kg:latestDate ?date } OPTIONAL { ?node prov:wasDerivedFrom ?article } }"""),
}


@pytest.mark.parametrize("bug", VIRTUOSO_BUGS)
def test_virtuoso_bugs_and_their_portable_forms(bug: str, on_virtuoso: KnowledgeGraph, snapshot: Path) -> None:
    wrong, portable = (PREFIXES + text for text in VIRTUOSO_BUGS[bug])
    reference = kg.load(snapshot, engine="oxigraph")
    assert comparable(on_virtuoso.query(portable)) == comparable(reference.query(portable))
    assert comparable(reference.query(portable)) == comparable(reference.query(wrong))  # the same question
    # The wrong form is not asserted to stay wrong: whether Virtuoso 7.2 gets it wrong depends on its plan, which
    # varies between runs (seen for the GROUP BY case); docs/servers.md keeps the notes.


# --- errors -------------------------------------------------------------------------------------


class FakeServer(ThreadingHTTPServer):
    """A real HTTP server that is not a SPARQL endpoint: answers HTML, hangs, or refuses uploads after some."""

    daemon_threads = True

    def __init__(self, behaviour: str, accept_puts: int = 0) -> None:
        super().__init__(("127.0.0.1", 0), FakeHandler)
        self.behaviour, self.accept_puts = behaviour, accept_puts
        self.authorizations: list[str] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class FakeHandler(BaseHTTPRequestHandler):
    server: FakeServer

    def log_message(self, *args: object) -> None:
        pass

    def reply(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.server.behaviour == "hang":
            time.sleep(3)
        self.reply(200, "text/html", b"<!DOCTYPE html><html><body>Welcome</body></html>")

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self.headers.get("Authorization"):
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="fake"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.server.authorizations.append(self.headers.get("Authorization", ""))
        if len(self.server.authorizations) <= self.server.accept_puts:
            self.reply(204, "text/plain", b"")
        else:
            self.reply(403, "text/plain", b"Forbidden: this account may not write\nmore detail")


def serving(make: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    """Yield a function that starts a local test server made by ``make`` (in a thread); stop them all at the end."""
    servers: list[Any] = []

    def start(*args: Any, **kwargs: Any) -> Any:
        server = make(*args, **kwargs)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


@pytest.fixture
def fake() -> Iterator[Callable[..., FakeServer]]:
    yield from serving(lambda behaviour, accept_puts=0: FakeServer(behaviour, accept_puts))


def test_unreachable_endpoint() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(KgError, match=f"cannot reach the SPARQL endpoint {url}: Connection refused .fix: check the URL"):
        connect(url)
    assert main(["push", "--endpoint", url.replace("query", "store")]) == 1


def test_non_sparql_response(fake: Callable[..., FakeServer]) -> None:
    server = fake("html")
    with pytest.raises(KgError, match=r"did not answer with SPARQL results \(got text/html: b'<!DOCTYPE html>.*give the query endpoint"):
        connect(server.url + "/")


def test_http_error_gives_status_and_first_line(oxigraph: str, pushed: kg.remote.PushReport) -> None:
    with pytest.raises(KgError, match=f"{oxigraph}/nothing answered HTTP 404 Not Found"):
        connect(f"{oxigraph}/nothing")
    with pytest.raises(KgError, match=r"answered HTTP 400 Bad Request: error at 1:\d+"):
        RemoteStore(f"{oxigraph}/query").select("SELECT * WHERE { ?s ?p }")


def test_timeout(fake: Callable[..., FakeServer]) -> None:
    server = fake("hang")
    began = time.monotonic()
    with pytest.raises(KgError, match=r"did not answer within 0.5 s \(fix: raise --timeout"):
        connect(server.url + "/query", timeout=0.5)
    assert time.monotonic() - began < 2.5


def test_empty_default_graph_is_explained(tmp_path: Path, snapshot: Path) -> None:
    port = free_port()
    process = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(tmp_path), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, process)
        with pytest.raises(KgError, match="holds no triples .fix: upload the dataset first"):
            connect(f"http://127.0.0.1:{port}/query")
        push(f"http://127.0.0.1:{port}/store", snapshot)
        with pytest.raises(KgError, match="default graph is empty.*--union-default-graph"):
            connect(f"http://127.0.0.1:{port}/query")
    finally:
        process.kill()
        process.wait()


def graph_names(dataset: Path) -> set[str]:
    """The named graphs of a dataset file."""
    return {q.graph_name.value for q in pyoxigraph.parse(path=str(dataset), format=pyoxigraph.RdfFormat.TRIG)}


def test_refused_upload_is_reported_as_partial(fake: Callable[..., FakeServer], snapshot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server = fake("html", accept_puts=1)
    with pytest.raises(PushError) as caught:
        push(server.url + "/store", snapshot, user="ana", password="s3cret")
    report = caught.value.report
    assert [iri for iri, _, _ in report.sent] == [ARTICLE_GRAPH]
    assert report.not_sent == sorted(graph_names(snapshot) - {ARTICLE_GRAPH})
    assert {"https://w3id.org/kg/graph/entities", "https://w3id.org/kg/graph/ontology"} <= set(report.not_sent)
    message = str(caught.value)
    assert "answered HTTP 403 Forbidden: Forbidden: this account may not write" in message and "more detail" not in message
    assert "NOT sent https://w3id.org/kg/graph/ontology" in message and f"{len(report.not_sent)} graph(s) not sent" in message
    assert base64.b64decode(server.authorizations[0].removeprefix("Basic ")) == b"ana:s3cret"

    server = fake("html", accept_puts=0)
    assert main(["push", "--endpoint", server.url + "/store", "--dataset", str(snapshot), "--token", "t0k"]) == 1
    err = capsys.readouterr().err
    assert "push stopped: " in err and "replaced 0 graph(s)" in err and f"{len(graph_names(snapshot))} graph(s) not sent" in err
    assert server.authorizations == ["Bearer t0k"]


# --- redirects and credentials ---------------------------------------------------------------------


class Capture(ThreadingHTTPServer):
    """A real HTTP server that answers every request with ``status`` (and a Location) and records what it got."""

    daemon_threads = True

    def __init__(self, status: int = 200, location: str = "") -> None:
        super().__init__(("127.0.0.1", 0), CaptureHandler)
        self.status, self.location = status, location
        self.seen: list[tuple[str, str, str, bytes]] = []  # method, path, Authorization, body
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class CaptureHandler(BaseHTTPRequestHandler):
    server: Capture

    def log_message(self, *args: object) -> None:
        pass

    def answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append((self.command, self.path, self.headers.get("Authorization", ""), body))
        if self.server.status == 401 and not self.headers.get("Authorization"):
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="capture"')
            reply = b""
        elif self.server.status != 200:
            self.send_response(self.server.status)
            self.send_header("Location", self.server.location)
            reply = b""
        else:
            self.send_response(200)
            reply = b'{"head": {}, "boolean": true}'
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_GET = do_POST = do_PUT = answer  # noqa: N815


@pytest.fixture
def capture() -> Iterator[Callable[..., Capture]]:
    yield from serving(lambda status=200, location="": Capture(status, location))


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_no_credential_follows_a_redirect_to_another_origin(capture: Callable[..., Capture], code: int, method: str) -> None:
    elsewhere = capture()
    redirector = capture(code, f"{elsewhere.url}/steal")
    body = b"query=ASK%7B%7D" if method == "POST" else None
    with pytest.raises(KgError) as caught:
        kg.remote.http(method, f"{redirector.url}/query", body, {}, 5, kg.remote.Credentials(token="t0k"))
    assert elsewhere.seen == [] and [s[2] for s in redirector.seen] == ["Bearer t0k"]
    assert str(caught.value).startswith(f"kg: {redirector.url}/query redirected (HTTP {code}) to {elsewhere.url}/steal; "
                                        "kg follows only 307/308 redirects within the same server")


def test_same_origin_307_keeps_method_body_and_credentials(capture: Callable[..., Capture]) -> None:
    server = capture()
    redirector = capture(307, "")
    redirector.location = f"{redirector.url}/moved"
    redirector.status = 307
    with pytest.raises(KgError, match="redirected"):  # it redirects forever: followed a few times, then refused
        kg.remote.http("POST", f"{redirector.url}/query", b"query=x", {}, 5, kg.remote.Credentials(token="t0k"))
    assert [(m, p, a, b) for m, p, a, b in redirector.seen][:2] == [("POST", "/query", "Bearer t0k", b"query=x"),
                                                                    ("POST", "/moved", "Bearer t0k", b"query=x")]
    assert len(redirector.seen) == 5 and server.seen == []


@pytest.mark.parametrize("code", [302, 303, 307])
def test_a_redirected_push_fails_and_says_so(capture: Callable[..., Capture], snapshot: Path, code: int,
                                             capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = capture()
    redirector = capture(code, f"{elsewhere.url}/store")
    monkeypatch.setenv("KG_PASSWORD", "s3cret")
    assert main(["push", "--merge", "--endpoint", f"{redirector.url}/store", "--dataset", str(snapshot), "--user", "ana"]) == 1
    err = capsys.readouterr().err
    assert f"redirected (HTTP {code}) to {elsewhere.url}/store" in err and "merged into 0 graph(s)" in err
    assert f"{len(graph_names(snapshot))} graph(s) not sent" in err and elsewhere.seen == []
    assert [(m, a) for m, _, a, _ in redirector.seen] == [("POST", "")]  # no challenge came: no password was sent


def test_passwords_in_urls_are_used_but_never_printed(capture: Callable[..., Capture], snapshot: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    server = capture(401)
    url = server.url.replace("http://", "http://ana:s3cret@") + "/query"
    with pytest.raises(KgError) as caught:
        connect(url)
    assert str(caught.value) == (f"kg: {server.url}/query answered HTTP 401 Unauthorized "
                                 "(fix: check the user name and password, or the token)")
    assert [a for _, _, a, _ in server.seen] == ["", "Basic " + base64.b64encode(b"ana:s3cret").decode()]
    redirector = capture(302, url)  # a Location with a password in it is named without the password
    with pytest.raises(KgError) as caught:
        connect(f"{redirector.url}/query")
    assert f"redirected (HTTP 302) to {server.url.replace('http://', 'http://ana:***@')}/query;" in str(caught.value)
    assert main(["push", "--endpoint", url.replace("query", "store"), "--dataset", str(snapshot)]) == 1
    assert "s3cret" not in capsys.readouterr().err


def test_secrets_on_the_command_line_are_warned_about(capture: Callable[..., Capture], snapshot: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    server = capture(204)
    server.status = 200
    assert main(["push", "--endpoint", f"{server.url}/store", "--dataset", str(snapshot), "--token", "t0k"]) == 0
    err = capsys.readouterr().err
    assert "kg push: warning: --token on the command line shows in ps and in the shell history (better: export KG_TOKEN)" in err
    assert main(["push", "--endpoint", f"{server.url}/store", "--dataset", str(snapshot), "--user", "u", "--password", "p"]) == 0
    assert "--password on the command line shows in ps" in capsys.readouterr().err
