"""``kg serve``: a guarded, read-only SPARQL 1.1 Protocol endpoint over the built dataset, on Oxigraph.

The dataset is bulk-loaded into an on-disk Oxigraph store in a temporary folder (named graphs kept,
the default graph is their union), with a VoID description of it added as the named graph
``https://w3id.org/kg/graph/void``. Queries are answered by worker processes (:class:`kg.workers.WorkerPool`)
that open the store read-only and talk to the server over pipes only, one query at a time each,
returning SPARQL results or RDF serialized by Oxigraph (:class:`EndpointStore`); no worker listens
on a port, so nothing reaches the data around the guard and the time limit. In front of them is a
small HTTP server with a bounded pool of handler threads (Oxigraph's own server cannot guard: its
``--timeout-s`` did not stop a runaway query, and it follows any ``SERVICE`` URL). Every query is
first checked with :func:`kg.querycheck.check_query` (updates refused; ``SERVICE`` and ``FROM <url>``
refused unless ``allow_remote``; kg's prefixes predeclared); a worker still busy at the time limit is
killed and replaced; answers larger than ``max_bytes`` are refused.

What it serves, besides the protocol at ``/query`` (and ``/sparql``):

* ``GET /query`` without a query: a SPARQL 1.1 Service Description (Turtle, or by content negotiation);
* ``/.well-known/void``: the VoID description (triples per named graph, vocabularies, URI space);
* ``/id/...``: every instance IRI ``https://w3id.org/kg/id/...`` dereferences here, as an HTML page
  for browsers and as Turtle, N-Triples, JSON-LD or RDF/XML by content negotiation;
* ``/``: YASGUI (Oxigraph's copy, read once at start from an Oxigraph server over an empty store), working offline, the named queries one
  click away with a form for their parameters; ``/queries`` lists them, ``/queries/NAME?param=value``
  returns one with its parameters bound (as escaped RDF terms); ``/prefixes`` the predeclared prefixes;
* ``OPTIONS`` anywhere (204), and CORS headers with ``cors=True`` (``kg serve --cors``).

Requests whose ``Host`` is not a name of this server are refused (DNS rebinding).

>>> page = index_page()
>>> "/yasgui.min.js" in page and 'fetch("/queries")' in page and 'prefixCcApi: "/prefixes"' in page
True
"""

from __future__ import annotations

import fcntl
import html
import http.client
import ipaddress
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDFS

from kg.errors import KgError
from kg.library import named_queries
from kg.namespaces import BASE, GRAPH, ID, PREFIXES
from kg.querycheck import QueryRefused, QuerySyntaxError, QueryTimeout, QueryTooLarge, prepare_within, with_prefixes
from kg.remote import with_bindings
from kg.results import shorten
from kg.store import built_dataset
from kg.terms import parse_term
from kg.workers import DEFAULT_TIMEOUT, WorkerPool, load_store, oxigraph_binary

DEFAULT_PORT = 7878
DEFAULT_MAX_BYTES = 20_000_000
MAX_REQUEST_BYTES = 1_000_000
ASSET_BYTES = 10_000_000
HANDLERS = 32
"""Requests handled at the same time; more wait in the listen backlog, beyond it they are refused (503)."""
BACKLOG = 64
NO_LIMIT_WAIT = 60.0
"""With no time limit (``--timeout 0``), how long a request waits for a free worker before a 503."""
ASSETS = ("/yasgui.min.js", "/yasgui.min.css", "/logo.svg")
GRAPH_PARAMS = ("default-graph-uri", "named-graph-uri")
READ_ONLY = "this endpoint is read-only (fix: change the data in data/ and run kg build; to fill a server use kg push)"
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "[::1]"}

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
DATASET = URIRef(BASE + "dataset")
VOID_GRAPH = GRAPH["void"]
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
             "application/rdf+xml": "xml"}
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
                  "N-Triples", "RDF_XML", "N-Quads", "TriG")

def checked(sparql: str, allow_remote: bool, timeout: float) -> str:
    """The query to forward: checked within the time limit (:func:`kg.querycheck.prepare_within`, thread-safe),
    with the kg prefixes it uses but does not declare added (the workers run it as it is)."""
    prepare_within(sparql, timeout, allow_remote=allow_remote)
    return with_prefixes(sparql)


def index_page() -> str:
    """The browser page: Oxigraph's YASGUI, pointed at ``/query``, with the named queries above it.

    Query names and texts reach it as JSON and are set with ``textContent``, never as HTML.
    """
    return (resources.files("kg") / "templates" / "endpoint.html").read_text(encoding="utf-8")


def query_listing() -> list[dict[str, Any]]:
    """The named queries, each with a link that opens the YASGUI page with the query filled in.

    >>> [q["page"][:16] for q in query_listing() if q["name"] == "actors"]
    ['/#query=%23%20na']
    """
    return [{"name": q.name, "description": q.description, "params": q.params, "param_names": q.param_names,
             "example": q.example, "sparql": q.sparql,
             "page": "/#" + urllib.parse.urlencode({"query": q.sparql, "tabTitle": q.name}, quote_via=urllib.parse.quote)}
            for q in named_queries().values()]


def bound_query(name: str, values: list[tuple[str, str]]) -> str:
    """A named query with parameters bound: each value read by the rules of ``kg query --param``
    (:func:`kg.terms.parse_term`) and written into the query as an escaped RDF term; empty values stay unbound.

    >>> "BIND(<https://w3id.org/kg/id/actor/russia> AS ?holder)" in bound_query("positions", [("holder", "kgid:actor/russia")])
    True
    """
    query = named_queries().get(name)
    if query is None:
        raise Refusal(404, f"no named query {name!r}: /queries lists them")
    bindings = {}
    for param, value in values:
        if param not in query.param_names:
            raise Refusal(400, f"{name} has no parameter {param!r}; its parameters: {', '.join(query.param_names) or 'none'}")
        if value.strip():
            bindings[param] = parse_term(value.strip())
    try:
        return with_bindings(query.sparql, bindings)
    except KgError as exc:
        raise Refusal(400, str(exc).removeprefix("kg: ")) from None


def negotiate(accept: str, offers: list[str]) -> str:
    """The offered media type the Accept header prefers (the first offer for ``*/*`` or no header).

    >>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8", ["text/turtle", "text/html"])
    'text/html'
    >>> negotiate("application/ld+json;q=0.9, text/turtle;q=0.5", ["text/turtle", "application/ld+json"])
    'application/ld+json'
    """
    ranges = []
    for part in accept.split(","):
        kind, *params = [p.strip().lower() for p in part.split(";")]
        q = next((float(v) for k, _, v in (p.partition("=") for p in params) if k == "q" and _is_number(v)), 1.0)
        if kind:
            ranges.append((kind, q))

    def quality(offer: str) -> float:
        matches = [(kind == offer, kind != "*/*", q) for kind, q in ranges if kind in (offer, offer.split("/")[0] + "/*", "*/*")]
        return max(matches)[2] if matches else (0.0 if ranges else 1.0)

    return max(offers, key=lambda offer: (quality(offer), -offers.index(offer)))


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def describe_dataset(store: ox.Store, endpoint: str) -> Graph:
    """The VoID description of a store: triples per named graph, vocabularies used, URI space, endpoint."""
    void = Graph()
    void.bind("void", VOID)
    void.bind("dct", DCTERMS)
    counts = {str(row["g"].value): int(row["n"].value) for row in
              store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    used = {str(row["t"].value) for row in store.query(
        "SELECT DISTINCT ?t WHERE { { GRAPH ?g { ?s ?t ?o } } UNION { GRAPH ?g { ?s a ?t } } }")}
    vocabularies = sorted({str(ns) for ns in PREFIXES.values() if ns != ID and any(t.startswith(str(ns)) for t in used)})
    void.add((DATASET, RDF.type, VOID.Dataset))
    void.add((DATASET, DCTERMS.title, Literal("kg: actors and their positions in political negotiations", lang="en")))
    void.add((DATASET, VOID.sparqlEndpoint, URIRef(endpoint)))
    void.add((DATASET, VOID.uriSpace, Literal(str(ID))))
    void.add((DATASET, VOID.triples, Literal(sum(counts.values()))))
    for vocabulary in vocabularies:
        void.add((DATASET, VOID.vocabulary, URIRef(vocabulary)))
    for graph, n in sorted(counts.items()):
        void.add((DATASET, VOID.subset, URIRef(graph)))
        void.add((URIRef(graph), RDF.type, VOID.Dataset))
        void.add((URIRef(graph), VOID.triples, Literal(n)))
    return void


def service_description(endpoint: str, void: Graph) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint, with its default dataset and named graphs."""
    sd = Graph()
    sd.bind("sd", SD)
    sd.bind("void", VOID)
    service, dataset, default = URIRef(endpoint), URIRef(endpoint + "#dataset"), URIRef(endpoint + "#default-graph")
    sd.add((service, RDF.type, SD.Service))
    sd.add((service, SD.endpoint, URIRef(endpoint)))
    for language in (SD.SPARQL10Query, SD.SPARQL11Query):
        sd.add((service, SD.supportedLanguage, language))
    for name in RESULT_FORMATS:
        sd.add((service, SD.resultFormat, FORMATS[name]))
    sd.add((service, SD.feature, SD.UnionDefaultGraph))
    sd.add((service, SD.defaultEntailmentRegime, URIRef("http://www.w3.org/ns/entailment/Simple")))
    sd.add((service, SD.defaultDataset, dataset))
    sd.add((dataset, RDF.type, SD.Dataset))
    sd.add((dataset, DCTERMS.source, DATASET))
    sd.add((dataset, SD.defaultGraph, default))
    sd.add((default, RDF.type, SD.Graph))
    sd.add((default, VOID.triples, void.value(DATASET, VOID.triples)))
    for graph in sorted(void.objects(DATASET, VOID.subset)):
        named = URIRef(f"{endpoint}#graph-{graph.removeprefix(str(GRAPH))}")
        sd.add((dataset, SD.namedGraph, named))
        sd.add((named, RDF.type, SD.NamedGraph))
        sd.add((named, SD.name, graph))
        sd.add((named, SD.graph, graph))
        sd.add((graph, RDF.type, SD.Graph))
        sd.add((graph, VOID.triples, void.value(graph, VOID.triples)))
    return sd


def add_void(location: Path, endpoint: str) -> Graph:
    """Describe the on-disk store at ``location`` and add the description to it as the named graph VOID_GRAPH."""
    store = ox.Store(str(location))
    try:
        void = describe_dataset(store, endpoint)
        store.load(void.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
                   to_graph=ox.NamedNode(str(VOID_GRAPH)))
        store.flush()
    finally:
        del store  # closes the database before the read-only workers open it
    return void


def rdf_answer(graph: Graph, accept: str) -> tuple[int, str, bytes]:
    """A graph serialized in the format the client asks for (Turtle by default)."""
    media = negotiate(accept, list(RDF_TYPES))
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    charset = "; charset=utf-8" if media != "application/rdf+xml" else ""
    return 200, media + charset, graph.serialize(format=RDF_TYPES[media], encoding="utf-8")


def entity_page(iri: str, graph: Graph) -> str:
    """An HTML page about one IRI, like Wikidata's entity pages: its label, then every property with its values.

    Every piece of text is escaped; the dataset's own IRIs link to their pages on this server.
    """
    subject = URIRef(iri)

    def label(term: Any) -> str:
        labels = sorted(graph.objects(term, RDFS.label), key=lambda x: (getattr(x, "language", None) != "en", str(x)))
        return str(labels[0]) if labels else shorten(term)

    def show(term: Any) -> str:
        if isinstance(term, URIRef):
            href = "/" + term.removeprefix(BASE) if term.startswith(str(ID)) else str(term)
            text = label(term)
            short = shorten(term)
            suffix = f' <span class="iri">{html.escape(short)}</span>' if text != short else ""
            return f'<a href="{html.escape(href, quote=True)}">{html.escape(text)}</a>{suffix}'
        if isinstance(term, Literal):
            tag = f"@{term.language}" if term.language else (f"^^{shorten(term.datatype)}" if term.datatype else "")
            return f'{html.escape(str(term))} <span class="iri">{html.escape(tag)}</span>'
        return html.escape(str(term))

    rows = []
    for predicate in sorted(set(graph.predicates(subject, None)), key=shorten):
        values = sorted(graph.objects(subject, predicate), key=str)
        cells = "".join(f"<li>{show(v)}</li>" for v in values)
        rows.append(f"<tr><th>{show(predicate)}</th><td><ul>{cells}</ul></td></tr>")
    title = html.escape(label(subject))
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            '<style>body{font:15px sans-serif;margin:2em}th{text-align:left;vertical-align:top;padding-right:2em}'
            'ul{margin:0;padding-left:1em}.iri{color:#777;font-size:85%}</style></head><body>'
            f'<h1>{title}</h1><p class="iri">{html.escape(iri)}</p>'
            f'<p>Also as <a href="?format=ttl">Turtle</a> and <a href="?format=jsonld">JSON-LD</a>; '
            f'<a href="/">query the endpoint</a>.</p><table>{"".join(rows)}</table></body></html>\n')


DESCRIBE = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?iri ?p ?o . ?o rdfs:label ?label . ?p rdfs:label ?plabel }
WHERE { ?iri ?p ?o . OPTIONAL { ?o rdfs:label ?label } OPTIONAL { ?p rdfs:label ?plabel } }"""
FORMAT_PARAMS = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json", "rdf": "application/rdf+xml",
                 "html": "text/html"}


RESULT_TYPES = {"application/sparql-results+json": ox.QueryResultsFormat.JSON, "application/json": ox.QueryResultsFormat.JSON,
                "application/sparql-results+xml": ox.QueryResultsFormat.XML, "application/xml": ox.QueryResultsFormat.XML,
                "text/csv": ox.QueryResultsFormat.CSV, "text/tab-separated-values": ox.QueryResultsFormat.TSV}
GRAPH_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
               "application/ld+json": ox.RdfFormat.JSON_LD, "application/rdf+xml": ox.RdfFormat.RDF_XML,
               "text/plain": ox.RdfFormat.N_TRIPLES}
DATASET_TYPES = {"application/n-quads": ox.RdfFormat.N_QUADS, "application/trig": ox.RdfFormat.TRIG}


class EndpointStore:
    """The store of a worker of ``kg serve``: the on-disk store opened read-only, answers serialized by Oxigraph.

    Its methods run in the worker (:meth:`kg.workers.QueryWorker.call`) and return ``(status, content type,
    bytes)``; an answer over ``cap`` bytes is a 403 without its bytes. Queries reach it checked.
    """

    def __init__(self, location: Path) -> None:
        self.store = ox.Store.read_only(str(location))

    def answer(self, sparql: str, accept: str, default_graphs: list[str], named_graphs: list[str],
               cap: int) -> tuple[int, str, bytes]:
        """Run a checked query (the protocol's default-graph-uri and named-graph-uri, else the union default graph)."""
        options: dict[str, Any] = {"use_default_graph_as_union": not default_graphs}
        if default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        result = self.store.query(sparql, **options)
        if isinstance(result, ox.QueryTriples):
            media = negotiate(accept, list(GRAPH_TYPES))
            return self._capped(media, result.serialize(format=GRAPH_TYPES[media]), cap)
        media = negotiate(accept, list(RESULT_TYPES))
        return self._capped(media, result.serialize(format=RESULT_TYPES[media]), cap)

    def graph(self, name: str | None, accept: str, cap: int) -> tuple[int, str, bytes]:
        """The SPARQL 1.1 Graph Store Protocol's GET: one named graph (``name``), or the whole dataset (None)."""
        if name is None:
            media = negotiate(accept, list(DATASET_TYPES))
            return self._capped(media, self.store.dump(format=DATASET_TYPES[media]), cap)
        media = negotiate(accept, list(GRAPH_TYPES))
        graph = ox.NamedNode(name)
        if not self.store.contains_named_graph(graph):
            return 404, "text/plain; charset=utf-8", f"no graph <{name}> in this dataset\n".encode()
        return self._capped(media, self.store.dump(format=GRAPH_TYPES[media], from_graph=graph), cap)

    @staticmethod
    def _capped(media: str, data: bytes | None, cap: int) -> tuple[int, str, bytes]:
        data = data or b""
        if len(data) > cap:
            return 403, "text/plain; charset=utf-8", (f"the answer is larger than {cap} bytes, the cap of this endpoint "
                                                      "(fix: add LIMIT, select fewer variables, or restart kg serve with "
                                                      "--max-bytes)\n").encode()
        text = media.startswith("text/") or media.endswith(("json", "xml", "triples", "quads", "trig"))
        return 200, media + ("; charset=utf-8" if text and media != "application/rdf+xml" else ""), data


def fetch_assets(binary: str, folder: Path) -> dict[str, tuple[str, bytes]]:
    """The files of Oxigraph's YASGUI page, read once from an Oxigraph server over an empty store, which is then stopped.

    The server holds no data and lives for the few hundred milliseconds of three loopback requests.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    empty = folder / "empty"
    ox.Store(str(empty)).flush()  # an empty store, closed again at once
    server = subprocess.Popen([binary, "serve-read-only", "--location", str(empty), "--bind", f"127.0.0.1:{port}"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assets: dict[str, tuple[str, bytes]] = {}
    try:
        deadline = time.monotonic() + 30
        for path in ASSETS:
            while True:
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                    connection.request("GET", path)
                    response = connection.getresponse()
                    assets[path] = (response.getheader("Content-Type", "application/octet-stream"), response.read(ASSET_BYTES))
                    connection.close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise KgError("the Oxigraph server did not start to hand out the YASGUI page") from None
                    time.sleep(0.02)
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(empty, ignore_errors=True)
    return assets


class Refusal(Exception):
    """A request answered with an error status and a plain-text message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Endpoint(ThreadingHTTPServer):
    """The public HTTP server: checks, has workers answer with a hard time limit, caps, and serves the page."""

    daemon_threads = True
    request_queue_size = BACKLOG

    def __init__(self, address: tuple[str, int], *, timeout: float, max_bytes: int, allow_remote: bool,
                 cors: bool = False, allowed_hosts: tuple[str, ...] = (), handlers: int = HANDLERS) -> None:
        super().__init__(address, Handler)
        self.pool: WorkerPool | None = None
        self.query_timeout, self.max_bytes, self.allow_remote, self.cors = timeout, max_bytes, allow_remote, cors
        self.assets: dict[str, tuple[str, bytes]] = {}
        self.void = Graph()
        self.slots = threading.BoundedSemaphore(handlers)
        host = address[0].lower()
        self.any_address = host in ("", "0.0.0.0", "::")  # noqa: S104 (recognising it, not binding to it)
        self.allowed_hosts = {h.lower() for h in allowed_hosts} | {f"[{host}]" if ":" in host else host}
        if self.any_address:
            self.allowed_hosts |= LOOPBACK_NAMES | {socket.gethostname().lower(), socket.getfqdn().lower()}
        elif _is_loopback(host):
            self.allowed_hosts |= LOOPBACK_NAMES

    def host_allowed(self, header: str | None) -> bool:
        """Whether a Host header names this server (DNS rebinding: a foreign name pointed at us is refused)."""
        if header is None:
            return True  # HTTP/1.0 clients; browsers always send Host
        name = header.strip().lower()
        name = name[: name.index("]") + 1] if name.startswith("[") and "]" in name else name.rsplit(":", 1)[0]
        if name in self.allowed_hosts:
            return True
        return self.any_address and _is_ip(name.strip("[]"))

    def process_request(self, request: Any, client_address: Any) -> None:
        """Handle the connection in a thread if one of the bounded slots is free, else answer 503 at once."""
        if not self.slots.acquire(timeout=1):
            message = b"the server is busy; try again later\n"
            with suppress(OSError):
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(message), message))
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def call(self, method: str, *args: Any) -> tuple[int, str, bytes]:
        """``EndpointStore.method(*args)`` in an idle worker; the worker is killed at the time limit (503) and replaced."""
        assert self.pool is not None
        limit = self.query_timeout or None  # 0: no limit
        worker = self.pool.acquire(limit or NO_LIMIT_WAIT)
        if worker is None:
            raise Refusal(503, "every worker is busy; try again later"
                               + (f" (limit {limit:g} s per query)" if limit else ""))
        try:
            answer = worker.call(limit, method, *args)
        except QueryTimeout as exc:
            self.pool.replace(worker)
            raise Refusal(503, str(exc)) from None
        except KgError as exc:
            self.pool.replace(worker)
            raise Refusal(502, f"the query engine failed: {str(exc).removeprefix('kg: ')}") from None
        except BaseException:
            self.pool.replace(worker)
            raise
        self.pool.release(worker)
        return answer

    def asset(self, path: str) -> tuple[str, bytes]:
        """A file of Oxigraph's YASGUI page (read at start, see :func:`fetch_assets`)."""
        return self.assets[path]

    def construct(self, sparql: str) -> Graph:
        """A CONSTRUCT query of our own, answered by a worker, as an rdflib graph."""
        status, _, data = self.call("answer", sparql, "application/n-triples", [], [], self.max_bytes)
        if status != 200:
            raise Refusal(502, f"the query engine answered HTTP {status}: {data[:200].decode('utf-8', 'replace')}")
        return Graph().parse(data=data.decode("utf-8"), format="nt")


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


GET_PATHS = {"/", "/index.html", "/queries", "/prefixes", "/.well-known/void", *ASSETS}
TARGET = re.compile(r"[\x21-\x7e]+")
DIGITS = re.compile(r"[0-9]+")
ABSOLUTE_IRI = re.compile(r"[a-zA-Z][\w+.-]*:[^<>\"{}|^`\\\s]*")
"""A graph IRI a client may name (``?graph=``, ``default-graph-uri``, ``named-graph-uri``): a scheme, then no
character that IRIs exclude."""


class Handler(BaseHTTPRequestHandler):
    """SPARQL 1.1 Protocol queries at /query (and /sparql, where YASGUI looks), the page at /, IRIs at /id/."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are written separately: do not wait for the client's ACK
    timeout = 60  # an idle or slow client gives its handler slot back after this many seconds
    server: Endpoint

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the name http.server uses)
        """One line per request on stderr, with control characters from the client escaped."""
        sys.stderr.write(f"{self.address_string()} - {format % args}".encode("ascii", "backslashreplace").decode() + "\n")

    def send(self, status: int, content_type: str, data: bytes, headers: dict[str, str] | None = None) -> None:
        """Write a complete response."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.server.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def handle_one(self, method: str) -> None:
        """Route a request; every refusal becomes a plain-text answer with its status."""
        try:
            if not TARGET.fullmatch(self.path):
                self.close_connection = True
                raise Refusal(400, "the request target has bytes that are not printable ASCII (fix: percent-encode them)")
            if not self.server.host_allowed(self.headers.get("Host")):
                raise Refusal(403, f"Host {self.headers['Host']!r} is not a name of this server, refused against "
                                   "DNS rebinding (fix: kg serve --allowed-host NAME)")
            url = urllib.parse.urlsplit(self.path)
            body = self.read_body() if method == "POST" else b""
            self.route(method, url, body)
        except Refusal as refusal:
            self.send(refusal.status, "text/plain; charset=utf-8", f"{refusal}\n".encode())
        except Exception as exc:  # a bug: answer 500 and keep serving, without a traceback to the client
            self.log_message("internal error: %s: %s", type(exc).__name__, exc)
            self.close_connection = True
            self.send(500, "text/plain; charset=utf-8", b"internal error of kg serve\n")

    def route(self, method: str, url: urllib.parse.SplitResult, body: bytes) -> None:
        """Answer one request by its path."""
        if method == "OPTIONS":
            headers = {"Allow": "GET, POST, OPTIONS"}
            if self.server.cors:
                headers |= {"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                            "Access-Control-Allow-Headers": "Content-Type, Accept", "Access-Control-Max-Age": "86400"}
            self.send(204, "text/plain; charset=utf-8", b"", headers)
        elif url.path in ("/query", "/sparql"):
            if method == "GET" and not url.query:  # no query: the service description
                description = service_description(self.base_url() + url.path, self.server.void)
                self.send(*rdf_answer(description, self.headers.get("Accept", "")))
            else:
                self.send(*self.query(method, url.query, body))
        elif method != "GET" and url.path not in ("/update", "/store") and (url.path in GET_PATHS or url.path.startswith(
                ("/queries/", "/id/"))):
            raise Refusal(405, f"{url.path} answers GET (queries: GET or POST to /query)")
        elif url.path in ("/", "/index.html"):
            self.send(200, "text/html; charset=utf-8", index_page().encode("utf-8"))
        elif url.path == "/queries":
            self.send(200, "application/json", json.dumps(query_listing(), indent=1).encode("utf-8"))
        elif url.path.startswith("/queries/"):
            text = bound_query(urllib.parse.unquote(url.path.removeprefix("/queries/")),
                               urllib.parse.parse_qsl(url.query, keep_blank_values=True))
            self.send(200, "application/sparql-query; charset=utf-8", text.encode("utf-8"))
        elif url.path == "/prefixes":
            self.send(200, "application/json", json.dumps({k: str(v) for k, v in PREFIXES.items()}, indent=1).encode())
        elif url.path == "/.well-known/void":
            self.send(*rdf_answer(self.server.void, self.headers.get("Accept", "")))
        elif url.path.startswith("/id/"):
            self.send(*self.dereference(url), {"Vary": "Accept"})
        elif url.path in ASSETS:
            self.send(200, *self.server.asset(url.path))
        elif url.path == "/store" and method == "GET":
            self.send(*self.graph_store(url.query))
        elif url.path in ("/update", "/store"):
            raise Refusal(403, f"refused: {READ_ONLY}")
        else:
            raise Refusal(404, f"no {url.path} here: queries go to /query, the page is at /")

    def base_url(self) -> str:
        """This server's URL as the client named it (the Host header has been checked)."""
        host, port = self.server.server_address[:2]
        return f"http://{self.headers.get('Host') or f'{host}:{port}'}"

    def dereference(self, url: urllib.parse.SplitResult) -> tuple[int, str, bytes]:
        """What the dataset says about the IRI ``https://w3id.org/kg`` + path: HTML, or RDF by content negotiation."""
        iri = BASE + url.path.removeprefix("/")
        asked = dict(urllib.parse.parse_qsl(url.query)).get("format")
        accept = FORMAT_PARAMS.get(asked or "", self.headers.get("Accept", ""))
        try:
            sparql = with_bindings(DESCRIBE, {"iri": URIRef(iri)})
        except KgError as exc:
            raise Refusal(400, str(exc).removeprefix("kg: ")) from None
        graph = self.server.construct(sparql)
        if not graph:
            raise Refusal(404, f"nothing is said about <{iri}> in this dataset")
        if negotiate(accept, ["text/turtle", "text/html"]) == "text/html":
            return 200, "text/html; charset=utf-8", entity_page(iri, graph).encode("utf-8")
        return rdf_answer(graph, accept)

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        self.handle_one("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self.handle_one("GET")

    def do_POST(self) -> None:  # noqa: N802
        self.handle_one("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self.handle_one("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self.handle_one("DELETE")

    def do_OPTIONS(self) -> None:  # noqa: N802
        self.handle_one("OPTIONS")

    def read_body(self) -> bytes:
        """The request body (Content-Length or chunked), refused over MAX_REQUEST_BYTES or when malformed."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self.read_chunked()
        length = (self.headers.get("Content-Length") or "0").strip()
        if not DIGITS.fullmatch(length):
            self.close_connection = True
            raise Refusal(400, f"Content-Length {length[:40]!r} is not a number of bytes")
        if int(length) > MAX_REQUEST_BYTES:
            self.close_connection = True
            raise Refusal(413, f"request larger than {MAX_REQUEST_BYTES} bytes")
        return self.rfile.read(int(length))

    def read_chunked(self) -> bytes:
        """A body sent with ``Transfer-Encoding: chunked``, up to MAX_REQUEST_BYTES."""
        body = bytearray()
        while True:
            line = self.rfile.readline(1024)
            size = line.split(b";")[0].strip()
            if not re.fullmatch(rb"[0-9A-Fa-f]{1,8}", size):
                self.close_connection = True
                raise Refusal(400, "malformed chunked request body")
            if len(body) + int(size, 16) > MAX_REQUEST_BYTES:
                self.close_connection = True
                raise Refusal(413, f"request larger than {MAX_REQUEST_BYTES} bytes")
            if int(size, 16) == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailer fields
                return bytes(body)
            body += self.rfile.read(int(size, 16))
            self.rfile.readline(1024)  # the CRLF after the chunk

    def graph_store(self, query_string: str) -> tuple[int, str, bytes]:
        """GET /store (SPARQL 1.1 Graph Store Protocol, read-only): ``?graph=IRI``, or the whole dataset."""
        params = urllib.parse.parse_qs(query_string, keep_blank_values=True)
        names = params.get("graph", [])
        if len(names) > 1 or (names and "default" in params):
            raise Refusal(400, "give one ?graph=IRI, or ?default, or nothing for the whole dataset")
        if names and not ABSOLUTE_IRI.fullmatch(names[0]):
            raise Refusal(400, f"?graph={names[0][:80]!r} is not an IRI")
        if "default" in params:  # the default graph is the union of the named graphs
            return self.server.call("answer", "CONSTRUCT WHERE { ?s ?p ?o }", self.headers.get("Accept", ""), [], [],
                                    self.server.max_bytes)
        return self.server.call("graph", names[0] if names else None, self.headers.get("Accept", ""), self.server.max_bytes)

    def query(self, method: str, query_string: str, body: bytes) -> tuple[int, str, bytes]:
        """Read a protocol request (GET ?query=, POST form or application/sparql-query), check it, forward it."""
        params = urllib.parse.parse_qsl(query_string, keep_blank_values=True)
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if method == "POST":
            if content_type == "application/x-www-form-urlencoded":
                params += urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
            elif content_type == "application/sparql-query":
                params.append(("query", body.decode("utf-8", "replace")))
            elif content_type == "application/sparql-update":
                raise Refusal(403, f"refused: a SPARQL update; {READ_ONLY}")
            else:
                raise Refusal(415, "send the query as application/sparql-query or application/x-www-form-urlencoded")
        elif method != "GET":
            raise Refusal(405, "use GET or POST for queries")
        if any(name == "update" for name, _ in params):
            raise Refusal(403, f"refused: a SPARQL update; {READ_ONLY}")
        queries = [value for name, value in params if name == "query"]
        if len(queries) != 1:
            raise Refusal(400, "give exactly one query (?query=... or a POST body)")
        try:
            sparql = checked(queries[0], self.server.allow_remote, self.server.query_timeout)
        except QuerySyntaxError as exc:
            raise Refusal(400, str(exc)) from None
        except QueryTooLarge as exc:
            raise Refusal(413, str(exc)) from None
        except QueryRefused as exc:
            raise Refusal(403, str(exc)) from None
        except QueryTimeout as exc:
            raise Refusal(503, str(exc)) from None
        graphs = {name: [v for n, v in params if n == name] for name in GRAPH_PARAMS}
        for iri in (*graphs["default-graph-uri"], *graphs["named-graph-uri"]):
            if not ABSOLUTE_IRI.fullmatch(iri):
                raise Refusal(400, f"{iri[:80]!r} is not an IRI (default-graph-uri, named-graph-uri)")
        return self.server.call("answer", sparql, self.headers.get("Accept", ""), graphs["default-graph-uri"],
                                graphs["named-graph-uri"], self.server.max_bytes)


def _bind(host: str, port: int | None, **options: Any) -> Endpoint:
    """The public server on ``port``; with no port, 7878 or else a free one."""
    for candidate in ([port] if port is not None else [DEFAULT_PORT, 0]):
        try:
            return Endpoint((host, candidate), **options)
        except OSError as exc:
            failure = exc
    raise KgError(f"cannot listen on {host}:{port}: {failure.strerror} "
                  "(fix: choose another port with --port, or --port 0 for a free one)")


TEMP_PREFIX = "kg-serve-"


def remove_stale_stores(parent: Path | None = None) -> list[Path]:
    """Remove the temporary stores of servers that were killed outright (SIGKILL, power loss).

    A running server holds an exclusive ``flock`` on ``lock`` in its folder; the kernel drops it when the
    process dies however it dies, so a folder whose lock can be taken belongs to no live server.
    """
    removed = []
    for folder in sorted(Path(parent or tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*")):
        try:
            fd = os.open(folder / "lock", os.O_RDWR)
        except OSError:
            continue  # no lock file: not ours, or a server that is just starting
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # held by a live server
        finally:
            os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


@contextmanager
def endpoint(dataset: Path | str | None = None, *, host: str = "127.0.0.1", port: int | None = None,
             timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES, workers: int = 2,
             allow_remote: bool = False, cors: bool = False, allowed_hosts: tuple[str, ...] = ()) -> Iterator[Endpoint]:
    """A ready endpoint (not yet serving); its workers and temporary store are removed on exit.

    ``timeout`` 0 means no time limit. Example: ``with endpoint(port=0) as server: server.serve_forever()``.
    """
    if not (math.isfinite(timeout) and timeout >= 0):
        raise KgError(f"timeout {timeout} is not a number of seconds >= 0 (0: no limit)")
    binary = oxigraph_binary()
    stale = remove_stale_stores()
    if stale:
        print(f"kg serve: removed {len(stale)} temporary store(s) left by a killed server", file=sys.stderr)
    folder = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    lock = os.open(folder / "lock", os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    server = None
    try:
        load_store(built_dataset(dataset), folder / "store", binary)
        server = _bind(host, port, timeout=timeout, max_bytes=max_bytes, allow_remote=allow_remote, cors=cors,
                       allowed_hosts=allowed_hosts)
        bound_host, bound_port = server.server_address[:2]
        shown = "127.0.0.1" if server.any_address else (f"[{bound_host}]" if ":" in bound_host else bound_host)
        server.void = add_void(folder / "store", f"http://{shown}:{bound_port}/query")
        server.assets = fetch_assets(binary, folder)
        server.pool = WorkerPool(partial(EndpointStore, folder / "store"), max(workers, 1))
        yield server
    finally:
        if server is not None:
            server.server_close()
            if server.pool is not None:
                server.pool.close()
        shutil.rmtree(folder, ignore_errors=True)
        os.close(lock)


def exposure_warning(host: str) -> str | None:
    """What to tell a user who listens on more than this machine (``--host 0.0.0.0``); None on loopback.

    >>> exposure_warning("127.0.0.1") is None and exposure_warning("0.0.0.0").startswith("kg serve: warning: listening on 0.0.0.0")
    True
    """
    if _is_loopback(host):
        return None
    return (f"kg serve: warning: listening on {host or 'every address'}, so other machines can query this endpoint "
            "(fix: --host 127.0.0.1 unless that is what you want; --allowed-host NAME for the names they use)")


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _interrupt(signum: int, frame: Any) -> None:
    """Stop on the first signal; ignore more while the workers are being stopped."""
    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_IGN)
    raise KeyboardInterrupt


def serve(dataset: Path | str | None = None, **options: Any) -> None:
    """Run the endpoint until Ctrl-C, SIGTERM or SIGHUP, then stop every worker (``kg serve``)."""
    previous = {signum: signal.signal(signum, _interrupt) for signum in STOP_SIGNALS}
    try:
        with endpoint(dataset, **options) as server:
            host, port = server.server_address[:2]
            if warning := exposure_warning(host):
                print(warning, file=sys.stderr)
            base = f"http://{'127.0.0.1' if server.any_address else host}:{port}"
            remote = "SERVICE and FROM <url> allowed" if server.allow_remote else "SERVICE, LOAD and FROM <url> refused"
            limit = f"{server.query_timeout:g} s per query" if server.query_timeout else "no time limit"
            assert server.pool is not None
            print(f"SPARQL endpoint: {base}/query\nin a browser:    {base}/\nnamed queries:   {base}/queries\n"
                  f"read-only; {remote}; {limit}; answers up to {server.max_bytes} bytes; "
                  f"{len(server.pool.workers)} workers{'; CORS on' if server.cors else ''}. Ctrl-C stops.", flush=True)
            server.serve_forever()
    except KeyboardInterrupt:
        print("kg serve: stopped", file=sys.stderr)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
