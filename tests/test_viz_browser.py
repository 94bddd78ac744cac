"""The graph page in headless Chromium: drawn completely, offline, no console errors, hostile labels stay text;
search, normalised quotes, cards inside a 1366x768 screen, readable labels, the overview with drill-down.

Needs Debian's chromium at /usr/bin/chromium (``.ci/run`` installs it). Without it the browser
tests are skipped, unless KG_REQUIRE_BROWSER=1, when they fail. Screenshots go to artifacts/.
"""

import json
import os
import re
import time
from pathlib import Path

import networkx as nx
import pytest

import kg
import kg.viz
from kg.articles import ArticleInfo, Thread, ThreadMember, annotate
from kg.cli import main
from kg.graph import load
from kg.network import dependency_view, network, position_iri
from kg.viz import inline_page, page, script_safe_json, write_page

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


def wait_ready(tab) -> None:
    deadline = time.monotonic() + 60
    # page.evaluate, not wait_for_function: the page's CSP forbids the eval that the latter uses
    while not tab.evaluate("window.kgReady === true"):
        assert time.monotonic() < deadline, "the network was not drawn within 60 s"
        time.sleep(0.05)


def open_page(browser, path: Path, width: int = 1400, height: int = 900):
    """Open the file, wait until drawn; return the page, its console messages and requests."""
    tab = browser.new_page(viewport={"width": width, "height": height})
    messages, requests = [], []
    tab.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    tab.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    tab.on("request", lambda r: requests.append(r.url))
    tab.goto(path.resolve().as_uri())
    wait_ready(tab)
    return tab, messages, requests


def click_node(tab, node: str) -> None:
    # bring the node to the middle of the free part of the canvas (left of the card), as a user would, then click it
    tab.evaluate(f"(() => {{ const p = kgNetwork.getPositions(['{node}'])['{node}'];"
                 " kgNetwork.moveTo({position: p, scale: 1.5, offset: {x: -250, y: 0}, animation: false}); })()")
    time.sleep(0.1)
    x, y = tab.evaluate(f"(() => {{ const p = kgNetwork.canvasToDOM(kgNetwork.getPositions(['{node}'])['{node}']);"
                        " const r = document.querySelector('#kg-network').getBoundingClientRect();"
                        " return [p.x + r.left, p.y + r.top]; })()")
    tab.mouse.click(x, y)
    return x, y


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
    hostile.nodes[demand]["texts"] = ["normalised " + EVIL]
    article = hostile.nodes[demand]["source"]
    hostile.graph["articles"] = {article: ArticleInfo(article, "000_0e22b9a82a6b1fdf", "2026-01-27", "Title " + EVIL, "Outlet " + EVIL)}
    ceasefire = position_iri("any-ceasefire")
    hostile.graph["threads"] = [Thread("urn:x:thread", "Thread " + EVIL, 1, (
        ThreadMember(demand, "a", "2026-01-27", article, None), ThreadMember(ceasefire, "b", "2026-01-28", article, "updates")))]
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
    x, y = click_node(tab, demand)
    details = tab.inner_text("#kg-details")
    assert "Russia insists on the surrender of the entire Donbas" in details
    assert EVIL in details and ("Russia " + EVIL) in details  # statement, quote and holder, all as text
    assert "\u201cnormalised " + EVIL in details
    assert f"Thread: Thread {EVIL}" in details and f"2026-01-27 \u00b7 Title {EVIL} \u00b7 Outlet {EVIL}" in details
    assert tab.evaluate("document.querySelector('#kg-article option[value=\"0\"]').textContent") == \
        f"2026-01-27 \u00b7 Title {EVIL} \u00b7 Outlet {EVIL} (000_0e22b9a82a6b1fdf)"
    tab.check("#kg-raw")
    assert "\u201c" + EVIL + "\u201d" in tab.inner_text("#kg-details")  # the raw quote, on demand, as text
    tab.mouse.move(x, y + 1)
    time.sleep(0.6)
    assert EVIL in tab.inner_text("div.kg-tooltip")
    tab.fill("#kg-search", EVIL)
    tab.press("#kg-search", "Enter")
    wait_ready(tab)
    assert tab.evaluate("kgNetwork.getSelectedNodes()") == [russia]  # found by the hostile text in its label, as text
    tab.fill("#kg-search", "no such name")
    tab.press("#kg-search", "Enter")
    assert tab.inner_text("#kg-search-status") == "No node has that name"
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


NOISE = "which is the"


def test_search_cards_quotes_and_first_view_on_a_laptop_screen(browser, g, tmp_path):
    path = write_page(g, tmp_path / "seed.html")
    tab, messages, _ = open_page(browser, path, 1366, 768)
    # labels are readable at first view: 13 px labels at a scale of at least 1
    assert tab.evaluate("kgNetwork.getScale()") >= 1
    # the search box finds a node by its label, an alias, or its statement id, in any case
    for name, node in [("the Kremlin", "https://w3id.org/kg/id/actor/russia"), ("washington", "https://w3id.org/kg/id/actor/united-states"),
                       ("any-ceasefire", position_iri("any-ceasefire")), ("A signed peace settlement", position_iri("signed-settlement"))]:
        tab.fill("#kg-search", name)
        tab.press("#kg-search", "Enter")
        wait_ready(tab)
        assert tab.evaluate("kgNetwork.getSelectedNodes()") == [node], name
        box = tab.evaluate("JSON.stringify(document.querySelector('#kg-details').getBoundingClientRect())")
        rect = json.loads(box)
        assert rect["top"] >= 0 and rect["left"] >= 0 and rect["bottom"] <= 768 and rect["right"] <= 1366, (name, rect)
        assert tab.inner_text("#kg-details .kg-card h3") == g.nodes[node]["label"]
    # every card shows the normalised quote: the noise only when the raw quotes are asked for
    noisy = [n for n, a in g.nodes(data=True) if any(NOISE in q for q in a.get("quotes", []))]
    assert noisy, "the seed has quotes with noise"
    for node in noisy:
        tab.evaluate(f"kgNetwork.selectNodes(['{node}'])")
        click_node(tab, node)
        card = tab.inner_text("#kg-details")
        assert "\u201c" in card and NOISE not in card, node
        rect = json.loads(tab.evaluate("JSON.stringify(document.querySelector('#kg-details').getBoundingClientRect())"))
        assert rect["bottom"] <= 768 and rect["right"] <= 1366
    tab.check("#kg-raw")
    assert NOISE in tab.inner_text("#kg-details")
    assert messages == []


def test_dependency_view_names_the_holders(browser, g, tmp_path):
    view = dependency_view(g)
    path = write_page(view, tmp_path / "dep.html")
    tab, messages, _ = open_page(browser, path, 1366, 768)
    guarantees = position_iri("us-offers-security-guarantees")
    click_node(tab, guarantees)
    details = tab.inner_text("#kg-details")
    assert "Held by\tUnited States" in details or "Held by\nUnited States" in details
    assert "https://w3id.org/kg/id/actor/" not in tab.evaluate("JSON.stringify(kgData.nodes.map(n => n.kg.rows))")
    assert messages == []


def test_overview_and_drill_down_on_the_invented_corpus(browser, invented, tmp_path, monkeypatch):
    g = network(kg.load(invented.dataset))
    monkeypatch.setattr(kg.viz, "OVERVIEW_ABOVE", 5)  # the invented corpus is small: open it as a large one would
    path = write_page(g, tmp_path / "overview.html")
    tab, messages, requests = open_page(browser, path, 1366, 768)
    aldoria, water = "https://w3id.org/kg/id/actor/aldoria", "https://w3id.org/kg/id/issue/water-guarantee"
    shown = tab.evaluate("kgNetwork.body.data.nodes.get().map(n => n.label)")
    held = sorted(n for u, n, k in g.out_edges(aldoria, keys=True) if k == "holds")
    assert f"Aldoria ({len(held)})" in shown and any(label.startswith("water guarantee (") for label in shown)
    assert not [n for n in tab.evaluate("kgNetwork.body.data.nodes.getIds()") if "/article/" in n]  # no position yet
    assert tab.inner_text("#kg-status").startswith("Overview: ")
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "graph-page-overview.png"))
    click_node(tab, aldoria)
    wait_ready(tab)
    ids = tab.evaluate("kgNetwork.body.data.nodes.getIds()")
    assert set(held) <= set(ids) and aldoria in ids and water in ids
    assert "Aldoria" in tab.inner_text("#kg-details") and "Positions" in tab.inner_text("#kg-details")
    assert tab.is_visible("#kg-back")
    click_node(tab, held[0])
    assert tab.inner_text("#kg-details .kg-card h3") == g.nodes[held[0]]["label"]
    tab.click("#kg-back")
    wait_ready(tab)
    assert tab.inner_text("#kg-status").startswith("Overview: ")
    # the search box drills down by itself
    tab.fill("#kg-search", "brenn-demands-25-years")
    tab.press("#kg-search", "Enter")
    wait_ready(tab)
    [demand] = [n for n in g if n.endswith("/brenn-demands-25-years")]
    assert tab.evaluate("kgNetwork.getSelectedNodes()") == [demand]
    assert tab.inner_text("#kg-details .kg-card h3") == "Brenn insists on a 25-year guarantee"
    assert messages == [] and requests == [path.resolve().as_uri()]


def test_inline_page_for_notebooks_is_an_isolated_frame(browser, g, tmp_path):
    frame = inline_page(g, title="Seed " + EVIL)._repr_html_()
    assert frame.count("<iframe") == 1 and 'sandbox="allow-scripts"' in frame and "<script" not in frame  # all inside srcdoc
    host = tmp_path / "notebook.html"
    host.write_text(f"<!DOCTYPE html><html><body><h1 id=nb>Notebook</h1>{frame}</body></html>", encoding="utf-8")
    tab = browser.new_page(viewport={"width": 1366, "height": 900})
    messages = []
    tab.on("pageerror", lambda e: messages.append(str(e)))
    tab.goto(host.as_uri())
    inner = tab.frames[1]
    deadline = time.monotonic() + 60
    while not inner.evaluate("window.kgReady === true"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert inner.evaluate("kgNetwork.body.data.nodes.length") == g.number_of_nodes()
    assert inner.inner_text("#kg-title") == "Seed " + EVIL
    assert tab.evaluate("getComputedStyle(document.body).margin") == "8px"  # the notebook's own styles untouched
    assert tab.evaluate("window.__pwned") is None and inner.evaluate("window.__pwned") is None
    assert messages == []


def test_dealspace_overlay_highlights_one_concession_set_at_a_time(browser, tmp_path: Path) -> None:
    """kg viz --dealspace GOAL: the concession sets of the analysis, each highlighted on demand."""
    from kg.dealspace import annotate_quantities, dealspace, overlay

    graph = load()
    net = network(graph)
    result = dealspace(annotate_quantities(net, graph), "us-offers-security-guarantees")
    path = write_page(net, tmp_path / "deal.html", dealspace=overlay(result))
    tab, messages, requests = open_page(browser, path)
    options = tab.evaluate("Array.from(document.querySelectorAll('#kg-deal option')).map(o => o.textContent)")
    assert options[0] == "No concession set highlighted" and len(options) == 1 + len(result.concessions)
    tab.select_option("#kg-deal", "0")
    first = result.concessions[0]
    given_up = [c.position for c in first.concessions]
    borders = tab.evaluate(f"{json.dumps(given_up)}.map(id => kgNetwork.body.data.nodes.get(id).borderWidth)")
    assert borders == [5] * len(given_up)
    info = tab.evaluate("document.querySelector('#kg-deal-info').textContent")
    assert f"cost {first.cost}" in info and "Russia insists on the surrender of the entire Donbas" in info
    tab.select_option("#kg-deal", "")
    assert tab.evaluate(f"kgNetwork.body.data.nodes.get({json.dumps(given_up[0])}).borderWidth") == 1
    assert not messages and all(r.startswith("file://") for r in requests)


ALDORIA, BRENN = "001_aldoria-offer", "002_brenn-lowers"
FIRST, SECOND = f"2026-03-02 \u00b7 {ALDORIA}", f"2026-03-20 \u00b7 {BRENN}"


@pytest.fixture(scope="module")
def invented_net(invented) -> nx.MultiDiGraph:
    """The network of the INVENTED two-article corpus, with its articles and threads (kg viz does the same)."""
    graph = kg.load(invented.dataset)
    return annotate(network(graph), graph)


def statements_shown(tab) -> list[str]:
    """The positions and events drawn, as ARTICLE/id (not the actors of one article, such as its author: ARTICLE/actor/id)."""
    return sorted(n.split("/article/")[1] for n in tab.evaluate("kgNetwork.body.data.nodes.getIds()")
                  if "/article/" in n and n.split("/article/")[1].count("/") == 1)


def test_article_and_date_filters_keep_what_they_name(browser, invented_net, tmp_path):
    path = write_page(invented_net, tmp_path / "invented.html")
    tab, messages, requests = open_page(browser, path, 1366, 768)
    options = tab.evaluate("Array.from(document.querySelectorAll('#kg-article option')).map(o => o.textContent)")
    assert options == ["All articles (2)", FIRST, SECOND]
    tab.select_option("#kg-article", label=FIRST)
    wait_ready(tab)
    first = [f"{ALDORIA}/{s}" for s in ("aldoria-offers-guarantee", "brenn-demands-25-years", "signed-border-accord", "talks-in-port-vell")]
    assert statements_shown(tab) == first  # only the first article's positions and event
    ids = tab.evaluate("kgNetwork.body.data.nodes.getIds()")
    actors = {n.rsplit("/", 1)[1] for n in ids if "/actor/" in n}
    assert actors == {"aldoria", "brenn", "coastal-union"}  # the actors linked to them stay; the unlinked author goes
    assert tab.inner_text("#kg-status").endswith(f"; filtered to article {ALDORIA}")
    # combined with the other controls: no demands, then demands again
    tab.uncheck("#kg-kinds input[value='position:Demand']")
    assert statements_shown(tab) == [s for s in first if "demands" not in s]
    tab.check("#kg-kinds input[value='position:Demand']")
    tab.select_option("#kg-article", "")
    wait_ready(tab)
    assert len(statements_shown(tab)) == 7
    # dates: a statement's own date, else its article's (002 is dated 2026-03-20; its demand says Thursday, 2026-03-19)
    tab.fill("#kg-to", "2026-03-10")
    wait_ready(tab)
    assert statements_shown(tab) == first  # the later statements are hidden
    assert f"{BRENN}/brenn-demands-15-years" not in statements_shown(tab)
    tab.fill("#kg-from", "2026-03-19")
    tab.fill("#kg-to", "2026-03-19")
    wait_ready(tab)
    assert statements_shown(tab) == [f"{BRENN}/brenn-demands-15-years"]
    assert tab.inner_text("#kg-status").endswith("; filtered to dates 2026-03-19 to 2026-03-19")
    assert messages == [] and requests == [path.resolve().as_uri()]


def thread_items(tab) -> list[list[str]]:
    return tab.evaluate("Array.from(document.querySelectorAll('#kg-details .kg-thread li'))"
                        ".map(li => Array.from(li.children).map(c => c.textContent))")


def test_a_positions_thread_lists_its_reports_in_other_articles(browser, invented_net, tmp_path):
    path = write_page(invented_net, tmp_path / "invented.html")
    tab, messages, _ = open_page(browser, path, 1366, 768)
    earlier, later = (f"https://w3id.org/kg/id/article/{a}/{s}"
                      for a, s in ((ALDORIA, "brenn-demands-25-years"), (BRENN, "brenn-demands-15-years")))
    tab.select_option("#kg-article", label=FIRST)  # the later report is filtered out
    wait_ready(tab)
    click_node(tab, earlier)
    thread = tab.inner_text("#kg-details .kg-thread")
    assert "Thread: Brenn: Demand on water guarantee" in thread and "2 reports, 2 independent source(s), in date order" in thread
    assert thread_items(tab) == [
        ["2026-03-02", "Brenn insists on a 25-year guarantee (this report)", "first report", FIRST],
        ["2026-03-19", "Brenn lowers its demand to a 15-year guarantee", "supersedes the report before", SECOND]]
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "graph-page-thread.png"))
    # the other report is a link: it selects that statement, clearing the article filter that hid it
    tab.click("#kg-details .kg-thread button.kg-thread-label")
    wait_ready(tab)
    assert tab.evaluate("kgNetwork.getSelectedNodes()") == [later]
    assert tab.inner_text("#kg-details .kg-card h3") == "Brenn lowers its demand to a 15-year guarantee"
    assert tab.evaluate("document.querySelector('#kg-article').value") == ""
    assert thread_items(tab)[1][1] == "Brenn lowers its demand to a 15-year guarantee (this report)"
    tab.click("#kg-details .kg-thread button.kg-thread-label")
    assert tab.evaluate("kgNetwork.getSelectedNodes()") == [earlier]
    # a position in no thread has no thread panel
    tab.fill("#kg-search", "signed-border-accord")
    tab.press("#kg-search", "Enter")
    wait_ready(tab)
    assert tab.inner_text("#kg-details .kg-card h3") == "A signed border accord"
    assert tab.evaluate("document.querySelectorAll('#kg-details .kg-thread').length") == 0
    assert messages == []


def test_filters_recount_the_overview_and_its_drill_downs(browser, invented_net, tmp_path, monkeypatch):
    monkeypatch.setattr(kg.viz, "OVERVIEW_ABOVE", 5)  # open the small invented corpus as a large one would open
    path = write_page(invented_net, tmp_path / "overview.html")
    tab, messages, _ = open_page(browser, path, 1366, 768)

    def labels() -> list[str]:
        return sorted(tab.evaluate("kgNetwork.body.data.nodes.get().filter(n => !n.hidden).map(n => n.label)"))

    assert labels() == ["Aldoria (4)", "Brenn (2)", "border accord (2)", "water guarantee (4)"]
    tab.select_option("#kg-article", label=SECOND)
    wait_ready(tab)
    assert labels() == ["Aldoria (2)", "Brenn (1)", "border accord (1)", "water guarantee (2)"]
    assert tab.inner_text("#kg-status").startswith("Overview: ") and tab.inner_text("#kg-status").endswith(BRENN)
    shared = tab.evaluate("kgNetwork.body.data.edges.get().filter(e => !e.hidden)"
                          ".map(e => [e.from.split('/').pop(), e.to.split('/').pop(), e.kg.rows[0][1]])")
    assert sorted(shared) == [["aldoria", "border", "1"], ["aldoria", "water-guarantee", "1"], ["brenn", "water-guarantee", "1"]]
    tab.fill("#kg-to", "2026-03-10")  # and before its date: nothing left
    wait_ready(tab)
    assert labels() == [] and tab.inner_text("#kg-status").startswith("Overview: 0 actors, issues and articles")
    tab.fill("#kg-to", "")
    wait_ready(tab)
    click_node(tab, "https://w3id.org/kg/id/actor/brenn")  # drill down: the filter still applies
    wait_ready(tab)
    assert f"{BRENN}/brenn-demands-15-years" in statements_shown(tab)
    assert [s for s in statements_shown(tab) if not s.startswith(BRENN)] == []
    assert messages == []
