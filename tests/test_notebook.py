"""Notebooks: the walk-through notebook runs (nbclient, a real kernel) and shows tables and the inline page;
rich displays of KnowledgeGraph and query results are escaped HTML."""

from __future__ import annotations

import html

import nbformat
import pytest
from rdflib import Literal, URIRef

from conftest import REPO
from kg.results import QueryResult

NOTEBOOK = REPO / "examples" / "walkthrough.ipynb"


def html_outputs(nb: nbformat.NotebookNode) -> list[str]:
    return [out["data"]["text/html"] for cell in nb.cells if cell.cell_type == "code"
            for out in cell.outputs if "text/html" in out.get("data", {})]


def check_outputs(outputs: list[str]) -> None:
    summary, actors, *_, page = outputs
    assert "<b>kg.KnowledgeGraph</b>" in summary and "<td>actors</td>" in summary
    assert "<th>actor</th><th>kind</th><th>label</th><th>name</th>" in actors
    assert "<td>https://w3id.org/kg/id/actor/russia</td>" in actors and "<td>the Kremlin</td>" in actors
    assert any("<th>quote</th>" in out and "<th>text</th>" in out for out in outputs)  # evidence, raw and normalised
    assert page.startswith('<iframe class="kg-graph-page" srcdoc="&lt;!DOCTYPE html&gt;') and 'sandbox="allow-scripts"' in page
    inner = html.unescape(page.split('srcdoc="', 1)[1].split('"', 1)[0])
    assert "<title>Seed corpus</title>" in inner and "default-src 'none'" in inner


def test_saved_notebook_shows_tables_and_the_inline_page():
    check_outputs(html_outputs(nbformat.read(NOTEBOOK, as_version=4)))


@pytest.mark.slow
def test_notebook_runs_with_nbclient():
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(nb, timeout=300, kernel_name="python3", record_timing=False, resources={"metadata": {"path": str(REPO)}}).execute()
    check_outputs(html_outputs(nb))


def test_query_results_display_as_escaped_tables():
    result = QueryResult(["actor", "name"], [{"actor": URIRef("urn:x:a"), "name": Literal("<script>alert(1)</script>")},
                                             {"actor": URIRef("urn:x:b")}])
    shown = result._repr_html_()
    assert "<script>" not in shown and "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert shown.count("<tr>") == 3 and "<td>urn:x:b</td><td></td>" in shown and shown.endswith("<p>2 rows</p>")
    assert "the first 1 shown" in result._repr_html_(max_rows=1)
    assert QueryResult([], [], True)._repr_html_() == "<p>true</p>"
