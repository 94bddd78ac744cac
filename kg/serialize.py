"""Writing the dataset: deterministic TriG, N-Quads, JSON-LD and Turtle, all files or none.

The same dataset gives byte-identical files (``kg build`` twice, then ``git diff``: nothing), and
:func:`write_outputs` replaces files only when every one of them could be written.

>>> from kg.annotations import load_corpus
>>> from kg.build import build_dataset
>>> sorted(serialize(build_dataset(load_corpus())))
['kg.jsonld', 'kg.nq', 'kg.trig', 'kg.ttl']
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from kg.namespaces import PREFIXES


def serialize(ds: Dataset) -> dict[str, bytes]:
    """The dataset in each output format, as bytes, in a stable order.

    TriG, N-Quads and JSON-LD hold every named graph, in IRI order; ``kg.ttl`` is the union as Turtle.
    """
    graphs = sorted((g for g in ds.graphs() if len(g)), key=lambda g: str(g.identifier))
    union = _bound(Graph())
    for triple in ds.triples((None, None, None)):
        union.add(triple)
    nquads = sorted(set(ds.serialize(format="nquads", encoding="utf-8").decode("utf-8").splitlines()) - {""})
    return {
        "kg.trig": _trig(graphs),
        "kg.nq": ("\n".join(nquads) + "\n").encode("utf-8"),
        "kg.jsonld": _jsonld(ds),
        "kg.ttl": union.serialize(format="turtle", encoding="utf-8"),
    }


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
        lines = body.serialize(format="turtle").splitlines()
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
