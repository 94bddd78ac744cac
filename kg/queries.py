"""Queries: the library of named SPARQL queries and the Python helpers researchers call.

>>> g = load()
>>> [a.label for a in g.actors() if a.kind == "State"]
['Russia', 'Ukraine', 'United Arab Emirates', 'United States']
>>> [p.label for p in g.positions(actor="the Kremlin", kind="Demand")]
['Russia insists on the surrender of the entire Donbas']
>>> [d.iri.rsplit("/", 1)[1] for d in g.depends_on("us-offers-security-guarantees")]  # doctest: +NORMALIZE_WHITESPACE
['deal-may-require-donbas-withdrawal', 'signed-settlement', 'territorial-referendum', 'territorial-status']
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from rdflib import RDF, RDFS, XSD, BNode, Literal, URIRef
from rdflib.term import Identifier

from kg.build import KG, PREFIXES
from kg.errors import KgError
from kg.safety import check_query
from kg.store import QueryResult, built_dataset, open_store

QUERY_DIR = resources.files("kg") / "queries"
HEADER = re.compile(r"^#\s*(\w+):\s*(.*)$")
#: the dataset's prefixes plus rdf, rdfs and xsd: used to read parameters and to shorten IRIs in tables
NAMESPACES: dict[str, str] = {**{k: str(v) for k, v in PREFIXES.items()}, "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD)}

T = TypeVar("T")


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library: its name, header fields (cq: the competency question it answers) and SPARQL text."""

    name: str
    description: str
    params: str
    example: str
    sparql: str
    cq: str = ""

    @property
    def param_names(self) -> list[str]:
        """The parameters of the header, e.g. ``['holder', 'kind']`` for "holder (...), kind (...)"."""
        return re.findall(r"(?:^|\),\s*)(\w+)\s*\(", self.params)


@cache
def named_queries() -> dict[str, NamedQuery]:
    """The query library shipped in ``kg/queries/*.rq``, by name (read once per process).

    >>> q = named_queries()["positions"]
    >>> q.cq, q.param_names
    ('CQ2', ['holder', 'kind'])
    """
    library = {}
    for entry in sorted(QUERY_DIR.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".rq"):
            continue
        text = entry.read_text(encoding="utf-8")
        header = {m.group(1): m.group(2).strip() for m in map(HEADER.match, text.splitlines()) if m}
        name = header.get("name", entry.name[:-3])
        library[name] = NamedQuery(name, header.get("description", ""), header.get("params", ""),
                                   header.get("example", ""), text, header.get("cq", ""))
    return library


class Records(list[T]):
    """A list of result records that converts to a pandas DataFrame (pandas is an optional extra)."""

    def to_dataframe(self) -> Any:
        """One row per record, one column per field.

        >>> load().conflicts().to_dataframe().shape
        (3, 6)
        """
        import pandas as pd

        return pd.DataFrame([asdict(r) for r in self])  # type: ignore[call-overload]


@dataclass(frozen=True)
class Actor:
    """An actor: IRI, preferred label, kind (State, Person...), all names, Wikidata id."""

    iri: str
    label: str
    kind: str
    names: tuple[str, ...]
    wikidata: str | None


@dataclass(frozen=True)
class Position:
    """A position: IRI, label, kind (Demand, Offer...), holder, addressee, content, firmness, status."""

    iri: str
    label: str
    kind: str
    holder: str
    addressee: str | None
    content: str
    firmness: str
    status: str


@dataclass(frozen=True)
class Dependency:
    """A statement on the other end of kg:dependsOn: IRI, label, kind, and whether the link is one step (direct)."""

    iri: str
    label: str
    kind: str
    direct: bool


@dataclass(frozen=True)
class Conflict:
    """Two positions that conflict, and the kg:Conflict node that describes them (None if there is none)."""

    position: str
    position_label: str
    other: str
    other_label: str
    conflict: str | None
    label: str | None


@dataclass(frozen=True)
class Evidence:
    """Where a statement comes from: exact quote and its code-point offsets in the raw article text,
    normalised text, article (source), who reported it (IRIs and labels), firmness, status and cue."""

    statement: str
    quote: str
    start: int
    end: int
    text: str
    source: str
    reported_by: tuple[str, ...]
    reporters: tuple[str, ...]
    firmness: str | None
    status: str | None
    cue: str | None


def _local(term: Identifier | None) -> str | None:
    """The local name of a kg: term, the string of anything else."""
    if term is None:
        return None
    text = str(term)
    return text.removeprefix(str(KG))


def _str(term: Identifier | None) -> str | None:
    return None if term is None else str(term)


class KnowledgeGraph:
    """The built graph with its helpers; ``kg.load()`` returns one."""

    def __init__(self, store: Any, path: Path | None = None) -> None:
        self.store = store
        self.path = path

    def query(self, sparql: str, /, *, allow_remote: bool = False, **bindings: Any) -> QueryResult:
        """Run a read-only SELECT or ASK query; keyword arguments bind variables to RDF terms (str IRIs become IRIs).

        The text is checked first (:func:`kg.safety.check_query`): updates are refused, and so are
        SERVICE and FROM <url> unless ``allow_remote=True``.

        >>> g = load()
        >>> r = g.query("SELECT ?label WHERE { ?a <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
        ...             a="https://w3id.org/kg/id/actor/russia")
        >>> [str(row["label"]) for row in r.rows]
        ['Russia']
        >>> g.query("DELETE WHERE { ?s ?p ?o }")
        Traceback (most recent call last):
        ...
        kg.safety.QueryRefused: refused: this is a SPARQL update (DELETE WHERE); kg queries are read-only (fix: ...)
        """
        form = check_query(sparql, allow_remote=allow_remote)
        if form not in ("SELECT", "ASK"):
            raise KgError(f"{form} queries are not supported here: use SELECT or ASK (kg build writes the whole graph as RDF)")
        return self.store.select(sparql, {k: _term(v) for k, v in bindings.items()})

    def named(self, name: str, **bindings: Any) -> QueryResult:
        """Run a query of the library by name, e.g. ``g.named("conflicts")``.

        >>> len(load().named("dependency-chain", node="https://w3id.org/kg/id/article/000_0e22b9a82a6b1fdf/any-ceasefire").rows)
        1
        """
        library = named_queries()
        if name not in library:
            raise KgError(f"no named query {name!r}; the library has: {', '.join(library)}")
        return self.query(library[name].sparql, **bindings)

    def actors(self) -> Records[Actor]:
        """Every actor, sorted by kind and label, with all its names.

        >>> sorted(load().actors()[-1].names)
        ['U S', 'U.S.', 'US', 'United States', 'Washington', 'White House', 'the White House']
        """
        actors: dict[str, list[Any]] = {}
        for r in self.named("actors").rows:
            actors.setdefault(str(r["actor"]), [r, []])[1].append(str(r["name"]))
        return Records(Actor(iri, str(r["label"]), _local(r["kind"]) or "", tuple(names), _str(r.get("wikidata")))
                       for iri, (r, names) in actors.items())

    def resolve_actor(self, actor: str) -> str:
        """The IRI of an actor given by IRI or by any of its names (case-insensitive).

        >>> load().resolve_actor("Washington")
        'https://w3id.org/kg/id/actor/united-states'
        """
        wanted = actor.casefold()
        matches = sorted({a.iri for a in self.actors() if a.iri == actor or wanted in (n.casefold() for n in (a.label, *a.names))})
        if len(matches) != 1:
            raise KgError(f"{'no' if not matches else 'more than one'} actor named {actor!r}"
                          + (f": {', '.join(matches)}" if matches else "; see kg query actors"))
        return matches[0]

    def resolve_node(self, node: str) -> str:
        """The IRI of a statement given by IRI or by its statement id (as in the article's YAML).

        >>> load().resolve_node("signed-settlement")
        'https://w3id.org/kg/id/article/000_0e22b9a82a6b1fdf/signed-settlement'
        """
        if re.match(r"^https?://", node):
            return node
        matches = sorted({str(r["statement"]) for r in self.named("statements").rows if str(r["id"]) == node})
        if len(matches) != 1:
            raise KgError(f"{'no' if not matches else 'more than one'} statement with id {node!r}"
                          + (f": {', '.join(matches)} (pass the IRI)" if matches else "; see kg query statements"))
        return matches[0]

    def positions(self, actor: str | None = None, kind: str | None = None) -> Records[Position]:
        """Positions, optionally of one holder (IRI or name) and of one kind ("Demand" or its IRI).

        >>> [(p.kind, p.firmness, p.status) for p in load().positions(actor="US", kind="Demand")]
        [('Demand', 'ultimatum', 'reported')]
        """
        bindings: dict[str, Any] = {}
        if actor is not None:
            bindings["holder"] = URIRef(self.resolve_actor(actor))
        if kind is not None:
            bindings["kind"] = URIRef(kind if kind.startswith("http") else str(KG[kind]))
        rows = self.named("positions", **bindings).rows
        return Records(Position(str(r["position"]), str(r["label"]), _local(r["kind"]) or "", str(r["holder"]),
                                _str(r.get("addressee")), str(r["content"]), str(r["firmness"]), str(r["status"]))
                       for r in rows)

    def depends_on(self, node: str, transitive: bool = True) -> Records[Dependency]:
        """What a statement (IRI or id) depends on: with ``transitive`` the whole kg:dependsOn+ closure.

        >>> [d.label for d in load().depends_on("us-offers-security-guarantees", transitive=False)]
        ['A signed peace settlement']
        """
        rows = self.named("depends-on", node=URIRef(self.resolve_node(node))).rows
        return _dependencies(rows, "condition", transitive)

    def dependents(self, node: str, transitive: bool = True) -> Records[Dependency]:
        """What depends on a statement (IRI or id), directly or (with ``transitive``) through a chain.

        >>> [d.label for d in load().dependents("russia-demands-donbas")]
        ["Any ceasefire (in the Kremlin's terms)"]
        """
        rows = self.named("dependents", condition=URIRef(self.resolve_node(node))).rows
        return _dependencies(rows, "dependent", transitive)

    def conflicts(self) -> Records[Conflict]:
        """Pairs of conflicting positions, each once.

        >>> [(c.position.rsplit("/", 1)[1], c.other.rsplit("/", 1)[1]) for c in load().conflicts()][0]
        ('deal-may-require-donbas-withdrawal', 'us-not-forcing-concessions')
        """
        return Records(Conflict(str(r["position"]), str(r["positionLabel"]), str(r["other"]), str(r["otherLabel"]),
                                _str(r.get("conflict")), _str(r.get("conflictLabel")))
                       for r in self.named("conflicts").rows)

    def evidence(self, node: str) -> Records[Evidence]:
        """The evidence of a statement (IRI or id): one record per quoted passage.

        >>> e = load().evidence("us-demands-peace-agreement")[0]
        >>> e.quote[:40], e.start, e.end, e.firmness, e.status
        ('the United States has reportedly deliver', 41, 206, 'ultimatum', 'reported')
        """
        grouped: dict[tuple[Any, ...], list[Any]] = {}
        for r in self.named("evidence", statement=URIRef(self.resolve_node(node))).rows:
            key = tuple(r.get(k) for k in ("statement", "quote", "start", "end", "text", "source", "firmness", "status", "cue"))
            reporters = grouped.setdefault(key, [])
            if "reportedBy" in r:
                reporters.append((str(r["reportedBy"]), str(r["reporter"])))
        return Records(Evidence(str(statement), str(quote), int(start), int(end), str(text), str(source),
                                tuple(iri for iri, _ in reporters), tuple(label for _, label in reporters),
                                _str(firmness), _str(status), _str(cue))
                       for (statement, quote, start, end, text, source, firmness, status, cue), reporters in grouped.items())


def _dependencies(rows: Iterable[dict[str, Identifier]], column: str, transitive: bool) -> Records[Dependency]:
    found = (Dependency(str(r[column]), str(r["label"]), _local(r["kind"]) or "", bool(r["direct"].toPython()))
             for r in rows)
    return Records(d for d in found if transitive or d.direct)


def _term(value: Any) -> Identifier:
    """A Python value as an RDF term: terms stay, http(s) strings become IRIs, the rest literals."""
    if isinstance(value, Identifier):
        return value
    if isinstance(value, str) and re.match(r"^https?://\S+$", value):
        return URIRef(value)
    return Literal(value)


def parse_term(text: str) -> Identifier:
    """A command-line parameter value as an RDF term, never as SPARQL text.

    ``<iri>``, a prefixed name of the dataset (``kg:Demand``) and http(s) URLs become IRIs;
    ``"15"^^xsd:integer`` and ``"text"@en`` become typed or tagged literals; anything else a plain literal.

    >>> parse_term("kg:Demand")
    rdflib.term.URIRef('https://w3id.org/kg/ontology#Demand')
    >>> parse_term('"15"^^xsd:integer')
    rdflib.term.Literal('15', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    >>> parse_term('x" } ; DROP ALL ; #')
    rdflib.term.Literal('x" } ; DROP ALL ; #')
    """
    if m := re.fullmatch(r"<([^<>\"{}|^`\\\s]*)>", text):
        return URIRef(m.group(1))
    if m := re.fullmatch(r'"(.*)"\^\^(.+)', text, re.DOTALL):
        datatype = parse_term(m.group(2))
        if isinstance(datatype, URIRef):
            return Literal(m.group(1), datatype=datatype)
    if m := re.fullmatch(r'"(.*)"@([A-Za-z]+(?:-[A-Za-z0-9]+)*)', text, re.DOTALL):
        return Literal(m.group(1), lang=m.group(2))
    if m := re.fullmatch(r"(\w+):([^\s<>\"{}|^`\\]+)", text):
        if m.group(1) in NAMESPACES:
            return URIRef(NAMESPACES[m.group(1)] + m.group(2))
        if m.group(1) in ("http", "https"):
            return URIRef(text)
    return Literal(text)


FORMATS = ("table", "csv", "tsv", "json", "markdown")
TABLE_WIDTH = 80


def shorten(term: Identifier | None) -> str:
    """A term for reading: IRIs as prefixed names of the dataset where possible, literals as their text.

    >>> shorten(URIRef("https://w3id.org/kg/id/actor/russia")), shorten(Literal("15", datatype=XSD.integer))
    ('kgid:actor/russia', '15')
    """
    if term is None:
        return ""
    if isinstance(term, URIRef):
        matches = [(len(ns), f"{prefix}:{term[len(ns):]}") for prefix, ns in NAMESPACES.items() if term.startswith(ns)]
        return max(matches)[1] if matches else f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """Write a result as an aligned table, CSV or TSV (SPARQL 1.1 CSV/TSV formats), JSON (SPARQL 1.1 JSON) or Markdown.

    >>> r = QueryResult(["actor", "n"], [{"actor": URIRef("https://w3id.org/kg/id/actor/russia"), "n": Literal(2)}])
    >>> print(format_result(r))
    actor              n
    -----------------  -
    kgid:actor/russia  2
    >>> format_result(r, "tsv").splitlines()[1].split()
    ['<https://w3id.org/kg/id/actor/russia>', '2']
    >>> print(format_result(r, "markdown"))
    | actor | n |
    | --- | --- |
    | kgid:actor/russia | 2 |
    """
    if fmt == "json":
        return json.dumps(result.to_sparql_json(), ensure_ascii=False, indent=2)
    if result.boolean is not None:
        return {"csv": "_askResult\r\n{}\r\n", "tsv": "?_askResult\n{}"}.get(fmt, "{}").format(str(result.boolean).lower())
    cells = [[row.get(v) for v in result.vars] for row in result.rows]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerows([result.vars, *[["" if c is None else str(c) for c in row] for row in cells]])
        return out.getvalue()
    if fmt == "tsv":
        return "\n".join(["\t".join(f"?{v}" for v in result.vars),
                          *("\t".join("" if c is None else _tsv_term(c) for c in row) for row in cells)])
    text = [[_one_line(shorten(c)) for c in row] for row in cells]
    if fmt == "markdown":
        lines = [result.vars, ["---"] * len(result.vars), *text]
        return "\n".join("| " + " | ".join(c.replace("|", "\\|") for c in line) + " |" for line in lines)
    if fmt != "table":
        raise KgError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    text = [[c if len(c) <= TABLE_WIDTH else c[:TABLE_WIDTH - 1] + "…" for c in row] for row in text]
    widths = [max([len(v), *(len(row[i]) for row in text)]) for i, v in enumerate(result.vars)]
    lines = [result.vars, ["-" * w for w in widths], *text]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines)


def _one_line(text: str) -> str:
    return text.replace("\r", "").replace("\n", "⏎")


def _tsv_term(term: Identifier) -> str:
    """A term in the SPARQL TSV format: Turtle/N-Triples syntax, tabs and newlines escaped, numbers bare."""
    if isinstance(term, Literal) and term.datatype in (XSD.integer, XSD.decimal, XSD.double, XSD.boolean):
        return str(term)
    return term.n3().replace("\t", "\\t").replace("\n", "\\n")


def load(path: Path | str | None = None, store: str = "rdflib") -> KnowledgeGraph:
    """Load the built dataset (``data/build/kg.trig`` by default) into an engine: "rdflib" or "oxigraph" (faster).

    >>> load(store="oxigraph").resolve_actor("Kyiv")
    'https://w3id.org/kg/id/actor/ukraine'
    """
    path = built_dataset(path)
    return KnowledgeGraph(open_store(path, store), path)
