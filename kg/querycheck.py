"""The query check: every query text is checked here before an engine runs it, the same way for every engine.

kg's queries are read-only and stay inside the dataset: updates are refused, and so are
``SERVICE`` and ``FROM <url>`` (engines would follow them to http and file: URLs) unless the
caller opts in. The check is bounded and safe to call from many threads at once:

1. a tokenizer (comments, strings and IRIs are skipped, so ``'SERVICE'`` in a string does not
   count) refuses texts over :data:`MAX_QUERY_BYTES` or nested deeper than :data:`MAX_NESTING`
   (:class:`QueryTooLarge`), empty and comment-only texts, updates, SERVICE and FROM, and
   undeclared prefixes (with line and column);
2. the prefixes of :data:`kg.namespaces.PREFIXES` that the query uses but does not declare are
   prepended (:func:`with_prefixes`), so ``rdfs:label`` works without a PREFIX line on every engine;
3. the grammar is Oxigraph's (a strict SPARQL 1.1 parser, thread-safe and fast): the text is
   prepared against an empty in-memory store and never evaluated. It rejects what SPARQL 1.1
   rejects and rdflib lets through: BIND to a variable already in scope, ``SELECT (expr AS ?v)``
   reusing a variable, projections of ungrouped variables (section 18.2.1, 18.2.4.1).

rdflib's own parser (pyparsing) is not thread-safe; the rdflib engine takes :data:`RDFLIB_PARSER_LOCK`.

>>> check_query("SELECT ?s WHERE { ?s ?p 'SERVICE <http://example.org/> {}' } # SERVICE")
'SELECT'
>>> check_query("DROP ALL")
Traceback (most recent call last):
...
kg.querycheck.QueryRefused: refused: this is a SPARQL update (DROP); kg queries are read-only (fix: ...)
>>> print(with_prefixes("SELECT ?l WHERE { ?a rdfs:label ?l }"))
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?l WHERE { ?a rdfs:label ?l }
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from kg.errors import InputError, KgError
from kg.namespaces import PREFIXES

MAX_QUERY_BYTES = 100_000
"""The largest query text accepted (UTF-8 bytes): the named queries are under 3 KB; rdflib needs a minute for 1 MB."""
MAX_NESTING = 16
"""The deepest nesting of ``{ ( [`` accepted: rdflib's parser overflows Python's stack near 30, Oxigraph's crashes near 3,000."""
RDFLIB_PARSER_LOCK = threading.RLock()
"""Held around every use of rdflib's SPARQL parser, which breaks for good when two threads parse at once."""

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_VERBS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "COPY", "MOVE", "ADD", "WITH")
OPT_IN = "pass --allow-remote (Python: allow_remote=True) if you trust the endpoint"
READ_ONLY_FIX = "use SELECT or ASK; change the graph by editing data/ and running kg build"
PN = r"[^\W\d_][\w\-\u00B7\u0300-\u036F\u203F\u2040]*"  # an approximation of PN_PREFIX (dots handled apart)
TOKEN = re.compile(r"""
 (?P<ws>\s+)
|(?P<comment>\#[^\n\r]*)
|(?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''|\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
            |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
|(?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)
|(?P<bnode>_:[\w.\-\u00B7]+)
|(?P<pname>(?:PN(?:\.+[\w\-\u00B7]+)*)?:(?:[\w\-:%.\u00B7]|\\[_~.\-!$&'()*+,;=/?\#@%])*)
|(?P<word>[A-Za-z_]\w*)
|(?P<number>\d*\.?\d+(?:[eE][+-]?\d+)?)
|(?P<other>.)
""".replace("PN", PN), re.VERBOSE | re.DOTALL)
OPEN, CLOSE = "{([", "})]"


class _QueryError(KgError):
    """A refusal about a query: one message, printed as is (no file prefix); picklable across worker processes."""

    def _set(self, message: str) -> None:
        self.problems = [InputError("query", None, message)]
        Exception.__init__(self, message)

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (type(self), self.__dict__, str(self))


def _rebuild(cls: type[_QueryError], state: dict[str, Any], message: str) -> _QueryError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, message)
    return error


class QueryRefused(_QueryError):
    """An update, or a query that would reach outside the dataset (SERVICE, FROM <url>) without opt-in."""

    def __init__(self, why: str, fix: str) -> None:
        self._set(f"refused: {why} (fix: {fix})")


class QuerySyntaxError(_QueryError):
    """Invalid SPARQL, with the 1-based line and column of the problem."""

    def __init__(self, line: int, column: int, message: str) -> None:
        self.line, self.column = line, column
        self._set(f"syntax error at line {line}, column {column}: {message}")


class QueryTooLarge(_QueryError):
    """A query text over :data:`MAX_QUERY_BYTES` or nested deeper than :data:`MAX_NESTING` (exit 2, HTTP 413)."""

    def __init__(self, message: str) -> None:
        self._set(f"query too large: {message}")


class QueryTimeout(_QueryError):
    """A query that ran past its time limit and was stopped."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._set(f"query stopped after {seconds:g} s (--timeout); raise --timeout or narrow the query")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    depth: int  # nesting of { ( [ before this token

    @property
    def word(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the check: its form, the text the engines run (predeclared prefixes added),
    where the WHERE group opens in that text (for bindings) and, for ``SELECT *``, the column order."""

    form: str
    text: str
    where: int | None
    star_order: tuple[str, ...] | None
    added_lines: int

    def bind(self, bindings: Mapping[str, Identifier] | None) -> str:
        """The text with ``bindings`` as a VALUES block opening the WHERE group: every part of the query sees them.

        >>> prepare_query("SELECT ?v WHERE { BIND(?x AS ?v) }").bind({"x": Literal(2)})
        'SELECT ?v WHERE { VALUES (?x) { ("2"^^<http://www.w3.org/2001/XMLSchema#integer>) } BIND(?x AS ?v) }'
        """
        if not bindings:
            return self.text
        if self.where is None:
            raise KgError("cannot bind variables: the query has no WHERE { ... } group")
        for name in bindings:
            if not re.fullmatch(r"[A-Za-z_]\w*", name):
                raise KgError(f"cannot bind {name!r}: a variable name is letters, digits and '_'")
        names = " ".join(f"?{name}" for name in bindings)
        values = " ".join(sparql_term(term) for term in bindings.values())
        return f"{self.text[:self.where]} VALUES ({names}) {{ ({values}) }}{self.text[self.where:]}"

    def order(self, names: list[str]) -> list[str]:
        """The columns of a ``SELECT *`` answer in order of first appearance in the query (engines differ)."""
        if self.star_order is None:
            return names
        rank = {name: i for i, name in enumerate(self.star_order)}
        return sorted(names, key=lambda n: rank.get(n, len(rank)))


def sparql_term(term: Identifier) -> str:
    """An RDF term written in SPARQL syntax for a VALUES block, escaped so that it can never end the term.

    >>> sparql_term(Literal('x" } ; DROP ALL ; #'))
    '"x\\\\" } ; DROP ALL ; #"'
    """
    if isinstance(term, URIRef):
        if re.search(r'[<>"{}|^`\\\x00-\x20]', term):
            raise KgError(f"cannot bind {str(term)!r}: not a valid IRI (fix: percent-encode spaces and <>\"{{}}|^`\\)")
        return f"<{term}>"
    if isinstance(term, Literal):
        text = str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if term.language:
            return f'"{text}"@{term.language}'
        return f'"{text}"' + (f"^^{sparql_term(term.datatype)}" if term.datatype else "")
    if isinstance(term, BNode):
        raise KgError("cannot bind a blank node (SPARQL has none in VALUES): bind an IRI or a literal")
    raise KgError(f"cannot bind {term!r}: use an IRI or a literal")


def _location(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _offset(text: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
    return min(start + column - 1, len(text))


def tokens(text: str) -> list[Token]:
    """The tokens of a query (whitespace and comments left out); QueryTooLarge past :data:`MAX_NESTING`."""
    found, depth, pos = [], 0, 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        assert m is not None  # the last alternative matches any character
        kind, value = m.lastgroup or "other", m.group()
        if kind == "pname" and value.endswith(".") and value != ":":  # PN_LOCAL never ends with a dot
            value = value.rstrip(".")
        pos += len(value)
        if kind in ("ws", "comment"):
            continue
        if value in CLOSE and kind == "other":
            depth = max(depth - 1, 0)
        found.append(Token(kind, value, pos - len(value), depth))
        if value in OPEN and kind == "other":
            depth += 1
            if depth > MAX_NESTING:
                line, column = _location(text, pos - 1)
                raise QueryTooLarge(f"nested deeper than {MAX_NESTING} levels at line {line}, column {column} "
                                    "(fix: flatten the groups or expressions)")
    return found


def _iri(token: Token, declared: Mapping[str, str]) -> str:
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        namespace = declared.get(prefix, str(PREFIXES[prefix]) if prefix in PREFIXES else None)
        return f"<{namespace}{local}>" if namespace is not None else token.text
    return token.text if token.kind in ("iri", "var") else repr(token.text)


def _declared(toks: list[Token]) -> dict[str, str]:
    return {toks[i + 1].text[:-1]: toks[i + 2].text[1:-1] for i, t in enumerate(toks[:-2])
            if t.word == "PREFIX" and toks[i + 1].kind == "pname" and toks[i + 2].kind == "iri"}


def _refuse_update(toks: list[Token]) -> None:
    """Raise QueryRefused if the request is an update (even a broken one), naming its operations."""
    ops, expect_op, skip = [], True, 0
    for i, t in enumerate(toks):
        if skip:
            skip -= 1
            continue
        if expect_op and t.word in ("PREFIX", "BASE"):
            skip = 2 if t.word == "PREFIX" else 1
            continue
        if expect_op:
            if t.word not in UPDATE_VERBS:
                return
            after = toks[i + 1].word if i + 1 < len(toks) else ""
            ops.append("INSERT/DELETE" if t.word == "WITH" or (t.word in ("INSERT", "DELETE") and after not in ("DATA", "WHERE"))
                       else f"{t.word} {after}" if after in ("DATA", "WHERE") else t.word)
            expect_op = False
        elif t.text == ";" and t.depth == 0 and t.kind == "other":
            expect_op = True
    if ops:
        raise QueryRefused(f"this is a SPARQL update ({', '.join(sorted(set(ops)))}); kg queries are read-only", READ_ONLY_FIX)


def _refuse_remote(toks: list[Token], declared: Mapping[str, str]) -> None:
    for i, t in enumerate(toks):
        if t.word == "SERVICE":
            target = toks[i + 2] if i + 2 < len(toks) and toks[i + 1].word == "SILENT" else toks[min(i + 1, len(toks) - 1)]
            raise QueryRefused(f"SERVICE {_iri(target, declared)} would send the query to another endpoint", OPT_IN)
        if t.word == "FROM":
            named = i + 1 < len(toks) and toks[i + 1].word == "NAMED"
            target = toks[min(i + 1 + named, len(toks) - 1)]
            raise QueryRefused(f"{'FROM NAMED' if named else 'FROM'} {_iri(target, declared)} would make the engine fetch that IRI",
                               f"to read one graph of the dataset use GRAPH <iri> {{ ... }}; or {OPT_IN}")


def _prologue(sparql: str, toks: list[Token], declared: Mapping[str, str]) -> str:
    """PREFIX lines for the predeclared prefixes the query uses without declaring; QuerySyntaxError for unknown ones."""
    missing: dict[str, Token] = {}
    for i, t in enumerate(toks):
        if t.kind == "pname" and not (i and toks[i - 1].word == "PREFIX"):
            prefix = t.text.partition(":")[0]
            if prefix not in declared:
                missing.setdefault(prefix, t)
    for prefix, t in missing.items():
        if prefix not in PREFIXES:
            line, column = _location(sparql, t.start)
            raise QuerySyntaxError(line, column, f"undeclared prefix {prefix}: (add PREFIX {prefix}: <...>; "
                                   f"predeclared: {', '.join(sorted(PREFIXES))})")
    return "".join(f"PREFIX {prefix}: <{PREFIXES[prefix]}> " for prefix in sorted(missing))


def with_prefixes(sparql: str) -> str:
    """The query with a first line declaring every prefix of :data:`kg.namespaces.PREFIXES` it uses but does not
    declare itself (for engines and endpoints that predeclare nothing). Line numbers of the query shift by one."""
    toks = tokens(sparql)
    prologue = _prologue(sparql, toks, _declared(toks))
    return f"{prologue.rstrip()}\n{sparql}" if prologue else sparql


EMPTY_STORE = ox.Store()


def _grammar_error(exc: SyntaxError, text: str, original: str, added_lines: int, shift: tuple[int, int, int]) -> QuerySyntaxError:
    """A readable QuerySyntaxError from Oxigraph's 'error at L:C: expected ...', in the user's own lines."""
    m = re.match(r"error at (\d+):(\d+): (.*)", str(exc), re.DOTALL)
    if not m:
        return QuerySyntaxError(1, 1, str(exc))
    line, column, expected = int(m.group(1)) - added_lines, int(m.group(2)), m.group(3)
    if line < 1:
        line, column = 1, 1
    if shift[2] and line == shift[0] and column > shift[1]:
        column -= shift[2]
    offset = _offset(original, line, column)
    sentences = re.findall(r"(?<![\w\"'])((?:[A-Z][a-z]+|SELECT \*)(?: [\w*]+){2,})", expected)
    if sentences:
        said = "; ".join(dict.fromkeys(sentences)).replace("SELECT *", "ASK" if shift[2] else "SELECT *")
        return QuerySyntaxError(line, column, f"{said} (SPARQL 1.1 section 18.2)")
    if offset >= len(original.rstrip()) and expected.strip() == "expected [_]":
        return QuerySyntaxError(*_scoping(original))
    found = original[offset:offset + 20].split("\n")[0]
    words = [w for w in re.findall(r'"[^"]+"|\b[A-Z]{2,}\b', expected)][:8]
    return QuerySyntaxError(line, column, (f"unexpected {found!r}" if found.strip() else "unexpected end of query")
                            + (f"; expected one of {', '.join(words)}" if words else ""))


def _scoping(text: str) -> tuple[int, int, str]:
    """Where a BIND assigns a variable already bound before it in its group (SPARQL 1.1 section 18.2.1), for the message."""
    toks = tokens(text)
    groups: list[set[str]] = [set()]
    for i, t in enumerate(toks):
        if t.text == "{" and t.kind == "other":
            groups.append(set())
        elif t.text == "}" and t.kind == "other" and len(groups) > 1:
            inner = groups.pop()
            groups[-1] |= inner
        elif t.word == "AS" and i + 1 < len(toks) and toks[i + 1].kind == "var" and len(groups) > 1:
            name = toks[i + 1].text[1:]
            if name in groups[-1]:
                line, column = _location(text, toks[i + 1].start)
                return line, column, f"?{name} is already bound before this BIND in its group (SPARQL 1.1 section 18.2.1)"
        elif t.kind == "var":
            groups[-1].add(t.text[1:])
    return (*_location(text, len(text)), "a variable is assigned (BIND or SELECT (expr AS ?v)) while it is already "
            "in scope (SPARQL 1.1 section 18.2.1)")


@lru_cache(maxsize=1024)
def prepare_query(sparql: str, *, allow_remote: bool = False) -> CheckedQuery:
    """Check a query (see the module text) and return it ready to run; raise QueryTooLarge, QuerySyntaxError
    or QueryRefused. Answers are remembered per query text; refusals are raised again each time.

    >>> q = prepare_query("SELECT * WHERE { ?s rdfs:label ?label ; a ?type }")
    >>> q.form, q.star_order, q.text.startswith("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>")
    ('SELECT', ('s', 'label', 'type'), True)
    """
    size = len(sparql.encode("utf-8", "surrogatepass"))
    if size > MAX_QUERY_BYTES:
        raise QueryTooLarge(f"{size:,} bytes; the limit is {MAX_QUERY_BYTES:,} (fix: shorten the query, "
                            "e.g. move long VALUES lists into the data)")
    toks = tokens(sparql)
    if not toks:
        raise QuerySyntaxError(*_location(sparql, len(sparql)), "empty query (only whitespace or comments): "
                               "write a SELECT or ASK query")
    _refuse_update(toks)
    declared = _declared(toks)
    if not allow_remote:
        _refuse_remote(toks, declared)
    prologue = _prologue(sparql, toks, declared)
    form_token = next((t for t in toks if t.word in FORMS and t.depth == 0), None)
    text = f"{prologue.rstrip()}\n{sparql}" if prologue else sparql
    added = 1 if prologue else 0
    base = len(text) - len(sparql)
    checked, shift = text, (0, 0, 0)
    if form_token is not None and form_token.word == "ASK":  # prepared as SELECT *: never evaluated, never fetches
        at = base + form_token.start
        checked = f"{text[:at]}SELECT *{text[at + 3:]}"
        shift = (*_location(sparql, form_token.start), len("SELECT *") - 3)
    try:
        EMPTY_STORE.query(checked)
    except SyntaxError as exc:
        raise _grammar_error(exc, checked, sparql, added, shift) from None
    if form_token is None:
        raise QuerySyntaxError(1, 1, "not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    where = _where(toks, form_token)
    return CheckedQuery(form_token.word, text, None if where is None else base + where, _star_order(toks, form_token), added)


def _where(toks: list[Token], form: Token) -> int | None:
    """Offset (in the user's text) just after the '{' that opens the WHERE group (None: DESCRIBE without one)."""
    after = [t for t in toks if t.start > form.start]
    braces = [t for t in after if t.text == "{" and t.kind == "other" and t.depth == 0]
    where = next((i for i, t in enumerate(after) if t.word == "WHERE" and t.depth == 0), None)
    if where is not None:
        brace = next(t for t in after[where:] if t.text == "{" and t.depth == 0)
    elif not braces:
        return None
    else:  # CONSTRUCT { template } { pattern } has its pattern second
        brace = braces[1] if form.word == "CONSTRUCT" and len(braces) > 1 else braces[0]
    return brace.start + 1


def _star_order(toks: list[Token], form: Token) -> tuple[str, ...] | None:
    i = toks.index(form) + 1
    while i < len(toks) and toks[i].word in ("DISTINCT", "REDUCED"):
        i += 1
    if form.word != "SELECT" or i >= len(toks) or toks[i].text != "*":
        return None
    return tuple(dict.fromkeys(t.text[1:] for t in toks if t.kind == "var"))


def prepare_within(sparql: str, timeout: float | None, *, allow_remote: bool = False) -> CheckedQuery:
    """:func:`prepare_query` bounded in time: QueryTimeout if the check takes longer than ``timeout`` seconds
    (it runs in a daemon thread, which Oxigraph lets run without the GIL; None or 0: no limit).

    >>> prepare_within("ASK { ?s ?p ?o }", 5).form
    'ASK'
    """
    if not timeout:
        return prepare_query(sparql, allow_remote=allow_remote)
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["ok"] = prepare_query(sparql, allow_remote=allow_remote)
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="kg-query-check", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise QueryTimeout(timeout)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["ok"]


def check_query(sparql: str, *, allow_remote: bool = False) -> str:
    """Check a query; return its form 'SELECT' | 'ASK' | 'CONSTRUCT' | 'DESCRIBE' (see :func:`prepare_query`).

    >>> check_query("ASK { ?s ?p ?o }")
    'ASK'
    >>> check_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    kg.querycheck.QueryRefused: refused: SERVICE <http://example.org/sparql> would send the query to another endpoint (fix: ...)
    >>> check_query("SELECT * WHERE {\\n  ?s ?p ?o .\\n  BIND(1 AS ?o) }")
    Traceback (most recent call last):
    ...
    kg.querycheck.QuerySyntaxError: syntax error at line 3, column 13: ?o is already bound before this BIND in its group ...
    """
    return prepare_query(sparql, allow_remote=allow_remote).form
