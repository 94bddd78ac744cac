"""The graph page in headless Chromium: drawn completely, offline, no console errors, hostile labels stay text.

Needs Debian's chromium at /usr/bin/chromium (``.ci/run`` installs it). Without it the browser
tests are skipped, unless KG_REQUIRE_BROWSER=1, when they fail. Screenshots go to artifacts/.
"""

import os
import re
import time
from pathlib import Path

import networkx as nx
import pytest

from kg.cli import main
from kg.graph import load
from kg.network import network, position_iri
from kg.viz import page, script_safe_json, write_page

pytestmark = pytest.mark.slow  # starts servers, processes or a browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic"]
EVIL = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> <a href="javascript:window.__pwned=3">href</a>'


@pytest.fixture(scope="module")
def g() -> nx.MultiDiGraph:
    return network(load())


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("KG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"KG_REQUIRE_BROWSER=1 but {CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); set KG_REQUIRE_BROWSER=1 to fail instead")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(browser, path: Path):
    """Open the file, wait until drawn; return the page, its console messages and requests."""
    tab = browser.new_page(viewport={"width": 1400, "height": 900})
    messages, requests = [], []
    tab.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    tab.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    tab.on("request", lambda r: requests.append(r.url))
    tab.goto(path.resolve().as_uri())
    deadline = time.monotonic() + 60
    # page.evaluate, not wait_for_function: the page's CSP forbids the eval that the latter uses
    while not tab.evaluate("window.kgReady === true"):
        assert time.monotonic() < deadline, "the network was not drawn within 60 s"
        time.sleep(0.05)
    return tab, messages, requests


def test_page_is_self_contained_and_stable(g):
    html = page(g)
    assert html == page(network(load()))  # same graph, same bytes (seeded layout, sorted JSON)
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.DOTALL).lower()  # all but the inlined code
    assert not [ref for ref in ("src=", "href=", "<link", "@import", "url(", "<iframe") if ref in markup]
    assert "default-src 'none'" in html
    assert "@license" in html and "vis.js is dual licensed" in html  # the vendored licence header is kept
    assert script_safe_json({"a": EVIL}).count("<") == 0


def test_seed_page_draws_every_node_and_edge_offline(browser, g, tmp_path):
    path = write_page(g, tmp_path / "seed.html")
    tab, messages, requests = open_page(browser, path)
    counts = tab.evaluate("[kgNetwork.body.data.nodes.length, kgNetwork.body.data.edges.length]")
    assert counts == [g.number_of_nodes(), g.number_of_edges()] == [56, 105]
    assert tab.evaluate("Object.keys(kgNetwork.getPositions()).length") == 56
    assert tab.inner_text("#kg-status") == "56 of 56 nodes, 105 of 105 edges shown"
    assert messages == []
    assert requests == [path.resolve().as_uri()]
    # legend and filters
    assert "depends-on (5)" in tab.inner_text("#kg-relations") and "Condition (2)" in tab.inner_text("#kg-kinds")
    tab.uncheck("#kg-relations input[value='topic']")
    assert tab.inner_text("#kg-status") == "56 of 56 nodes, 75 of 105 edges shown"
    tab.select_option("#kg-actor", "https://w3id.org/kg/id/actor/russia")
    shown = tab.evaluate("kgNetwork.body.data.nodes.getIds()")
    assert position_iri("russia-demands-donbas") in shown and position_iri("any-ceasefire") in shown
    assert position_iri("us-offers-security-guarantees") not in shown
    ARTIFACTS.mkdir(exist_ok=True)
    tab.select_option("#kg-actor", "")
    tab.check("#kg-relations input[value='topic']")
    tab.screenshot(path=str(ARTIFACTS / "graph-page-seed.png"))
    assert messages == []


def test_hostile_labels_show_as_text_and_run_nothing(browser, g, tmp_path):
    hostile = g.copy()
    russia = "https://w3id.org/kg/id/actor/russia"
    demand = position_iri("russia-demands-donbas")
    hostile.nodes[russia]["label"] = "Russia " + EVIL
    hostile.nodes[demand]["content"] = EVIL
    hostile.nodes[demand]["quotes"] = [EVIL]
    path = write_page(hostile, tmp_path / "hostile.html", title="Title " + EVIL)
    tab, messages, requests = open_page(browser, path)
    assert tab.evaluate("window.__pwned") is None
    assert tab.evaluate("document.querySelectorAll('img, a, iframe').length") == 0
    assert tab.evaluate("document.scripts.length") == 3  # vis-network, the JSON data, the page script
    assert tab.title() == "Title " + EVIL
    assert tab.inner_text("#kg-title") == "Title " + EVIL
    assert tab.evaluate(f"document.querySelector('#kg-actor option[value=\"{russia}\"]').textContent") == "Russia " + EVIL
    assert tab.evaluate("kgNetwork.body.data.nodes.length") == g.number_of_nodes()
    # click the hostile node: the details panel shows the text, and still nothing runs
    x, y = tab.evaluate(f"(() => {{ const p = kgNetwork.canvasToDOM(kgNetwork.getPositions(['{demand}'])['{demand}']);"
                        " const r = document.querySelector('#kg-network').getBoundingClientRect();"
                        " return [p.x + r.left, p.y + r.top]; })()")
    tab.mouse.click(x, y)
    details = tab.inner_text("#kg-details")
    assert "Russia insists on the surrender of the entire Donbas" in details
    assert EVIL in details and ("Russia " + EVIL) in details  # statement, quote and holder, all as text
    tab.mouse.move(x, y + 1)
    time.sleep(0.5)
    assert EVIL in tab.inner_text("div.vis-tooltip")
    assert tab.evaluate("window.__pwned") is None
    assert tab.evaluate("document.querySelectorAll('img, a, iframe').length") == 0
    assert requests == [path.resolve().as_uri()]
    assert messages == []
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "graph-page-hostile.png"))


def test_viz_cli_writes_the_dependency_view(browser, tmp_path, capsys):
    out = tmp_path / "dep.html"
    assert main(["viz", "--view", "dependency", "--out", str(out)]) == 0
    assert "13 nodes, 12 edges" in capsys.readouterr().out
    tab, messages, _ = open_page(browser, out)
    assert tab.evaluate("[kgNetwork.body.data.nodes.length, kgNetwork.body.data.edges.length]") == [13, 12]
    assert messages == []
    assert main(["viz", "--out", str(tmp_path / "page.txt")]) == 1
    assert "must be written to an .html file" in capsys.readouterr().err
