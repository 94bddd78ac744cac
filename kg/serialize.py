"""Writing the dataset: deterministic TriG, N-Quads, JSON-LD and Turtle, all files or none.

The same dataset gives byte-identical files (``kg build`` twice, then ``git diff``: nothing), and
:func:`write_outputs` replaces files only when every one of them could be written.

Nothing unparseable is written: characters that line-based readers take for line breaks, and
other control characters (U+000B, U+000C, U+001C-U+001E, U+0085, U+2028, U+2029, ...), which
rdflib's writers leave raw inside literals, are written as ``\\uXXXX`` escapes in TriG, N-Quads
and Turtle (:func:`escape_controls`), and :func:`serialize` parses every file back with
pyoxigraph, a second parser, and checks that it holds the same number of quads
(:func:`verify`) before anything can replace the previous build.

>>> from kg.annotations import load_corpus
>>> from kg.build import build_dataset
>>> sorted(serialize(build_dataset(load_corpus())))
['kg.jsonld', 'kg.nq', 'kg.trig', 'kg.ttl']
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from itertools import groupby
from pathlib import Path
from typing import Any

import pyoxigraph
from rdflib import RDF, BNode, Dataset, Literal
from rdflib.term import Node

from kg.errors import InputError, KgError
from kg.namespaces import PREFIXES

#: characters escaped as \uXXXX in TriG, N-Quads and Turtle: C0 controls but tab, line feed and
#: carriage return (rdflib escapes the last two itself), DEL, and the Unicode line separators
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]")
FORMATS = {"kg.trig": pyoxigraph.RdfFormat.TRIG, "kg.nq": pyoxigraph.RdfFormat.N_QUADS,
           "kg.jsonld": pyoxigraph.RdfFormat.JSON_LD, "kg.ttl": pyoxigraph.RdfFormat.TURTLE}
"""The output files and the format pyoxigraph reads each in."""
BUG = "report this as a bug of kg, with the input that caused it"


def escape_controls(text: str) -> str:
    """Write the characters of :data:`UNSAFE` as ``\\uXXXX`` (valid in any string or IRI of TriG, N-Quads, Turtle).

    They can only occur inside literals and IRIs there, where the escape means the same character.

    >>> escape_controls('"a\\u2028b\\x0cc"')
    '"a\\\\u2028b\\\\u000Cc"'
    """
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04X}", text)


Quad = tuple[str, str, str, str]
"""(subject, predicate, object, graph) as N-Triples terms."""

_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_ECHAR = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def term(node: Node) -> str:
    """A term in N-Triples syntax, with every character of :data:`UNSAFE` escaped.

    >>> from rdflib import URIRef
    >>> term(Literal("a\\u2028b", lang="en")), term(URIRef("http://x/a")), term(Literal(15))
    ('"a\\\\u2028b"@en', '<http://x/a>', '"15"^^<http://www.w3.org/2001/XMLSchema#integer>')
    """
    if isinstance(node, Literal):
        text = '"' + escape_controls(str(node).translate(_ECHAR)) + '"'
        return text + (f"@{node.language}" if node.language else f"^^<{node.datatype}>" if node.datatype else "")
    if isinstance(node, BNode):
        return f"_:{node}"
    return f"<{escape_controls(str(node))}>"


def _quads(ds: Dataset) -> tuple[list[Quad], dict[str, Node]]:
    """Every quad as N-Triples text, sorted, and the node each text stands for (read graph by graph: rdflib's
    union of all graphs looks up the graphs of every triple, which costs more than the triples)."""
    memo: dict[Node, str] = {}

    def text(node: Node) -> str:
        if node not in memo:
            memo[node] = term(node)
        return memo[node]

    quads = {(text(s), text(p), text(o), g) for graph in ds.graphs() if len(graph)
             for g in (text(graph.identifier),) for s, p, o in graph}
    return sorted(quads), {written: node for node, written in memo.items()}


class _Names:
    """IRIs written as prefixed names where the local part is a plain name (``kg:Demand``), else as ``<IRI>``."""

    def __init__(self) -> None:
        self.spaces = sorted(((str(ns), prefix) for prefix, ns in PREFIXES.items()), key=lambda p: -len(p[0]))
        self.used: set[str] = set()
        self.cache: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        if not text.startswith("<"):
            return text
        if text not in self.cache:
            iri, short = text[1:-1], text
            for space, prefix in self.spaces:
                if iri.startswith(space) and _LOCAL.fullmatch(iri[len(space):]):
                    short = f"{prefix}:{iri[len(space):]}"
                    self.used.add(prefix)
                    break
            self.cache[text] = "a" if iri == str(RDF.type) else short
        return self.cache[text]

    def literal(self, text: str) -> str:
        head, sep, datatype = text.rpartition("^^")
        return f"{head}^^{self(datatype)}" if sep and head.endswith('"') else text

    def prefixes(self) -> str:
        return "".join(f"@prefix {p}: <{PREFIXES[p]}> .\n" for p in sorted(self.used)) + "\n"


def _block(triples: list[tuple[str, str, str]], names: _Names, indent: str = "") -> list[str]:
    """Turtle for sorted triples: one subject per paragraph, ``;`` between predicates, ``,`` between objects."""
    lines: list[str] = []
    for subject, rows in groupby(triples, key=lambda t: t[0]):
        parts = []
        for predicate, objects in groupby(rows, key=lambda t: t[1]):
            values = [names.literal(o) if o.startswith('"') else names(o) for _, _, o in objects]
            parts.append(f"{names(predicate)} " + " ,\n        ".join(values))
        lines.append(f"{indent}{names(subject)} " + f" ;\n{indent}    ".join(parts) + " .")
    return lines


def serialize(ds: Dataset) -> dict[str, bytes]:
    """The dataset in each output format, as bytes, in a stable order.

    TriG, N-Quads and JSON-LD hold every named graph, in IRI order; ``kg.ttl`` is the union as Turtle.
    Subjects, predicates and objects are sorted, so a change to the sources shows as a small diff;
    All four are written here: linear, every literal on one line, escaped.
    """
    quads, nodes = _quads(ds)
    files = {
        "kg.trig": _trig(quads),
        "kg.nq": "".join(f"{s} {p} {o} {g} .\n" for s, p, o, g in quads).encode("utf-8"),
        "kg.jsonld": _jsonld(quads, nodes),
        "kg.ttl": _turtle(sorted({(s, p, o) for s, p, o, _ in quads})),
    }
    verify(files, quads=len(quads), triples=len({q[:3] for q in quads}))
    return files


def _trig(quads: list[Quad]) -> bytes:
    """TriG, graph by graph in IRI order."""
    names = _Names()
    blocks = [f"{graph} {{\n" + "\n".join(_block([q[:3] for q in rows], names)) + "\n}\n"
              for graph, rows in groupby(sorted(quads, key=lambda q: (q[3], q[:3])), key=lambda q: q[3])]
    return (names.prefixes() + "\n".join(blocks)).encode("utf-8")


def _turtle(triples: list[tuple[str, str, str]]) -> bytes:
    """The union of all graphs as Turtle."""
    names = _Names()
    body = "\n".join(_block(triples, names))
    return (names.prefixes() + body + "\n").encode("utf-8")


def _jsonld_value(node: Node) -> dict[str, str]:
    """An object in expanded JSON-LD: ``{"@id": ...}`` or ``{"@value": ..., "@language"/"@type": ...}``."""
    if isinstance(node, Literal):
        value = {"@value": str(node)}
        if node.language:
            value["@language"] = node.language
        elif node.datatype is not None:
            value["@type"] = str(node.datatype)
        return value
    return {"@id": _jsonld_id(node)}


def _jsonld_id(node: Node) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def _jsonld(quads: list[Quad], nodes: dict[str, Node]) -> bytes:
    """Expanded JSON-LD: one object per named graph in IRI order, in it one node per line (subjects in the
    order of their N-Triples text), its properties and values in that order too (``rdf:type`` as ``@type``).

    >>> from rdflib import URIRef
    >>> g, s, t, p = URIRef("http://x/g"), URIRef("http://x/s"), URIRef("http://x/T"), URIRef("http://x/p")
    >>> quad = [term(n) for n in (s, RDF.type, t, g)], [term(n) for n in (s, p, Literal("é", lang="fr"), g)]
    >>> print(_jsonld(sorted(tuple(q) for q in quad), {term(n): n for n in (g, s, t, p, RDF.type, Literal("é", lang="fr"))}).decode())
    [
    {"@id": "http://x/g", "@graph": [
     {"@id": "http://x/s", "@type": ["http://x/T"], "http://x/p": [{"@value": "é", "@language": "fr"}]}
    ]}
    ]
    <BLANKLINE>
    """
    rdf_type = term(RDF.type)
    blocks = []
    for graph, in_graph in groupby(sorted(quads, key=lambda q: (q[3], q[:3])), key=lambda q: q[3]):
        lines = []
        for subject, triples in groupby(in_graph, key=lambda q: q[0]):
            node: dict[str, Any] = {"@id": _jsonld_id(nodes[subject])}
            for predicate, rows in groupby(triples, key=lambda q: q[1]):
                objects = [nodes[q[2]] for q in rows]
                if predicate == rdf_type and not any(isinstance(o, Literal) for o in objects):
                    node["@type"] = [_jsonld_id(o) for o in objects]
                else:
                    node[str(nodes[predicate])] = [_jsonld_value(o) for o in objects]
            lines.append(json.dumps(node, ensure_ascii=False))
        blocks.append(f'{{"@id": {json.dumps(_jsonld_id(nodes[graph]), ensure_ascii=False)}, "@graph": [\n '
                      + ",\n ".join(lines) + "\n]}")
    return ("[\n" + ",\n".join(blocks) + "\n]\n").encode("utf-8")


def verify(files: dict[str, bytes], quads: int, triples: int) -> None:
    """Parse every file back with pyoxigraph; raise KgError unless each holds the expected number of quads.

    >>> verify({"kg.nq": b'<http://x/a> <http://x/p> "a\\\\u000Cb" <http://x/g> .\\n'}, quads=1, triples=1)
    >>> verify({"kg.nq": b'<http://x/a> <http://x/p> "a\\nb" <http://x/g> .\\n'}, quads=1, triples=1)
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    kg.errors.KgError: kg.nq: the written file does not parse back (...
    """
    for name, data in files.items():
        expected = triples if name == "kg.ttl" else quads
        try:
            found = sum(1 for _ in pyoxigraph.parse(data, format=FORMATS[name]))
        except SyntaxError as exc:
            raise KgError([InputError(name, None, f"the written file does not parse back ({exc}); nothing was written",
                                      BUG)]) from exc
        if found != expected:
            raise KgError([InputError(name, None, f"parsed back {found} quads, not {expected}; nothing was written", BUG)])


def write_outputs(files: dict[Path, bytes]) -> list[Path]:
    """Write all files or none: each goes to a temporary file first and is renamed into place."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.chmod(tmp, 0o644)
            staged.append((path, Path(tmp)))
    except OSError:
        for _, tmp in staged:
            tmp.unlink(missing_ok=True)
        raise
    for path, tmp in staged:
        os.replace(tmp, path)
    return [path for path, _ in staged]
