"""Remote stores: query any SPARQL 1.1 endpoint as if it were the embedded store, and push the dataset to one.

:func:`connect` returns the same :class:`~kg.graph.KnowledgeGraph` as ``kg.load()``, answering
through the SPARQL 1.1 Protocol (POST ``application/sparql-query``, JSON results turned back into
rdflib terms), so every helper and named query works unchanged against a server. Bound values are
sent as RDF terms in a ``VALUES`` block, never pasted into the text. :func:`push` uploads one named
graph per article (and the ontology and entity graphs) over the SPARQL 1.1 Graph Store Protocol.

>>> with_values("SELECT ?label WHERE { ?a rdfs:label ?label }", {"a": URIRef("https://w3id.org/kg/id/actor/russia")})
'SELECT ?label WHERE { VALUES (?a) { (<https://w3id.org/kg/id/actor/russia>) }\\n ?a rdfs:label ?label }'
>>> connect("http://127.0.0.1:9/query")
Traceback (most recent call last):
...
kg.errors.KgError: kg: cannot reach the SPARQL endpoint http://127.0.0.1:9/query: Connection refused (fix: ...)
"""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from kg.errors import KgError
from kg.results import QueryResult
from kg.store import RdflibStore, built_dataset

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

RESULTS_JSON = "application/sparql-results+json"
# comments, strings (long and short), IRIs and brackets: enough to find the top-level WHERE group
TOKENS = re.compile(r"""(\#[^\n]*)|("{3}(?:"{0,2}(?:[^"\\]|\\.))*"{3}|'{3}(?:'{0,2}(?:[^'\\]|\\.))*'{3}"""
                    r"""|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')|(<[^<>"{}|^`\\\x00-\x20]*>)|([(){}])""", re.S)
VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _sparql_term(name: str, term: Identifier) -> str:
    """One bound value in SPARQL syntax, escaped by rdflib; IRIs with forbidden characters are refused."""
    if isinstance(term, BNode) or not isinstance(term, URIRef | Literal):
        raise KgError(f"cannot bind ?{name} to {term!r} for a remote endpoint: bind an IRI or a literal")
    try:
        return term.n3()
    except Exception as exc:  # rdflib raises a plain Exception for an IRI it cannot write
        raise KgError(f"cannot bind ?{name}: {exc}") from None


def with_values(sparql: str, bindings: Mapping[str, Identifier]) -> str:
    """The query with a ``VALUES`` block binding ``bindings`` at the start of its top-level WHERE group."""
    if not bindings:
        return sparql
    for name in bindings:
        if not VARNAME.match(name):
            raise KgError(f"cannot bind {name!r}: a variable name is letters, digits and '_'")
    depth = 0
    for match in TOKENS.finditer(sparql):
        bracket = match.group(4)
        if bracket in ("(", ")"):
            depth += 1 if bracket == "(" else -1
        elif bracket == "{" and depth == 0:
            names = " ".join(f"?{n}" for n in bindings)
            values = " ".join(_sparql_term(n, t) for n, t in bindings.items())
            at = match.end()
            return f"{sparql[:at]} VALUES ({names}) {{ ({values}) }}\n{sparql[at:]}"
    raise KgError("cannot bind variables: the query has no WHERE { ... } group")


def _auth(user: str | None, password: str | None, token: str | None) -> dict[str, str]:
    """The Authorization header for HTTP Basic (user and password) or a bearer token."""
    if token:
        return {"Authorization": f"Bearer {token}"}
    if user is not None:
        pair = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
        return {"Authorization": f"Basic {pair}"}
    return {}


def _timeout(url: str, seconds: float | None) -> KgError:
    return KgError(f"{url} did not answer within {seconds:g} s (fix: raise --timeout, narrow the query, or check the server)")


def http(method: str, url: str, body: bytes | None, headers: Mapping[str, str], timeout: float | None
         ) -> tuple[int, str, bytes]:
    """Send one request; return (status, content type, body) or raise a KgError that says what went wrong.

    >>> http("GET", "ftp://example.org/", None, {}, 1)
    Traceback (most recent call last):
    ...
    kg.errors.KgError: kg: ftp://example.org/ is not an http(s) URL (fix: give the endpoint as http://host:port/path)
    """
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise KgError(f"{url} is not an http(s) URL (fix: give the endpoint as http://host:port/path)")
    request = urllib.request.Request(url, data=body, headers=dict(headers), method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        text = exc.read().decode("utf-8", "replace").strip()
        first = text.splitlines()[0][:300] if text else ""
        raise KgError(f"{url} answered HTTP {exc.code} {exc.reason}" + (f": {first}" if first else "")) from None
    except TimeoutError:
        raise _timeout(url, timeout) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise _timeout(url, timeout) from None
        reason = exc.reason.strerror if isinstance(exc.reason, OSError) and exc.reason.strerror else str(exc.reason)
        raise KgError(f"cannot reach the SPARQL endpoint {url}: {reason} "
                      "(fix: check the URL and that the server is running)") from None
    except (OSError, ValueError) as exc:  # connection reset, malformed URL...
        raise KgError(f"cannot talk to the SPARQL endpoint {url}: {exc}") from None


def _rdf_term(cell: Mapping[str, str]) -> Identifier:
    """A SPARQL JSON results value as the rdflib term the embedded store returns."""
    kind, value = cell.get("type"), cell.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in cell:
            return Literal(value, lang=cell["xml:lang"])
        datatype = cell.get("datatype")
        return Literal(value, datatype=URIRef(datatype) if datatype and datatype != str(XSD.string) else None)
    raise KgError(f"unsupported value in SPARQL results: {dict(cell)}")


class RemoteStore:
    """A SPARQL 1.1 Protocol endpoint with the embedded store's ``select`` contract."""

    name = "remote"

    def __init__(self, url: str, *, timeout: float | None = 60.0, user: str | None = None, password: str | None = None,
                 token: str | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self.headers = {"Content-Type": "application/sparql-query; charset=utf-8",
                        "Accept": f"{RESULTS_JSON}, application/json;q=0.5", **_auth(user, password, token)}

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        """Run a SELECT or ASK query on the endpoint, variables bound to RDF terms by a VALUES block."""
        text = with_values(sparql, bindings or {})
        _, content_type, body = http("POST", self.url, text.encode("utf-8"), self.headers, self.timeout)
        try:
            data = json.loads(body) if "json" in content_type else None
        except ValueError:
            data = None
        if not isinstance(data, dict) or "head" not in data or ("results" not in data and "boolean" not in data):
            got = content_type.split(";")[0] or "no content type"
            raise KgError(f"{self.url} did not answer with SPARQL results (got {got}: {body[:60]!r}) "
                          "(fix: give the query endpoint, e.g. http://host:7878/query for Oxigraph, "
                          "http://host:3030/DATASET/sparql for Fuseki)")
        if "boolean" in data:
            return QueryResult([], [], bool(data["boolean"]))
        names = list(data["head"].get("vars", []))
        rows = [{k: _rdf_term(v) for k, v in row.items()} for row in data["results"].get("bindings", [])]
        return QueryResult(names, rows)


def connect(url: str, *, timeout: float = 60.0, user: str | None = None, password: str | None = None,
            token: str | None = None) -> KnowledgeGraph:
    """The knowledge graph held by the SPARQL endpoint ``url``, with every helper of ``kg.load()``.

    Checks at once that the endpoint answers SPARQL and that its default graph (which kg's queries
    read) holds triples, so a wrong URL or server setting fails here with a clear message.
    Example: ``g = kg.connect("http://127.0.0.1:7878/query"); g.positions(actor="Russia")``.
    """
    from kg.graph import KnowledgeGraph

    store = RemoteStore(url, timeout=timeout, user=user, password=password, token=token)
    if not store.select("ASK { ?s ?p ?o }").boolean:
        if store.select("ASK { GRAPH ?g { ?s ?p ?o } }").boolean:
            raise KgError(f"{url} holds named graphs but its default graph is empty, so kg's queries find nothing "
                          "(fix: make the default graph the union of all graphs: oxigraph serve --union-default-graph, "
                          "Fuseki tdb2:unionDefaultGraph true; GraphDB and Virtuoso do it by default)")
        raise KgError(f"{url} holds no triples (fix: upload the dataset first: kg push --endpoint URL-of-its-graph-store)")
    return KnowledgeGraph(store)


@dataclass
class PushReport:
    """What :func:`push` sent: graphs with their triples and bytes, and the graphs not sent after a failure."""

    endpoint: str
    mode: str
    sent: list[tuple[str, int, int]] = field(default_factory=list)
    not_sent: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """A readable account, one line per graph.

        >>> print("\\n".join(PushReport("http://h/store", "replace", [("https://g/1", 3, 120)], ["https://g/2"]).lines()))
        replaced 1 graph(s) on http://h/store: 3 triples, 120 bytes (N-Triples)
          sent https://g/1: 3 triples, 120 bytes
          NOT sent https://g/2
        """
        verb = "replaced" if self.mode == "replace" else "merged into"
        head = (f"{verb} {len(self.sent)} graph(s) on {self.endpoint}: {sum(s[1] for s in self.sent)} triples, "
                f"{sum(s[2] for s in self.sent)} bytes (N-Triples)")
        return [head, *(f"  sent {g}: {t} triples, {b} bytes" for g, t, b in self.sent),
                *(f"  NOT sent {g}" for g in self.not_sent)]


class PushError(KgError):
    """An upload that failed part-way; ``report`` tells which graphs were sent and which not."""

    def __init__(self, report: PushReport, cause: KgError) -> None:
        self.report = report
        super().__init__(f"push stopped: {cause}\n" + "\n".join(report.lines())
                         + f"\n{len(report.not_sent)} graph(s) not sent; fix the cause and push again")


def push(endpoint: str, path: Path | str | None = None, *, replace: bool = True, timeout: float = 120.0,
         user: str | None = None, password: str | None = None, token: str | None = None) -> PushReport:
    """Upload each named graph of the built dataset to a Graph Store Protocol endpoint (``?graph=IRI``).

    ``replace`` PUTs each graph (its old content on the server is dropped), otherwise POST merges it
    (blank nodes are then added again). Graphs on the server that the dataset lacks are left alone.
    Raises :class:`PushError` with the partial report if a request fails.
    Example: ``push("http://127.0.0.1:7878/store")`` for Oxigraph, ``.../DATASET/data`` for Fuseki.
    """
    dataset = RdflibStore.from_file(built_dataset(path)).dataset
    graphs = sorted((g for g in dataset.graphs() if len(g) and isinstance(g.identifier, URIRef)), key=lambda g: str(g.identifier))
    report = PushReport(endpoint, "replace" if replace else "merge", not_sent=[str(g.identifier) for g in graphs])
    headers = {"Content-Type": "application/n-triples", **_auth(user, password, token)}
    separator = "&" if "?" in endpoint else "?"
    for graph in graphs:
        iri = str(graph.identifier)
        lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
        body = ("\n".join(sorted(line for line in lines if line.strip())) + "\n").encode("utf-8")
        url = f"{endpoint}{separator}graph={urllib.parse.quote(iri, safe='')}"
        try:
            status, _, _ = http("PUT" if replace else "POST", url, body, headers, timeout)
        except KgError as exc:
            raise PushError(report, exc) from None
        if status not in (200, 201, 204):
            raise PushError(report, KgError(f"{url} answered HTTP {status}, not 200/201/204: is it a Graph Store endpoint?"))
        report.sent.append((iri, len(graph), len(body)))
        report.not_sent.remove(iri)
    return report

