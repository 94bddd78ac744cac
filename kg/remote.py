"""Remote stores: query any SPARQL 1.1 endpoint as if it were the embedded store, and push the dataset to one.

:func:`connect` returns the same :class:`~kg.graph.KnowledgeGraph` as ``kg.load()``, answering
through the SPARQL 1.1 Protocol (URL-encoded POST, JSON results turned back into
rdflib terms), so every helper and named query works unchanged against a server. Bound values are
sent as escaped RDF terms in ``BIND`` clauses, never pasted as raw text. :func:`push` uploads one named
graph per article (and the ontology and entity graphs) over the SPARQL 1.1 Graph Store Protocol.

>>> with_bindings("SELECT ?label WHERE { ?a rdfs:label ?label }", {"a": URIRef("https://w3id.org/kg/id/actor/russia")})
'SELECT ?label WHERE { BIND(<https://w3id.org/kg/id/actor/russia> AS ?a)\\n ?a rdfs:label ?label }'
>>> connect("http://127.0.0.1:9/query")
Traceback (most recent call last):
...
kg.errors.KgError: kg: cannot reach the SPARQL endpoint http://127.0.0.1:9/query: Connection refused (fix: ...)
"""

from __future__ import annotations

import base64
import hashlib
import http.client as http_client
import json
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
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
                    r"""|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')|(<[^<>"{}|^`\\\x00-\x20]*>)|([(){}])"""
                    r"""|((?<![\w?$:])WHERE\b)""", re.S | re.I)
VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _sparql_term(name: str, term: Identifier) -> str:
    """One bound value in SPARQL syntax, escaped by rdflib; IRIs with forbidden characters are refused."""
    if isinstance(term, BNode) or not isinstance(term, URIRef | Literal):
        raise KgError(f"cannot bind ?{name} to {term!r} for a remote endpoint: bind an IRI or a literal")
    try:
        return term.n3()
    except Exception as exc:  # rdflib raises a plain Exception for an IRI it cannot write
        raise KgError(f"cannot bind ?{name}: {exc}") from None


def with_bindings(sparql: str, bindings: Mapping[str, Identifier]) -> str:
    """The query with ``BIND(term AS ?name)`` for each binding at the start of its top-level WHERE group
    (the group after the keyword WHERE, else the first; a CONSTRUCT template is not a WHERE group).

    BIND at the start of the group means the same as a one-row ``VALUES`` block there, and every server
    tried answers it right (Virtuoso 7.2 ignores a ``VALUES`` binding under a ``+`` property path).
    """
    if not bindings:
        return sparql
    for name in bindings:
        if not VARNAME.match(name):
            raise KgError(f"cannot bind {name!r}: a variable name is letters, digits and '_'")
    parens = braces = 0
    first = after_where = None
    where = False
    for match in TOKENS.finditer(sparql):
        mark = match.group(4) or match.group(5)
        if mark is None:
            continue
        if mark in "()":
            parens += 1 if mark == "(" else -1
        elif parens:
            continue  # braces inside expressions: EXISTS { ... } in SELECT (...)
        elif mark == "{":
            if braces == 0:
                first = match.end() if first is None else first
                after_where = match.end() if where and after_where is None else after_where
            braces += 1
        elif mark == "}":
            braces -= 1
        elif braces == 0:
            where = True  # the keyword WHERE, at the top level
    at = after_where if after_where is not None else first
    if at is not None:
        binds = " ".join(f"BIND({_sparql_term(n, t)} AS ?{n})" for n, t in bindings.items())
        return f"{sparql[:at]} {binds}\n{sparql[at:]}"
    raise KgError("cannot bind variables: the query has no WHERE { ... } group")


def redact(url: str) -> str:
    """The URL with any password in it hidden, for messages.

    >>> redact("http://ana:s3cret@example.org:8890/store?graph=x")
    'http://ana:***@example.org:8890/store?graph=x'
    """
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def split_userinfo(url: str, user: str | None, password: str | None) -> tuple[str, str | None, str | None]:
    """The URL without ``user:password@``, and the user and password (those given explicitly win).

    >>> split_userinfo("http://ana:s%40cret@h:8890/store", None, None)
    ('http://h:8890/store', 'ana', 's@cret')
    """
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url, user, password
    bare = urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    unquote = urllib.parse.unquote
    return (bare, user if user is not None else unquote(parts.username or ""),
            password if password is not None else (unquote(parts.password) if parts.password is not None else None))


DIGEST_HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


def _challenges(headers: Message) -> list[tuple[str, dict[str, str]]]:
    """The (scheme, parameters) of each WWW-Authenticate header line."""
    found = []
    for line in headers.get_all("WWW-Authenticate") or []:
        scheme, _, rest = line.strip().partition(" ")
        params = urllib.request.parse_keqv_list([p for p in urllib.request.parse_http_list(rest) if "=" in p])
        found.append((scheme.lower(), {k.lower(): v for k, v in params.items()}))
    return found


class Credentials:
    """How a client authenticates: a bearer token, or a user and password for HTTP Basic or Digest.

    With a user, the first request goes without credentials; the server's 401 challenge decides the
    scheme (Digest, RFC 7616 with MD5 or SHA-256 and ``qop=auth``, preferred to Basic), which is then
    used up front for the next requests. The password is never sent in clear to a Digest server.

    >>> c = Credentials("Mufasa", "Circle of Life")  # the example of RFC 7616, section 3.9.1
    >>> c.scheme, c.digest = "digest", {"realm": "http-auth@example.org", "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
    ...             "opaque": "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", "qop": "auth", "algorithm": "SHA-256"}
    >>> c.cnonce = lambda: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
    >>> 'response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"' in c.header("GET", "/dir/index.html")["Authorization"]
    True
    """

    def __init__(self, user: str | None = None, password: str | None = None, token: str | None = None) -> None:
        self.user, self.password, self.token = user, password, token
        self.scheme: str | None = "bearer" if token else None
        self.digest: dict[str, str] = {}
        self.count = 0
        self.cnonce = lambda: secrets.token_hex(16)

    def header(self, method: str, url: str) -> dict[str, str]:
        """The Authorization header for a request (empty before the server has said which scheme it wants)."""
        if self.scheme == "bearer":
            return {"Authorization": f"Bearer {self.token}"}
        if self.scheme == "basic":
            pair = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode("ascii")
            return {"Authorization": f"Basic {pair}"}
        if self.scheme == "digest":
            return {"Authorization": self._digest(method, url)}
        return {}

    def _digest(self, method: str, url: str) -> str:
        parts = urllib.parse.urlsplit(url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        c = self.digest
        algorithm = c.get("algorithm", "MD5")
        digest = DIGEST_HASHES[algorithm.upper().removesuffix("-SESS")]

        def h(text: str) -> str:
            return digest(text.encode("utf-8")).hexdigest()

        self.count += 1
        cnonce, nc = self.cnonce(), f"{self.count:08x}"
        ha1 = h(f"{self.user}:{c.get('realm', '')}:{self.password or ''}")
        if algorithm.upper().endswith("-SESS"):
            ha1 = h(f"{ha1}:{c['nonce']}:{cnonce}")
        ha2 = h(f"{method}:{uri}")
        qop = "auth" in [q.strip() for q in c.get("qop", "").split(",")]
        response = h(f"{ha1}:{c['nonce']}:{nc}:{cnonce}:auth:{ha2}" if qop else f"{ha1}:{c['nonce']}:{ha2}")

        def quoted(value: str) -> str:
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

        fields = [f"username={quoted(self.user or '')}", f"realm={quoted(c.get('realm', ''))}",
                  f"nonce={quoted(c['nonce'])}", f"uri={quoted(uri)}", f"algorithm={algorithm}",
                  f"response={quoted(response)}"]
        if "opaque" in c:
            fields.append(f"opaque={quoted(c['opaque'])}")
        if qop:
            fields += ["qop=auth", f"nc={nc}", f"cnonce={quoted(cnonce)}"]
        return "Digest " + ", ".join(fields)

    def answer(self, headers: Message) -> bool:
        """Take a 401's challenge; True if the request is worth sending again with new credentials."""
        if self.user is None:
            return False
        challenges = _challenges(headers)
        digests = [p for scheme, p in challenges if scheme == "digest" and "nonce" in p
                   and p.get("algorithm", "MD5").upper().removesuffix("-SESS") in DIGEST_HASHES]
        if digests:
            best = max(digests, key=lambda p: p.get("algorithm", "MD5").upper().startswith("SHA-256"))
            stale = best.get("stale", "").lower() == "true"
            if self.scheme == "digest" and not stale and best.get("nonce") == self.digest.get("nonce"):
                return False  # this nonce was answered already: the password is wrong
            retry = self.scheme != "digest" or stale or best.get("nonce") != self.digest.get("nonce")
            self.scheme, self.digest, self.count = "digest", best, 0
            return retry
        if any(scheme == "basic" for scheme, _ in challenges) and self.scheme != "basic":
            self.scheme = "basic"
            return True
        return False


def _timeout(url: str, seconds: float | None) -> KgError:
    return KgError(f"{redact(url)} did not answer within {seconds:g} s "
                   "(fix: raise --timeout, narrow the query, or check the server)")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects come back as HTTP errors, so that :func:`http` decides (urllib would turn a POST into a
    GET and send the Authorization header to any host the Location names)."""

    def redirect_request(self, *args: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)
REDIRECTS = (301, 302, 303, 307, 308)
MAX_HOPS = 5


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(parts.scheme)


def http(method: str, url: str, body: bytes | None, headers: Mapping[str, str], timeout: float | None,
         credentials: Credentials | None = None) -> tuple[int, str, bytes]:
    """Send one request; return (status, content type, body) or raise a KgError that says what went wrong.

    Any answer but 2xx is a failure. Only 307 and 308 redirects to the same origin are followed (they
    keep the method and body); any other redirect fails with a message naming it, so that credentials
    never go to another host and a POST never silently becomes a GET. Passwords in URLs are not printed.

    >>> http("GET", "ftp://example.org/", None, {}, 1)
    Traceback (most recent call last):
    ...
    kg.errors.KgError: kg: ftp://example.org/ is not an http(s) URL (fix: give the endpoint as http://host:port/path)
    """
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise KgError(f"{redact(url)} is not an http(s) URL (fix: give the endpoint as http://host:port/path)")
    target, tries = url, 0
    while True:
        tries += 1
        auth = credentials.header(method, target) if credentials else {}
        request = urllib.request.Request(target, data=body, headers={**headers, **auth}, method=method)
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as exc:
            text = exc.read().decode("utf-8", "replace").strip()
            exc.close()
            if exc.code in REDIRECTS:
                location = urllib.parse.urljoin(target, exc.headers.get("Location") or "")
                if exc.code in (307, 308) and _origin(location) == _origin(target) and tries < MAX_HOPS:
                    target = location
                    continue
                raise KgError(f"{redact(target)} redirected (HTTP {exc.code}) to {redact(location)}; kg follows only "
                              "307/308 redirects within the same server, so that credentials and request bodies never "
                              "go elsewhere and a POST never becomes a GET (fix: give the final URL, if you trust it)"
                              ) from None
            if exc.code == 401 and credentials is not None and tries < MAX_HOPS and credentials.answer(exc.headers):
                continue
            first = text.splitlines()[0][:300] if text else ""
            hint = ("" if exc.code != 401 else " (fix: check the user name and password, or the token)"
                    if credentials and (credentials.user is not None or credentials.token) else
                    " (fix: give --user and set KG_PASSWORD, or set KG_TOKEN)")
            raise KgError(f"{redact(target)} answered HTTP {exc.code} {exc.reason}" + (f": {first}" if first else "")
                          + hint) from None
        except TimeoutError:
            raise _timeout(target, timeout) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise _timeout(target, timeout) from None
            reason = exc.reason.strerror if isinstance(exc.reason, OSError) and exc.reason.strerror else str(exc.reason)
            raise KgError(f"cannot reach the SPARQL endpoint {redact(target)}: {reason} "
                          "(fix: check the URL and that the server is running)") from None
        except (OSError, ValueError, http_client.HTTPException) as exc:  # connection reset, malformed URL...
            raise KgError(f"cannot talk to the SPARQL endpoint {redact(target)}: {exc}") from None


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
        self.url, user, password = split_userinfo(url, user, password)
        self.timeout = timeout
        self.credentials = Credentials(user, password, token)
        # the URL-encoded form: every SPARQL 1.1 server takes it (Virtuoso 7.2 hangs on a sparql-query body)
        self.headers = {"Content-Type": "application/x-www-form-urlencoded",
                        "Accept": f"{RESULTS_JSON}, application/json;q=0.5"}

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        """Run a SELECT or ASK query on the endpoint, variables bound to RDF terms by BIND (see :func:`with_bindings`)."""
        text = with_bindings(sparql, bindings or {})
        form = urllib.parse.urlencode({"query": text}).encode("ascii")
        _, content_type, body = http("POST", self.url, form, self.headers, self.timeout, self.credentials)
        try:
            data = json.loads(body) if "json" in content_type else None
        except ValueError:
            data = None
        if not isinstance(data, dict) or "head" not in data or ("results" not in data and "boolean" not in data):
            got = content_type.split(";")[0] or "no content type"
            raise KgError(f"{redact(self.url)} did not answer with SPARQL results (got {got}: {body[:60]!r}) "
                          "(fix: give the query endpoint, e.g. http://host:7878/query for Oxigraph, "
                          "http://host:3030/DATASET/sparql for Fuseki)")
        if "boolean" in data:
            return QueryResult([], [], bool(data["boolean"]))
        names = list(data["head"].get("vars", []))
        rows = [{k: _rdf_term(v) for k, v in row.items()} for row in data["results"].get("bindings", [])]
        return QueryResult(names, rows)


    def construct(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query on the endpoint; the graph it answers (asked for as N-Triples)."""
        form = urllib.parse.urlencode({"query": with_bindings(sparql, bindings or {})}).encode("ascii")
        headers = {**self.headers, "Accept": "application/n-triples, text/turtle;q=0.9"}
        _, content_type, body = http("POST", self.url, form, headers, self.timeout, self.credentials)
        kind = "turtle" if "turtle" in content_type else "nt"
        try:
            return Graph().parse(data=body.decode("utf-8"), format=kind)
        except Exception as exc:  # rdflib's parsers raise many kinds
            raise KgError(f"{redact(self.url)} did not answer with an RDF graph ({content_type or 'no content type'}): "
                          f"{exc}") from None


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
            raise KgError(f"{redact(url)} holds named graphs but its default graph is empty, so kg's queries find nothing "
                          "(fix: make the default graph the union of all graphs: oxigraph serve --union-default-graph, "
                          "Fuseki tdb2:unionDefaultGraph true; GraphDB and Virtuoso do it by default)")
        raise KgError(f"{redact(url)} holds no triples (fix: upload the dataset first: kg push --endpoint URL-of-its-graph-store)")
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

    With ``user`` (and ``password``, or ``user:password@`` in the URL), the server's challenge picks
    HTTP Digest (Virtuoso's ``/sparql-graph-crud-auth``) or Basic; ``token`` sends a bearer token.

    ``replace`` PUTs each graph (its old content on the server is dropped), otherwise POST merges it
    (blank nodes are then added again). Graphs on the server that the dataset lacks are left alone.
    Raises :class:`PushError` with the partial report if a request fails.
    Example: ``push("http://127.0.0.1:7878/store")`` for Oxigraph, ``.../DATASET/data`` for Fuseki.
    """
    dataset = RdflibStore.from_file(built_dataset(path)).dataset
    graphs = sorted((g for g in dataset.graphs() if len(g) and isinstance(g.identifier, URIRef)), key=lambda g: str(g.identifier))
    endpoint, user, password = split_userinfo(endpoint, user, password)
    credentials = Credentials(user, password, token)
    report = PushReport(redact(endpoint), "replace" if replace else "merge", not_sent=[str(g.identifier) for g in graphs])
    headers = {"Content-Type": "application/n-triples"}
    separator = "&" if "?" in endpoint else "?"
    for graph in graphs:
        iri = str(graph.identifier)
        lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
        body = ("\n".join(sorted(line for line in lines if line.strip())) + "\n").encode("utf-8")
        url = f"{endpoint}{separator}graph={urllib.parse.quote(iri, safe='')}"
        try:
            http("PUT" if replace else "POST", url, body, headers, timeout, credentials)  # any answer but 2xx raises
        except KgError as exc:
            raise PushError(report, exc) from None
        report.sent.append((iri, len(graph), len(body)))
        report.not_sent.remove(iri)
    return report

