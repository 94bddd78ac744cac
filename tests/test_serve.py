"""kg serve: a real SPARQL client against the guarded endpoint; refusals, time limit, cap, page, clean stop."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from SPARQLWrapper import JSON, XML, SPARQLWrapper
from test_remote import ARTICLE, ARTICLE_GRAPH, graph_names, same_answers, snapshot  # noqa: F401 (snapshot is a fixture)

import kg
from kg.cli import main
from kg.library import named_queries
from kg.remote import PushError, push

pytestmark = pytest.mark.slow  # starts servers, processes or a browser

HOLDER = f"""PREFIX kg: <https://w3id.org/kg/ontology#>
SELECT ?holder WHERE {{ <{ARTICLE}russia-demands-donbas> kg:holder ?holder }}"""
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def children(parent: int | None, marker: bytes) -> set[int]:
    """Processes whose parent is ``parent`` (any if None) and whose command line contains ``marker``."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if parent in (None, ppid) and marker in (entry / "cmdline").read_bytes():
                found.add(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


class Served:
    """A running ``kg serve`` subprocess and its base URL."""

    def __init__(self, dataset: Path, *options: str) -> None:
        self.dataset = dataset
        self.process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--port", "0", "--dataset", str(dataset),
                                         *options], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
        self.banner = ""
        deadline = time.monotonic() + 60
        while "Ctrl-C stops" not in self.banner:
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise AssertionError(f"kg serve did not start: {self.banner}")
            if select.select([self.process.stdout], [], [], 0.5)[0]:
                self.banner += os.read(self.process.stdout.fileno(), 4096).decode()
        self.url = self.banner.split("SPARQL endpoint: ")[1].split("/query")[0]
        self.port = int(self.url.rsplit(":", 1)[1])

    def workers(self) -> set[int]:
        """The process ids of the query workers (children of kg serve started by multiprocessing)."""
        return children(self.process.pid, b"spawn_main")

    def store(self) -> bytes:
        """The temporary store folder of this server (the folder of the lock file it holds open)."""
        for fd in Path(f"/proc/{self.process.pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if "/kg-serve-" in target and target.endswith("/lock"):
                    return str(Path(target).parent / "store").encode()
        raise AssertionError("kg serve holds no lock file of a temporary store")

    def stop(self, signum: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        return self.process.returncode


def alive(pids: set[int]) -> set[int]:
    """The processes of ``pids`` that still run (an exited orphan may linger as a zombie until it is reaped)."""
    found = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                found.add(pid)
    return found


def inet_sockets(pid: int) -> dict[int, tuple[int, str]]:
    """The TCP sockets a process holds open: inode -> (local port, state in hex, 0A = listening)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(int(target[8:-1]))
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[9]) in inodes:
                found[int(fields[9])] = (int(fields[1].rsplit(":", 1)[1], 16), fields[3])
    return found


@pytest.fixture(scope="module")
def served(snapshot: Path) -> Iterator[Served]:  # noqa: F811
    server = Served(snapshot, "--timeout", "2", "--workers", "2")
    try:
        yield server
    finally:
        server.stop()


def request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None
            ) -> tuple[int, str, str]:
    """Status, content type and text of a plain HTTP request."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data, headers or {}, method=method), timeout=30) as r:
            return r.status, r.headers["Content-Type"], r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode()


def form(query: str) -> bytes:
    return urllib.parse.urlencode({"query": query}).encode()


def test_sparqlwrapper_gets_the_expected_bindings(served: Served) -> None:
    client = SPARQLWrapper(f"{served.url}/query")
    client.setQuery(HOLDER)
    client.setReturnFormat(JSON)
    for method in ("GET", "POST"):
        client.setMethod(method)
        bindings = client.query().convert()["results"]["bindings"]
        assert bindings == [{"holder": {"type": "uri", "value": "https://w3id.org/kg/id/actor/russia"}}]
    client.setReturnFormat(XML)
    xml = client.query().convert()
    assert [u.firstChild.data for u in xml.getElementsByTagName("uri")] == ["https://w3id.org/kg/id/actor/russia"]


def test_protocol_content_types_and_named_graphs(served: Served) -> None:
    status, ctype, text = request(f"{served.url}/query", HOLDER.encode(),
                                  {"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert (status, ctype, text) == (200, "text/csv; charset=utf-8", "holder\r\nhttps://w3id.org/kg/id/actor/russia\r\n")
    status, ctype, text = request(f"{served.url}/query?" + urllib.parse.urlencode({"query": HOLDER}),
                                  headers={"Accept": "text/tab-separated-values"})
    assert text == "?holder\n<https://w3id.org/kg/id/actor/russia>\n"
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    status, _, text = request(f"{served.url}/query", form(graphs), {"Accept": "application/sparql-results+json"})
    served_graphs = [b["g"]["value"] for b in json.loads(text)["results"]["bindings"]]
    assert served_graphs == sorted(graph_names(served.dataset) | {"https://w3id.org/kg/graph/void"})  # the dataset's, and VoID
    assert {ARTICLE_GRAPH, "https://w3id.org/kg/graph/entities", "https://w3id.org/kg/graph/ontology"} <= set(served_graphs)
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ARTICLE_GRAPH}> {{ ?s ?p ?o }} }} LIMIT 1"
    status, ctype, text = request(f"{served.url}/query", form(construct), {"Accept": "application/n-triples"})
    assert status == 200 and ctype.startswith("application/n-triples") and text.count(" .\n") == 1


@pytest.mark.parametrize(("data", "headers", "path", "message"), [
    (b"INSERT DATA { <http://a> <http://b> <http://c> }", {"Content-Type": "application/sparql-update"}, "/query",
     "refused: a SPARQL update; this endpoint is read-only"),
    (form("INSERT DATA { <http://a> <http://b> <http://c> }"), {}, "/query",
     "refused: this is a SPARQL update (INSERT DATA); kg queries are read-only"),
    (urllib.parse.urlencode({"update": "CLEAR ALL"}).encode(), {}, "/update", "refused: this endpoint is read-only"),
    (form("LOAD <http://example.org/data.ttl>"), {}, "/query", "refused: this is a SPARQL update (LOAD)"),
    (form("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"), {}, "/query",
     "refused: SERVICE <http://example.org/sparql> would send the query to another endpoint (fix: pass --allow-remote"),
    (form("SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }"), {}, "/query",
     "refused: FROM <http://example.org/data.ttl> would make the engine fetch that IRI"),
])
def test_updates_service_and_load_are_refused(served: Served, data: bytes, headers: dict[str, str], path: str,
                                              message: str) -> None:
    status, ctype, text = request(served.url + path, data, headers)
    assert (status, ctype) == (403, "text/plain; charset=utf-8")
    assert text.startswith(message)
    assert request(f"{served.url}/query", form(HOLDER), {"Accept": "text/csv"})[2].endswith("actor/russia\r\n")


def test_syntax_error_says_where(served: Served) -> None:
    status, _, text = request(f"{served.url}/query", form("SELECT * WHERE {\n  ?s ?p }"))
    assert status == 400 and text.startswith("syntax error at line 2, column 10")
    assert request(f"{served.url}/query", b"SELECT * {}", {"Content-Type": "text/plain"})[0] == 415
    assert request(f"{served.url}/query?default-graph-uri=x")[0] == 400


def test_runaway_query_is_killed_at_the_limit_and_the_next_query_is_answered(served: Served) -> None:
    before = served.workers()
    assert len(before) == 2
    began = time.monotonic()
    status, _, text = request(f"{served.url}/query", form(CROSS_PRODUCT))
    elapsed = time.monotonic() - began
    assert status == 503 and text.startswith("query stopped after 2 s (--timeout)")
    assert 2 <= elapsed < 5
    began = time.monotonic()
    status, _, text = request(f"{served.url}/query", form(HOLDER), {"Accept": "text/csv"})
    assert (status, text) == (200, "holder\r\nhttps://w3id.org/kg/id/actor/russia\r\n")
    assert time.monotonic() - began < 1.5
    deadline = time.monotonic() + 10
    while len(served.workers()) != 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    after = served.workers()
    assert len(after) == 2 and len(before - after) == 1  # the busy worker was killed, a fresh one replaced it


def test_every_named_query_answers_identically_through_kg_serve(served: Served, snapshot: Path) -> None:  # noqa: F811
    remote = kg.connect(f"{served.url}/query")
    compared = same_answers(remote, kg.load(snapshot), kg.load(snapshot, engine="oxigraph"))
    assert {f"{name}()" for name in named_queries()} <= set(compared)
    assert [p.iri for p in remote.positions(actor="the Kremlin", kind="Demand")] == [ARTICLE + "russia-demands-donbas"]


def test_page_serves_yasgui_and_the_named_queries(served: Served) -> None:
    status, ctype, page = request(f"{served.url}/")
    assert status == 200 and ctype == "text/html; charset=utf-8"
    assert '<script src="/yasgui.min.js"></script>' in page and 'window.location.origin + "/query"' in page
    status, ctype, script = request(f"{served.url}/yasgui.min.js")
    assert status == 200 and "javascript" in ctype and "Yasgui" in script
    status, ctype, listing = request(f"{served.url}/queries")
    queries = {q["name"]: q for q in json.loads(listing)}
    assert set(queries) == set(named_queries())
    conflicts = queries["conflicts"]
    assert conflicts["sparql"] == named_queries()["conflicts"].sparql
    opened = urllib.parse.parse_qs(conflicts["page"].removeprefix("/#"))
    assert opened == {"query": [conflicts["sparql"]], "tabTitle": ["conflicts"]}


def test_store_is_read_only_and_a_push_to_it_is_refused(served: Served, snapshot: Path) -> None:  # noqa: F811
    with pytest.raises(PushError) as caught:
        push(f"{served.url}/store", snapshot)
    assert caught.value.report.sent == [] and caught.value.report.not_sent == sorted(graph_names(snapshot))
    assert "answered HTTP 403 Forbidden: refused: this endpoint is read-only" in str(caught.value)
    status, ctype, text = request(f"{served.url}/store?" + urllib.parse.urlencode({"graph": "https://w3id.org/kg/graph/entities"}),
                                  headers={"Accept": "application/n-triples"})
    assert status == 200 and "<https://w3id.org/kg/id/actor/russia>" in text


def test_answers_over_the_cap_are_refused(snapshot: Path) -> None:  # noqa: F811
    server = Served(snapshot, "--max-bytes", "5000")
    try:
        status, _, text = request(f"{server.url}/query", form("SELECT * WHERE { ?s ?p ?o }"))
        assert status == 403 and text.startswith("the answer is larger than 5000 bytes, the cap of this endpoint (fix: add LIMIT")
        status, _, text = request(f"{server.url}/query", form(HOLDER), {"Accept": "text/csv"})
        assert (status, text) == (200, "holder\r\nhttps://w3id.org/kg/id/actor/russia\r\n")
        store, workers = server.store(), server.workers()
        assert len(workers) == 2  # the worker that refused the answer is still there: it was not killed for it
    finally:
        server.stop()
    assert alive(workers) == set() and not Path(store.decode()).exists()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stops_cleanly_and_leaves_no_process(snapshot: Path, signum: int) -> None:  # noqa: F811
    server = Served(snapshot)
    workers, store = server.workers(), server.store()
    assert len(workers) == 2 and server.banner.startswith(f"SPARQL endpoint: http://127.0.0.1:{server.port}/query\n"
                                                          f"in a browser:    http://127.0.0.1:{server.port}/\n")
    assert server.stop(signum) == 0
    assert alive(workers) == set() and not Path(store.decode()).exists()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2)


def test_workers_die_with_a_killed_server_even_replaced_ones(snapshot: Path) -> None:  # noqa: F811
    """SIGKILL cannot be caught: the workers go because they watch their parent (kg.workers._orphaned)."""
    server = Served(snapshot, "--timeout", "1")
    try:
        first = server.workers()
        assert request(f"{server.url}/query", form(CROSS_PRODUCT))[0] == 503  # one worker killed and replaced
        deadline = time.monotonic() + 10
        while (len(server.workers()) != 2 or server.workers() == first) and time.monotonic() < deadline:
            time.sleep(0.1)
        workers = server.workers()
        assert len(workers) == 2 and workers != first
    finally:
        server.stop(signal.SIGKILL)
    deadline = time.monotonic() + 15  # a worker checks its parent every 0.5 s, once it has started (slow on a busy machine)
    while alive(workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive(workers) == set()


def test_no_port_is_open_but_the_endpoints_own(served: Served) -> None:
    """The workers talk over pipes: only kg serve itself listens, on its port, and no worker holds any TCP socket."""
    assert request(f"{served.url}/query", form(HOLDER), {"Accept": "text/csv"})[0] == 200
    workers = served.workers()
    assert len(workers) == 2
    listening = {port for port, state in inet_sockets(served.process.pid).values() if state == "0A"}
    assert listening == {served.port}
    assert {pid: inet_sockets(pid) for pid in workers} == {pid: {} for pid in workers}


def test_busy_port_is_a_clear_error(snapshot: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port), "--dataset", str(snapshot)]) == 1
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use (fix: choose another port" in capsys.readouterr().err
    assert children(os.getpid(), b"oxigraph") == set()


def test_missing_dataset_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--dataset", str(tmp_path / "missing.trig")]) == 1
    assert capsys.readouterr().err == (f"kg: no built dataset at {tmp_path / 'missing.trig'}: "
                                       "run 'kg build' first (in the corpus folder, or with --corpus DIR)\n")


def test_kg_query_endpoint(served: Served, snapshot: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    argv = ["query", "positions", "--param", "holder=kgid:actor/russia", "--format", "csv"]
    assert main([*argv, "--endpoint", f"{served.url}/query"]) == 0
    remote = capsys.readouterr().out
    assert main([*argv, "--dataset", str(snapshot)]) == 0
    assert remote == capsys.readouterr().out and "russia-demands-donbas" in remote
    construct = "CONSTRUCT { ?d kg:holder ?h } WHERE { ?d a kg:Demand ; kg:holder ?h }"
    for source in (["--endpoint", f"{served.url}/query"], ["--dataset", str(snapshot), "--engine", "oxigraph"]):
        assert main(["query", "PREFIX kg: <https://w3id.org/kg/ontology#>\n" + construct, "-f", "ntriples", *source]) == 0
        assert f"<{ARTICLE}russia-demands-donbas> <https://w3id.org/kg/ontology#holder> <https://w3id.org/kg/id/actor/russia> .\n" \
            in capsys.readouterr().out
    assert main([*argv, "--endpoint", f"{served.url}/nothing"]) == 1
    assert capsys.readouterr().err.startswith(f"kg: {served.url}/nothing answered HTTP 404 Not Found: no /nothing here")


# --- a standard endpoint: service description, VoID, CORS, prefixes, IRIs, the page -----------------

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RUSSIA = "https://w3id.org/kg/id/actor/russia"


def graph_counts(url: str) -> dict[str, int]:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    text = request(f"{url}/query", form(query), {"Accept": "application/sparql-results+json"})[2]
    return {b["g"]["value"]: int(b["n"]["value"]) for b in json.loads(text)["results"]["bindings"]}


def test_service_description(served: Served) -> None:
    status, ctype, text = request(f"{served.url}/query")
    assert (status, ctype) == (200, "text/turtle; charset=utf-8")
    sd = Graph().parse(data=text, format="turtle")
    service = URIRef(f"{served.url}/query")
    assert (service, RDF.type, URIRef(SD + "Service")) in sd and (service, URIRef(SD + "endpoint"), service) in sd
    assert {URIRef(SD + "SPARQL11Query"), URIRef(SD + "SPARQL10Query")} == set(sd.objects(service, URIRef(SD + "supportedLanguage")))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in set(sd.objects(service, URIRef(SD + "resultFormat")))
    dataset = sd.value(service, URIRef(SD + "defaultDataset"))
    names = {sd.value(g, URIRef(SD + "name")): int(sd.value(sd.value(g, URIRef(SD + "graph")), URIRef(VOID + "triples")))
             for g in sd.objects(dataset, URIRef(SD + "namedGraph"))}
    assert {str(k): v for k, v in names.items() if not k.endswith("/void")} == {
        k: v for k, v in graph_counts(served.url).items() if not k.endswith("/void")}
    status, ctype, text = request(f"{served.url}/query", headers={"Accept": "application/ld+json"})
    assert ctype.startswith("application/ld+json") and len(Graph().parse(data=text, format="json-ld")) == len(sd)


def test_void_description_at_well_known_and_in_the_data(served: Served) -> None:
    status, ctype, text = request(f"{served.url}/.well-known/void")
    assert (status, ctype) == (200, "text/turtle; charset=utf-8")
    void = Graph().parse(data=text, format="turtle")
    dataset = URIRef("https://w3id.org/kg/dataset")
    assert (dataset, RDF.type, URIRef(VOID + "Dataset")) in void
    assert void.value(dataset, URIRef(VOID + "sparqlEndpoint")) == URIRef(f"{served.url}/query")
    assert str(void.value(dataset, URIRef(VOID + "uriSpace"))) == "https://w3id.org/kg/id/"
    vocabularies = {str(v) for v in void.objects(dataset, URIRef(VOID + "vocabulary"))}
    assert {"https://w3id.org/kg/ontology#", "http://www.w3.org/ns/oa#", "http://www.w3.org/ns/prov#"} <= vocabularies
    counts = {str(g): int(void.value(g, URIRef(VOID + "triples"))) for g in void.objects(dataset, URIRef(VOID + "subset"))}
    served_counts = graph_counts(served.url)
    assert counts == {k: v for k, v in served_counts.items() if not k.endswith("/void")}
    assert int(void.value(dataset, URIRef(VOID + "triples"))) == sum(counts.values())
    assert served_counts["https://w3id.org/kg/graph/void"] == len(void)  # the same description, queryable in the data
    ask = f"ASK {{ GRAPH <https://w3id.org/kg/graph/void> {{ <{dataset}> <{VOID}subset> <{ARTICLE_GRAPH}> }} }}"
    assert json.loads(request(f"{served.url}/query", form(ask), {"Accept": "application/sparql-results+json"})[2])["boolean"]


def test_kg_prefixes_are_predeclared(served: Served) -> None:
    query = "SELECT ?h WHERE { ?d a kg:Demand ; kg:holder ?h ; rdfs:label ?l } ORDER BY ?h LIMIT 1"
    status, _, text = request(f"{served.url}/query", form(query), {"Accept": "text/csv"})
    assert (status, text.splitlines()[0]) == (200, "h")
    status, _, text = request(f"{served.url}/query", form("SELECT * WHERE { ?s nope:x ?o }"))
    assert status == 400 and text.startswith("syntax error at line 1, column 21: undeclared prefix nope:")


def test_options_without_cors_is_a_clean_204(served: Served) -> None:
    status, _, _ = request(f"{served.url}/query", method="OPTIONS")
    assert status == 204
    with urllib.request.urlopen(urllib.request.Request(f"{served.url}/query", method="OPTIONS"), timeout=10) as r:
        assert r.headers["Allow"] == "GET, POST, OPTIONS" and r.headers["Access-Control-Allow-Origin"] is None


def test_named_query_with_parameters_bound_by_the_server(served: Served) -> None:
    status, ctype, text = request(f"{served.url}/queries/positions?" + urllib.parse.urlencode({"holder": "kgid:actor/russia"}))
    assert status == 200 and ctype.startswith("application/sparql-query") and f"BIND(<{RUSSIA}> AS ?holder)" in text
    answer = request(f"{served.url}/query", form(text), {"Accept": "text/csv"})[2]
    assert "russia-demands-donbas" in answer and "us-offers-security-guarantees" not in answer
    status, _, text = request(f"{served.url}/queries/positions?nobody=1")
    assert status == 400 and text.startswith("positions has no parameter 'nobody'")


def test_instance_iris_dereference(served: Served) -> None:
    status, ctype, text = request(f"{served.url}/id/actor/russia", headers={"Accept": "text/turtle"})
    assert (status, ctype) == (200, "text/turtle; charset=utf-8")
    graph = Graph().parse(data=text, format="turtle")
    assert (URIRef(RUSSIA), RDFS.label, Literal("Russia", lang="en")) in graph
    assert {s for s in graph.subjects() if s != URIRef(RUSSIA)} <= set(graph.objects(URIRef(RUSSIA), None)) | set(
        graph.predicates(URIRef(RUSSIA), None))  # besides the IRI itself: only labels of its objects and properties
    status, ctype, text = request(f"{served.url}/id/actor/russia", headers={"Accept": "application/ld+json"})
    assert ctype.startswith("application/ld+json") and set(Graph().parse(data=text, format="json-ld")) == set(graph)
    status, ctype, page = request(f"{served.url}/id/actor/russia", headers={"Accept": "text/html,*/*;q=0.8"})
    assert (status, ctype) == (200, "text/html; charset=utf-8")
    assert "<title>Russia</title>" in page and RUSSIA in page and 'href="/id/' in page
    status, _, text = request(f"{served.url}/id/actor/atlantis")
    assert status == 404 and text.startswith("nothing is said about <https://w3id.org/kg/id/actor/atlantis>")
    statement = request(f"{served.url}/{ARTICLE.removeprefix('https://w3id.org/kg/')}russia-demands-donbas?format=nt")
    assert statement[0] == 200 and f"<{ARTICLE}russia-demands-donbas> <https://w3id.org/kg/ontology#holder> <{RUSSIA}> ." in statement[2]


EVIL = '</td><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


@pytest.fixture(scope="module")
def open_server(snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:  # noqa: F811
    """kg serve with --cors and an extra allowed host, over the dataset plus an actor with a hostile label."""
    dataset = tmp_path_factory.mktemp("hostile") / "kg.trig"
    label = EVIL.replace("\\", "\\\\").replace('"', '\\"')
    dataset.write_text(snapshot.read_text(encoding="utf-8") + f'\n<https://w3id.org/kg/graph/entities> {{\n'
                       f'<https://w3id.org/kg/id/actor/evil> <http://www.w3.org/2000/01/rdf-schema#label> "{label}"@en .\n}}\n',
                       encoding="utf-8")
    server = Served(dataset, "--cors", "--allowed-host", "kg.example")
    try:
        yield server
    finally:
        server.stop()


def test_cors_preflight_and_headers(open_server: Served) -> None:
    preflight = urllib.request.Request(f"{open_server.url}/query", method="OPTIONS", headers={
        "Origin": "https://other.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    with urllib.request.urlopen(preflight, timeout=10) as r:
        assert r.status == 204 and r.headers["Access-Control-Allow-Origin"] == "*"
        assert "POST" in r.headers["Access-Control-Allow-Methods"] and "Content-Type" in r.headers["Access-Control-Allow-Headers"]
    query = urllib.request.Request(f"{open_server.url}/query", form(HOLDER), {"Origin": "https://other.example",
                                                                             "Accept": "text/csv"})
    with urllib.request.urlopen(query, timeout=10) as r:
        assert r.headers["Access-Control-Allow-Origin"] == "*" and r.read().decode().endswith("actor/russia\r\n")


def test_entity_page_escapes_hostile_labels(open_server: Served) -> None:
    status, _, page = request(f"{open_server.url}/id/actor/evil", headers={"Accept": "text/html"})
    assert status == 200 and "<script>" not in page and "<img" not in page
    assert "&lt;/td&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page


def raw(port: int, data: bytes) -> bytes:
    """Send raw bytes on a new connection; everything the server answers until it closes (or 5 s pass)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(data)
        answer = b""
        with contextlib.suppress(TimeoutError):
            while chunk := conn.recv(65536):
                answer += chunk
    return answer


def test_host_header_must_name_this_server(open_server: Served) -> None:
    for host, status in (("evil.example", 403), (f"localhost:{open_server.port}", 200), ("kg.example", 200)):
        answer = raw(open_server.port, f"GET /queries HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        assert answer.startswith(f"HTTP/1.1 {status} ".encode()), host
    assert b"is not a name of this server, refused against DNS rebinding (fix: kg serve --allowed-host NAME)" in raw(
        open_server.port, b"GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")


def test_malformed_requests_get_a_400_and_the_server_goes_on(served: Served) -> None:
    answer = raw(served.port, b"GET /store?graph=\xff HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ") and b"not printable ASCII" in answer and b"Traceback" not in answer
    answer = raw(served.port, b"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n"
                              b"Content-Type: application/sparql-query\r\n\r\nASK {}")
    assert answer.startswith(b"HTTP/1.1 400 ") and b"Content-Length 'abc' is not a number of bytes" in answer
    body = HOLDER.encode()
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:20], body[20:])) + b"0\r\n\r\n"
    answer = raw(served.port, b"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
                              b"Content-Type: application/sparql-query\r\nAccept: text/csv\r\n\r\n" + chunked)
    assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"holder\r\nhttps://w3id.org/kg/id/actor/russia\r\n")
    huge = b"%x\r\n" % 2_000_000
    answer = raw(served.port, b"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                              b"Content-Type: application/sparql-query\r\n\r\n" + huge)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert request(f"{served.url}/query", form(HOLDER), {"Accept": "text/csv"})[2].endswith("actor/russia\r\n")


def test_handler_threads_are_bounded(served: Served) -> None:
    idle = [socket.create_connection(("127.0.0.1", served.port), timeout=10) for _ in range(32)]
    try:
        time.sleep(0.5)
        began = time.monotonic()
        answer = raw(served.port, b"GET /queries HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 503 ") and b"the server is busy" in answer
        assert time.monotonic() - began < 5
    finally:
        for conn in idle:
            conn.close()
    time.sleep(0.5)
    assert request(f"{served.url}/query", form(HOLDER), {"Accept": "text/csv"})[2].endswith("actor/russia\r\n")


def test_a_killed_servers_temporary_store_is_removed_at_the_next_start(snapshot: Path) -> None:  # noqa: F811
    server = Served(snapshot)
    folder = Path(server.store().decode()).parent
    server.stop(signal.SIGKILL)
    assert folder.exists() and folder.name.startswith("kg-serve-")
    process = subprocess.run([sys.executable, "-c", "from kg.serve import endpoint\nwith endpoint(" + repr(str(snapshot))
                              + ", port=0): pass"], capture_output=True, text=True, timeout=120)
    assert process.returncode == 0 and not folder.exists()
    assert "kg serve: removed 1 temporary store(s) left by a killed server" in process.stderr


def test_fresh_server_answers_200_distinct_queries_from_8_clients(snapshot: Path) -> None:  # noqa: F811
    server = Served(snapshot, "--timeout", "20")
    demands = "PREFIX kg: <https://w3id.org/kg/ontology#>\nSELECT (COUNT(?d) + {i} AS ?n) WHERE {{ ?d a kg:Demand }}"
    try:
        expected = int(request(f"{server.url}/query", form(demands.format(i=0)), {"Accept": "text/csv"})[2].split()[1])
        server.stop()
        server = Served(snapshot, "--timeout", "20")  # fresh: no query text has been checked yet

        def ask(i: int) -> tuple[int, int, str]:
            status, _, text = request(f"{server.url}/query", form(demands.format(i=i)), {"Accept": "text/csv"})
            return i, status, text

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(ask, range(200)))
        wrong = [(i, status, text[:100]) for i, status, text in answers
                 if not ((status == 200 and text == f"n\r\n{expected + i}\r\n") or status == 503)]
        assert wrong == []
        assert sum(status == 200 for _, status, _ in answers) >= 190
        assert request(f"{server.url}/query", form(HOLDER), {"Accept": "text/csv"})[2].endswith("actor/russia\r\n")
    finally:
        server.stop()


CHROMIUM = Path("/usr/bin/chromium")
EDITOR = "[...document.querySelectorAll('.CodeMirror')].find(e => e.offsetParent !== null).CodeMirror.getValue()"


def test_yasgui_works_offline_with_the_kg_example_and_the_parameter_form(served: Served) -> None:
    """The page with every other host blocked: no console error, the kg example first, a named query's form binds."""
    if not CHROMIUM.exists():
        if os.environ.get("KG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"KG_REQUIRE_BROWSER=1 but {CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    origin = served.url
    blocked, messages = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu",
                                                                         "--disable-background-networking"])
        try:
            page = browser.new_page()

            def route(r: object) -> None:
                if r.request.url.startswith(origin + "/"):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            asked = []
            page.on("request", lambda r: asked.append(r.url))
            page.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
            page.goto(origin + "/")
            page.wait_for_selector("#queries a[title]", timeout=30_000)
            page.wait_for_selector(".CodeMirror", timeout=30_000)
            editor = page.evaluate(EDITOR)
            assert "a kg:Demand" in editor and "Who demands what of whom?" in editor
            page.click(".yasqe .yasqe_queryButton")
            page.wait_for_selector(".yasr table td", timeout=30_000)
            assert "Russia" in page.inner_text(".yasr")
            page.click("#queries a:text-is('positions')")
            page.fill("#params input[name=holder]", "kgid:actor/russia")
            page.click("#params button")
            page.wait_for_function(f"{EDITOR}.includes('AS ?holder)')", timeout=30_000)
            bound = page.evaluate(EDITOR)
            assert "BIND(<https://w3id.org/kg/id/actor/russia> AS ?holder)" in bound
            page.click(".tabPanel.active .CodeMirror")
            page.keyboard.press("Control+Home")
            page.keyboard.type("PREFIX kgi")  # YASGUI would ask prefix.cc for prefixes: here /prefixes answers
            page.keyboard.press("Control+End")
            page.keyboard.type("\n# ?s rdf:ty kg:Dem")  # and Linked Open Vocabularies for terms: not asked at all
            time.sleep(1)
        finally:
            browser.close()
    assert blocked == [] and messages == [] and f"{origin}/prefixes" in asked


def test_every_cookbook_query_gives_the_printed_answer_through_kg_serve(served: Served) -> None:
    """docs/cookbook.md through the endpoint: the same answers as on both embedded engines (test_cookbook.py)."""
    from test_cookbook import recipes, render

    remote = kg.connect(f"{served.url}/query")
    for number, (query, answer) in enumerate(recipes(), start=1):
        assert render(remote.query(query)) == answer, f"query {number} of the cookbook, through kg serve"
