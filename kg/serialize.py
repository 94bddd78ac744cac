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
from pathlib import Path
from typing import Any

import pyoxigraph
from rdflib import Dataset, Graph

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


def serialize(ds: Dataset) -> dict[str, bytes]:
    """The dataset in each output format, as bytes, in a stable order.

    TriG, N-Quads and JSON-LD hold every named graph, in IRI order; ``kg.ttl`` is the union as Turtle.
    """
    graphs = sorted((g for g in ds.graphs() if len(g)), key=lambda g: str(g.identifier))
    union = _bound(Graph())
    for triple in ds.triples((None, None, None)):
        union.add(triple)
    nquads = sorted(set(escape_controls(ds.serialize(format="nquads")).split("\n")) - {""})
    files = {
        "kg.trig": _trig(graphs),
        "kg.nq": ("\n".join(nquads) + "\n").encode("utf-8"),
        "kg.jsonld": _jsonld(ds),
        "kg.ttl": escape_controls(union.serialize(format="turtle")).encode("utf-8"),
    }
    verify(files, quads=len(nquads), triples=len(union))
    return files


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


def _bound(graph: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    return graph


def _trig(graphs: list[Graph]) -> bytes:
    """TriG written graph by graph (rdflib's own TriG writer orders graphs by hash)."""
    prefixes: set[str] = set()
    blocks = []
    for graph in graphs:
        body = _bound(Graph()) + graph
        lines = escape_controls(body.serialize(format="turtle")).split("\n")  # not splitlines: U+000C is no line break
        prefixes.update(line for line in lines if line.startswith("@prefix"))
        content = "\n".join(line for line in lines if not line.startswith("@prefix")).strip("\n")
        blocks.append(f"<{graph.identifier}> {{\n{content}\n}}\n")  # not indented: long literals span lines
    return ("\n".join(sorted(prefixes)) + "\n\n" + "\n".join(blocks)).encode("utf-8")


def _jsonld(ds: Dataset) -> bytes:
    """JSON-LD with every node list sorted by @id (sets have no order; @list contents keep theirs)."""
    context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    document = json.loads(ds.serialize(format="json-ld", context=context, auto_compact=True))

    def ordered(value: Any, in_list: bool = False) -> Any:
        if isinstance(value, dict):
            return {k: ordered(v, k == "@list") for k, v in value.items()}
        if isinstance(value, list):
            items = [ordered(v) for v in value]
            return items if in_list else sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
        return value

    return (json.dumps(ordered(document), indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


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
