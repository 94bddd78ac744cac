"""kg serve: a real SPARQL client against the guarded endpoint; refusals, time limit, cap, page, clean stop."""

from __future__ import annotations

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
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, XML, SPARQLWrapper
from test_remote import ARTICLE, ARTICLE_GRAPH, same_answers, snapshot  # noqa: F401 (snapshot is a fixture)

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
        """The process ids of the Oxigraph workers (children of kg serve)."""
        return children(self.process.pid, b"serve-read-only")

    def store(self) -> bytes:
        """The temporary store folder of this server's workers, as in their command lines."""
        cmdline = Path(f"/proc/{min(self.workers())}/cmdline").read_bytes().split(b"\0")
        return cmdline[cmdline.index(b"--location") + 1]

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
    assert [b["g"]["value"] for b in json.loads(text)["results"]["bindings"]] == [
        ARTICLE_GRAPH, "https://w3id.org/kg/graph/entities", "https://w3id.org/kg/graph/ontology"]
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
    assert request(f"{served.url}/query")[0] == 400


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
    assert caught.value.report.sent == [] and len(caught.value.report.not_sent) == 3
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
        store = server.store()  # the refused answer's worker was killed and is being replaced as the server stops
    finally:
        server.stop()
    assert children(None, store) == set() and not Path(store.decode()).exists()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stops_cleanly_and_leaves_no_process(snapshot: Path, signum: int) -> None:  # noqa: F811
    server = Served(snapshot)
    workers, store = server.workers(), server.store()
    assert len(workers) == 2 and server.banner.startswith(f"SPARQL endpoint: http://127.0.0.1:{server.port}/query\n"
                                                          f"in a browser:    http://127.0.0.1:{server.port}/\n")
    assert server.stop(signum) == 0
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()] and children(None, store) == set()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2)


def test_workers_die_with_a_killed_server_even_replaced_ones(snapshot: Path) -> None:  # noqa: F811
    """SIGKILL cannot be caught: the workers go because Linux kills them with their parent (PR_SET_PDEATHSIG)."""
    server = Served(snapshot, "--timeout", "1")
    try:
        first = server.workers()
        assert request(f"{server.url}/query", form(CROSS_PRODUCT))[0] == 503  # one worker killed and replaced
        deadline = time.monotonic() + 10
        while (len(server.workers()) != 2 or server.workers() == first) and time.monotonic() < deadline:
            time.sleep(0.1)
        workers, store = server.workers(), server.store()
        assert len(workers) == 2 and workers != first
    finally:
        server.stop(signal.SIGKILL)
    deadline = time.monotonic() + 5
    while children(None, store) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert children(None, store) == set()


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
    assert main([*argv, "--endpoint", f"{served.url}/nothing"]) == 1
    assert capsys.readouterr().err.startswith(f"kg: {served.url}/nothing answered HTTP 404 Not Found: no /nothing here")
