"""Query results and the formats they are written in: aligned table, CSV, TSV, SPARQL JSON, Markdown.

>>> r = QueryResult(["actor", "n"], [{"actor": URIRef("https://w3id.org/kg/id/actor/russia"), "n": Literal(2)}])
>>> len(r), [row["n"].toPython() for row in r]
(1, [2])
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import XSD, BNode, Literal, URIRef
from rdflib.term import Identifier

from kg.errors import KgError
from kg.progress import collector_paused
from kg.terms import NAMESPACES, from_tsv


class QueryResult:
    """Rows of a SELECT (each a dict from variable name to rdflib term; unbound variables are missing), or an ASK boolean.

    An answer of the Oxigraph engine is held as Oxigraph gave it: in the process that ran the query,
    its live ``pyoxigraph.QuerySolutions``; out of a worker, the SPARQL TSV text Oxigraph wrote. The
    rows are made on first use, each distinct term once (:func:`kg.terms.from_tsv`), so that a query
    costs what the engine costs (see benchmarks/bench_queries.py); :meth:`solutions` hands the answer
    over as pyoxigraph terms instead. Pickled (to leave a worker process), unread rows travel as that text.
    """

    def __init__(self, vars: list[str], rows: list[dict[str, Identifier]] | None = None, boolean: bool | None = None,
                 *, tsv: bytes | None = None, solutions: ox.QuerySolutions | None = None) -> None:
        self.vars = vars
        self.boolean = boolean
        self._rows = rows if rows is not None or tsv is not None or solutions is not None else []
        self._tsv = tsv
        self._solutions = solutions

    @property
    def _handed_over(self) -> bool:
        """True once :meth:`solutions` took the answer: no rows, no text and no live solutions are left."""
        return self._rows is None and self._tsv is None and self._solutions is None

    def _text(self) -> bytes:
        """The unread answer as SPARQL TSV results (written by Oxigraph from the live solutions at the first need)."""
        if self._handed_over:
            raise KgError("this answer was handed over by solutions(): read it there (fix: run the query again to "
                          "read rows)")
        if self._solutions is not None:
            try:
                self._tsv = self._solutions.serialize(format=ox.QueryResultsFormat.TSV)
            except (OSError, RuntimeError, ValueError) as exc:
                raise KgError(f"oxigraph could not run the query: {exc}") from None
            self._solutions = None
        assert self._tsv is not None
        return self._tsv

    @property
    def rows(self) -> list[dict[str, Identifier]]:
        """The rows as dicts of rdflib terms (read once, on first use)."""
        if self._rows is None:
            text = self._text()
            with collector_paused():  # a large answer is many small objects that all live on
                self._rows, self._tsv = _tsv_rows(text), None
        return self._rows

    def __iter__(self) -> Iterator[dict[str, Identifier]]:
        """The rows, each a dict from variable name to RDF term (unbound variables are missing)."""
        return iter(self.rows)

    def __len__(self) -> int:
        if self._rows is None:
            return self._text().count(b"\n") - 1  # a header line, then one line per row
        return len(self._rows)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QueryResult):
            return NotImplemented
        return (self.vars, self.boolean, self.rows) == (other.vars, other.boolean, other.rows)

    def __repr__(self) -> str:
        rows = "handed over" if self._handed_over else len(self)
        return f"QueryResult(vars={self.vars!r}, rows={rows}, boolean={self.boolean!r})"

    def __getstate__(self) -> dict[str, Any]:
        if self._rows is None:
            return {"vars": self.vars, "tsv": self._text()}
        return {"vars": self.vars, "rows": self._rows, "boolean": self.boolean}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["vars"], state.get("rows"), state.get("boolean"), tsv=state.get("tsv"))  # type: ignore[misc]

    def solutions(self) -> ox.QuerySolutions:
        """The answer handed over as pyoxigraph solutions (``solution["var"].value``): no rdflib term and no dict is made,
        with kg's check, prefixes and bindings. Without a time limit (``timeout=None``: the query ran in this process)
        these are Oxigraph's own solutions, read as raw pyoxigraph reads them; out of the time-limited worker, Oxigraph's
        parser reads them from the answer Oxigraph wrote there. Only for an answer of the Oxigraph engine (``kg.load()``'s
        default) whose rows were not read; the answer is then read there, once, and not as rows.

        >>> from kg.graph import load
        >>> [s["label"].value for s in load().query("SELECT ?label WHERE { ?a rdfs:label ?label }", a="https://w3id.org/kg/id/actor/russia").solutions()]
        ['Russia']
        """
        if self._tsv is None and self._solutions is None:  # rows read, an ASK answer, or handed over already
            raise KgError("solutions() needs a SELECT answer of the Oxigraph engine whose rows were not read yet "
                          "and that was not handed over before (fix: call it once, instead of reading rows, on a graph "
                          "of kg.load()'s default engine)")
        solutions = self._solutions
        if solutions is None:
            solutions = ox.parse_query_results(self._tsv, format=ox.QueryResultsFormat.TSV)
        self._solutions = self._tsv = None
        return solutions

    def to_sparql_json(self) -> dict[str, Any]:
        """The result in the SPARQL 1.1 Query Results JSON format (https://www.w3.org/TR/sparql11-results-json/).

        >>> QueryResult(["n"], [{"n": Literal(2)}]).to_sparql_json()["results"]["bindings"]
        [{'n': {'type': 'literal', 'value': '2', 'datatype': 'http://www.w3.org/2001/XMLSchema#integer'}}]
        >>> QueryResult([], [], True).to_sparql_json()
        {'head': {}, 'boolean': True}
        """
        if self.boolean is not None:
            return {"head": {}, "boolean": self.boolean}
        return {"head": {"vars": list(self.vars)},
                "results": {"bindings": [{k: _json_term(v) for k, v in row.items()} for row in self.rows]}}

    def _repr_html_(self, max_rows: int = 50) -> str:
        """An HTML table for notebooks (Jupyter shows it when a result is a cell's value): every value escaped, at most ``max_rows`` rows.

        >>> print(QueryResult(["n", "s"], [{"n": Literal(2), "s": Literal("<b>")}, {"n": Literal(3)}])._repr_html_())  # doctest: +ELLIPSIS
        <table class="kg-result">...<tbody><tr><td>2</td><td>&lt;b&gt;</td></tr><tr><td>3</td><td></td></tr></tbody></table><p>2 rows</p>
        """
        from html import escape

        if self.boolean is not None:
            return f"<p>{str(self.boolean).lower()}</p>"
        head = "".join(f"<th>{escape(v)}</th>" for v in self.vars)
        body = "".join("<tr>" + "".join(f"<td>{escape(str(row[v])) if v in row else ''}</td>" for v in self.vars) + "</tr>"
                       for row in self.rows[:max_rows])
        count = f"{len(self.rows)} row{'' if len(self.rows) == 1 else 's'}"
        count += f", the first {max_rows} shown" if len(self.rows) > max_rows else ""
        return f'<table class="kg-result"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table><p>{count}</p>'

    def to_dataframe(self) -> Any:
        """The rows as a pandas DataFrame (needs the optional pandas extra): numbers, booleans and dates
        as Python values, everything else as text, unbound as None."""
        import pandas as pd

        return pd.DataFrame([{v: _value(r[v]) if v in r else None for v in self.vars} for r in self.rows],
                            columns=self.vars)


class _Terms(dict[str, Identifier]):
    """Cell text -> rdflib term, each distinct cell of a result converted once (on the first miss)."""

    def __missing__(self, cell: str) -> Identifier:
        term = self[cell] = from_tsv(cell)
        return term


def _tsv_rows(data: bytes) -> list[dict[str, Identifier]]:
    """The rows of SPARQL TSV results written by Oxigraph: a header line, then one line per row, each ending in a newline.

    >>> rows = _tsv_rows(b'?a\\t?n\\n<urn:x:a>\\t2\\n\\t"x"@en\\n')
    >>> rows[0]["a"], rows[0]["n"].toPython(), rows[1]
    (rdflib.term.URIRef('urn:x:a'), 2, {'n': rdflib.term.Literal('x', lang='en')})
    """
    lines = data.decode("utf-8").split("\n")
    lines.pop()
    names = [name[1:] for name in lines[0].split("\t")] if lines[0] else []
    if not names:
        return [{} for _ in lines[1:]]
    term = _Terms().__getitem__
    rows = []
    for line in lines[1:]:
        cells = line.split("\t")
        rows.append({name: term(cell) for name, cell in zip(names, cells, strict=True) if cell} if "" in cells
                    else dict(zip(names, map(term, cells), strict=True)))
    return rows


def _value(term: Identifier) -> Any:
    """A literal as its Python value where that is a number, boolean or date; anything else as text."""
    if isinstance(term, Literal) and term.datatype is not None:
        value = term.toPython()
        if not isinstance(value, Literal):
            return value
    return str(term)


def _json_term(term: Identifier) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal) and term.language:
        return {"type": "literal", "value": str(term), "xml:lang": term.language}
    if isinstance(term, Literal) and term.datatype:
        return {"type": "literal", "value": str(term), "datatype": str(term.datatype)}
    return {"type": "literal", "value": str(term)}


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


CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _one_line(text: str) -> str:
    """A cell on one line, with control characters (terminal escapes from the data) shown as ``\\xHH``."""
    text = text.replace("\r", "").replace("\n", "⏎")
    return CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _tsv_term(term: Identifier) -> str:
    """A term in the SPARQL TSV format: Turtle/N-Triples syntax, tabs and newlines escaped, numbers bare."""
    if isinstance(term, Literal) and term.datatype in (XSD.integer, XSD.decimal, XSD.double, XSD.boolean):
        return str(term)
    return term.n3().replace("\t", "\\t").replace("\n", "\\n")
