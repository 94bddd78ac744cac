"""The query cookbook (docs/cookbook.md): every query gives, on both engines, the answer printed under it.

After changing the seed corpus, ``python tests/test_cookbook.py --write`` reprints every answer from
the rdflib engine (then this test checks that Oxigraph agrees).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from rdflib import URIRef

from kg.corpus import bundled_corpus
from kg.namespaces import PREFIXES

COOKBOOK = Path(__file__).resolve().parents[1] / "docs" / "cookbook.md"
BLOCK = re.compile(r"```sparql\n(?P<query>.*?)```\n(?:\n(?P<answer>(?:\|[^\n]*\n)+))?", re.S)


def short(term) -> str:
    """A cell: IRIs as prefixed names (the longest matching namespace), literals as their text."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        matches = [(len(ns), f"{prefix}:{term[len(ns):]}") for prefix, ns in PREFIXES.items() if term.startswith(str(ns))]
        return max(matches)[1] if matches else f"<{term}>"
    return str(term).replace("|", "\\|").replace("\n", " ")


def render(result) -> str:
    """The answer as a Markdown table, one column per variable of the SELECT, in order."""
    lines = ["| " + " | ".join(result.vars) + " |", "|" + "---|" * len(result.vars)]
    lines += ["| " + " | ".join(short(row.get(v)) for v in result.vars) + " |" for row in result.rows]
    return "\n".join(lines) + "\n"


def recipes() -> list[tuple[str, str]]:
    """(query, printed answer) for every SPARQL block of the cookbook."""
    return [(m["query"], m["answer"] or "") for m in BLOCK.finditer(COOKBOOK.read_text(encoding="utf-8"))]


def test_every_pattern_has_a_section_with_a_query():
    text = COOKBOOK.read_text(encoding="utf-8")
    sections = re.findall(r"^## (.+)$", text, re.M)
    assert sections == ["Positions", "Holders", "Addressees", "Quantities", "Firmness and hedges", "Evidence and offsets",
                        "Sources", "Events and participants", "Memberships and roles", "Dependencies with their evidence",
                        "Reasons and purposes", "Stance changes", "Articles and dates", "Labels", "The IRI scheme"]
    assert len(recipes()) >= len(sections)
    assert all(answer.count("\n") >= 3 for _, answer in recipes()), "every query has an answer with at least one row"


@pytest.mark.parametrize("number", range(len(recipes())))
def test_cookbook_query_gives_the_printed_answer(graphs, seed_corpus, number):
    if seed_corpus.root.resolve() != bundled_corpus().root.resolve():
        pytest.skip("the cookbook prints its answers on the seed corpus alone")
    query, answer = recipes()[number]
    for engine, graph in graphs.items():
        assert render(graph.query(query)) == answer, f"{engine}: query {number + 1} of the cookbook"


def write() -> None:
    """Reprint every answer of the cookbook from the built seed graph (rdflib engine)."""
    import kg

    graph = kg.load()
    text = COOKBOOK.read_text(encoding="utf-8")
    COOKBOOK.write_text(BLOCK.sub(lambda m: f"```sparql\n{m['query']}```\n\n{render(graph.query(m['query']))}", text),
                        encoding="utf-8")


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    write()
