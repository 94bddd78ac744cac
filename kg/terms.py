"""RDF terms across engines and from users: rdflib <-> pyoxigraph, Python values and command-line text -> terms.

>>> parse_term("kg:Demand")
rdflib.term.URIRef('https://w3id.org/kg/ontology#Demand')
>>> python_term("https://w3id.org/kg/id/actor/russia")
rdflib.term.URIRef('https://w3id.org/kg/id/actor/russia')
"""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox
from rdflib import XSD, BNode, Literal, URIRef
from rdflib.term import Identifier

from kg.namespaces import PREFIXES

NAMESPACES: dict[str, str] = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
"""Prefix -> namespace: used to read parameters and to shorten IRIs in tables."""


def to_oxigraph(term: Identifier) -> Any:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))
    raise TypeError(f"cannot bind {term!r}: use an IRI, a blank node or a literal")


XSD_STRING = str(XSD.string)
_NEW = str.__new__


def _plain(value: str, language: str | None) -> Literal:
    """A plain or language-tagged literal built without re-checking what Oxigraph already checked."""
    literal = _NEW(Literal, value)
    literal._language, literal._datatype, literal._value, literal._ill_typed = language, None, value, None
    return literal


def to_rdflib(term: Any, cache: dict[Any, Identifier] | None = None) -> Identifier:
    """A pyoxigraph term as the rdflib term rdflib itself would return (xsd:string literals stay plain).

    IRIs and plain literals are built directly (Oxigraph has validated them); typed literals go
    through rdflib (which computes their Python value). With ``cache`` (a dict kept by the caller),
    each distinct term is converted once. Query results take the faster road of :func:`from_tsv`.

    >>> to_rdflib(ox.Literal("15", datatype=ox.NamedNode(str(XSD.integer)))).toPython()
    15
    >>> to_rdflib(ox.Literal("Russia", language="en")) == Literal("Russia", lang="en")
    True
    """
    if cache is not None:
        found = cache.get(term)
        if found is None:
            found = cache[term] = to_rdflib(term)
        return found
    kind = type(term)
    if kind is ox.NamedNode:
        return _NEW(URIRef, term.value)
    if kind is ox.Literal:
        language = term.language
        if language:
            return _plain(term.value, language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return _plain(term.value, None)
        return Literal(term.value, datatype=URIRef(datatype))
    if kind is ox.BlankNode:
        return BNode(term.value)
    raise TypeError(f"unsupported result term {term!r}")


ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
ESCAPED = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
BARE = re.compile(r"(true|false)|[+-]?(?:(\d+)|(\d*\.\d+)|(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+)")
"""A literal written without quotes (Turtle): boolean, integer, decimal or else double, by the group that matched."""
BARE_TYPES = (XSD.boolean, XSD.integer, XSD.decimal)


def _unescape(text: str) -> str:
    r"""The string of a quoted Turtle literal: ``\t``, ``\"``, ``\u00e9``... read back."""
    return ESCAPE.sub(lambda m: chr(int(m[1] or m[2], 16)) if m[3] is None else ESCAPED[m[3]], text)


def from_tsv(cell: str) -> Identifier:
    r"""A term as Oxigraph writes it in SPARQL TSV results (Turtle syntax), as the rdflib term :func:`to_rdflib` gives.

    :class:`kg.results.QueryResult` reads Oxigraph's answers this way: Oxigraph writes the whole
    answer at once (fast), and each distinct term of it is made once, with no pyoxigraph term in
    between. A base direction (``@ar--rtl``) is left out, as rdflib has none.

    >>> from_tsv("<https://w3id.org/kg/id/actor/russia>"), from_tsv('"Russia"@en') == Literal("Russia", lang="en")
    (rdflib.term.URIRef('https://w3id.org/kg/id/actor/russia'), True)
    >>> from_tsv("15").toPython(), str(from_tsv('"say \\"no\\"\\tnow"'))
    (15, 'say "no"\tnow')
    """
    first = cell[0]
    if first == "<":
        if cell.startswith("<<"):
            raise TypeError(f"unsupported result term {cell} (an RDF 1.2 triple term)")
        return _NEW(URIRef, cell[1:-1])
    if first == '"':
        end = cell.rindex('"')  # the closing quote: a language tag or a datatype IRI holds none
        value = cell[1:end]
        if "\\" in value:
            value = _unescape(value)
        if end == len(cell) - 1:
            return _plain(value, None)
        if cell[end + 1] == "@":
            return _plain(value, cell[end + 2:].partition("--")[0])
        return Literal(value, datatype=URIRef(cell[end + 4:-1]))
    if first == "_":
        return BNode(cell[2:])
    bare = BARE.fullmatch(cell)
    if bare is None:
        raise ValueError(f"not a term of SPARQL TSV results: {cell!r}")
    kind = bare.lastindex
    return Literal(cell, datatype=BARE_TYPES[kind - 1] if kind else XSD.double)


def python_term(value: Any) -> Identifier:
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
