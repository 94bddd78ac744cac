"""The query check: every query text is parsed and checked here before an engine sees it.

kg's queries are read-only and stay inside the dataset: updates are refused, and so are
``SERVICE`` and ``FROM <url>`` (rdflib would follow them to http and file: URLs) unless the
caller opts in. The check walks rdflib's parse tree, so comments and string literals that
contain ``SERVICE`` do not matter.

>>> check_query("SELECT ?s WHERE { ?s ?p 'SERVICE <http://example.org/> {}' } # SERVICE")
'SELECT'
>>> check_query("DROP ALL")
Traceback (most recent call last):
...
kg.querycheck.QueryRefused: refused: this is a SPARQL update (DROP); kg queries are read-only (fix: ...)
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql import algebra, parser
from rdflib.plugins.sparql.parserutils import CompValue

from kg.errors import InputError, KgError

FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}
OPT_IN = "pass --allow-remote (Python: allow_remote=True) if you trust the endpoint"
UPDATE_START = re.compile(r"(?:\s+|#[^\n]*|PREFIX\s*[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)*"
                          r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
UPDATE_VERBS = {"Modify": "INSERT/DELETE ... WHERE", "InsertData": "INSERT DATA", "DeleteData": "DELETE DATA",
                "DeleteWhere": "DELETE WHERE"}


def _message(error: KgError, message: str) -> None:
    """Set a KgError's one problem to ``message``, printed as is (no file prefix: it is about the query)."""
    error.problems = [InputError("query", None, message)]
    Exception.__init__(error, message)


class QueryRefused(KgError):
    """An update, or a query that would reach outside the dataset (SERVICE, FROM <url>) without opt-in."""

    def __init__(self, why: str, fix: str) -> None:
        _message(self, f"refused: {why} (fix: {fix})")


class QuerySyntaxError(KgError):
    """Invalid SPARQL, with the 1-based line and column of the problem."""

    def __init__(self, line: int, column: int, message: str) -> None:
        self.line, self.column = line, column
        _message(self, f"syntax error at line {line}, column {column}: {message}")


class QueryTimeout(KgError):
    """A query that ran past its time limit and was stopped."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        _message(self, f"query stopped after {seconds:g} s (--timeout); raise --timeout or narrow the query")


def _walk(node: Any) -> Any:
    """Every CompValue in a parse tree, depth first."""
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple | ParseResults):
        for value in node:
            yield from _walk(value)


def _syntax_error(text: str, exc: ParseBaseException) -> QuerySyntaxError:
    found = f", found {text[exc.loc:exc.loc + 20].split(chr(10))[0]!r}" if exc.loc < len(text) else ", found end of query"
    return QuerySyntaxError(exc.lineno, exc.col, f"{exc.msg}{found}")


def _location(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


@lru_cache(maxsize=1024)
def check_query(sparql: str, *, allow_remote: bool = False) -> str:
    """Parse the query; return its form 'SELECT' | 'ASK' | 'CONSTRUCT' | 'DESCRIBE'.

    Raise :class:`QuerySyntaxError` (with line and column) for invalid SPARQL,
    :class:`QueryRefused` for any update (INSERT/DELETE/LOAD/CLEAR/DROP/CREATE...) and, unless
    ``allow_remote``, for SERVICE and FROM / FROM NAMED <url>. Answers are remembered per query text:
    parsing with rdflib (20-70 ms) costs more than most answers (refusals are raised again each time).

    >>> check_query("ASK { ?s ?p ?o }")
    'ASK'
    >>> check_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    kg.querycheck.QueryRefused: refused: SERVICE <http://example.org/sparql> would send the query to another endpoint (fix: ...)
    >>> check_query("SELECT * WHERE {\\n  ?s ?p ?o .\\n  FILTER(?o = ) }")
    Traceback (most recent call last):
    ...
    kg.querycheck.QuerySyntaxError: syntax error at line 3, column 3: ...
    """
    try:
        tree = parser.parseQuery(sparql)
    except ParseBaseException as exc:
        try:
            update = parser.parseUpdate(sparql)
        except ParseBaseException as update_exc:
            if verb := UPDATE_START.match(sparql):  # a broken update is still an update: say so rather than parse it
                raise QueryRefused(f"this is a SPARQL update ({verb.group(1).upper()}); kg queries are read-only",
                                   "use SELECT or ASK; change the graph by editing data/ and running kg build") from None
            raise _syntax_error(sparql, max(exc, update_exc, key=lambda e: e.loc)) from None
        verbs = sorted({UPDATE_VERBS.get(op.name, op.name.upper()) for op in update.request})
        raise QueryRefused(f"this is a SPARQL update ({', '.join(verbs)}); kg queries are read-only",
                           "use SELECT or ASK; change the graph by editing data/ and running kg build") from None
    if not allow_remote:
        for node in _walk(tree):
            if node.name == "ServiceGraphPattern":
                raise QueryRefused(f"SERVICE {node.term.n3()} would send the query to another endpoint", OPT_IN)
            if node.name == "DatasetClause":
                which = "FROM NAMED" if "named" in node else "FROM"
                iri = node["named"] if "named" in node else node["default"]
                raise QueryRefused(f"{which} {iri.n3()} would make the engine fetch that IRI",
                                   f"to read one graph of the dataset use GRAPH <iri> {{ ... }}; or {OPT_IN}")
    try:
        algebra.translateQuery(tree)
    except Exception as exc:  # rdflib raises plain Exception for e.g. an undeclared prefix
        prefix = re.match(r"Unknown namespace prefix : (\S+)", str(exc))
        where = re.search(rf"(?<![\w<\"']){re.escape(prefix.group(1))}:", sparql) if prefix else None
        line, column = _location(sparql, where.start()) if where else (1, 1)
        message = f"undeclared prefix {prefix.group(1)}: (add PREFIX {prefix.group(1)}: <...>)" if prefix else str(exc)
        raise QuerySyntaxError(line, column, message) from None
    return FORMS[tree[1].name]
