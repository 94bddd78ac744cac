"""Benchmark of the graph page's article and date filters and threads on the SYNTHETIC 100k-quad corpus.

Method: generate the SYNTHETIC corpus of ``benchmarks/synthetic.py`` (about 100,000 quads, fixed
seed), load it into Oxigraph and project it (:func:`kg.network.network`), then

* time :func:`kg.articles.annotate` (the article metadata and thread queries) and the page built
  from the plain and from the annotated network (``kg.viz.page``; bytes and seconds), alternating
  the two, ``--repeat`` times each;
* open the annotated page in Debian's headless Chromium (playwright, /usr/bin/chromium, 1366x768,
  from file://; it opens on the overview) and time, from the control's change to the page's
  ``kgReady``: choosing the article with the most positions, a date range (the first half of
  the dates), clearing both, and a drill-down to the busiest actor under the article filter.

Each timing is printed as min / median / max over the repeats: the machine is shared, so read
the spread, not one number. Run:

    .venv/bin/python -m benchmarks.bench_page_filters [--repeat 3] [--quads 100000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from playwright.sync_api import sync_playwright

import kg.viz
from benchmarks.bench_viz import ARGS, wait_ready
from benchmarks.synthetic import generate
from kg.articles import annotate
from kg.graph import load
from kg.network import network


def spread(values: list[float]) -> str:
    return f"{min(values):6.2f} / {statistics.median(values):6.2f} / {max(values):6.2f}"


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quads", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synthetic.nq"
        quads = generate(path, statements=max(30, (args.quads - 3_000) // 27))
        graph = load(path, engine="oxigraph")
        plain = network(graph)
        annotated = annotate(network(graph), graph)
        copies = [plain.copy() for _ in range(args.repeat)]
        annotate_s = [timed(lambda g=g: annotate(g, graph)) for g in copies]
        sizes, builds = {}, {"plain": [], "annotated": []}
        for _ in range(args.repeat):
            for name, g in (("plain", plain), ("annotated", annotated)):
                started = time.perf_counter()
                html = kg.viz.page(g)
                builds[name].append(time.perf_counter() - started)
                sizes[name] = len(html.encode("utf-8"))
        page = Path(folder) / "page.html"
        page.write_text(kg.viz.page(annotated), encoding="utf-8")
        articles = list(annotated.graph["articles"])
        busiest = Counter(a.get("source") for _, a in annotated.nodes(data=True) if a["kind"] == "position").most_common(1)[0][0]
        dates = sorted({a.date for a in annotated.graph["articles"].values()})
        index = str(articles.index(busiest))
        actor = max((n for n, k in annotated.nodes(data="kind") if k == "actor"), key=annotated.out_degree)
        steps: dict[str, list[float]] = {"one article": [], "date range": [], "clear both": [], "drill-down, one article": []}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            try:
                for _ in range(args.repeat):
                    tab = browser.new_page(viewport={"width": 1366, "height": 768})
                    errors: list[str] = []
                    tab.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                    tab.goto(page.as_uri())
                    wait_ready(tab, "page", time.perf_counter())

                    def change(action, tab=tab) -> float:
                        started = time.perf_counter()
                        action()
                        return wait_ready(tab, "filter", started)

                    steps["one article"].append(change(lambda tab=tab: tab.select_option("#kg-article", index)))
                    tab.select_option("#kg-article", "")
                    wait_ready(tab, "filter", time.perf_counter())
                    steps["date range"].append(change(lambda tab=tab: tab.fill("#kg-to", dates[len(dates) // 2])))
                    steps["clear both"].append(change(lambda tab=tab: tab.fill("#kg-to", "")))
                    tab.select_option("#kg-article", index)
                    wait_ready(tab, "filter", time.perf_counter())
                    steps["drill-down, one article"].append(change(lambda tab=tab: tab.evaluate(f"kgFocus({[actor]!r})")))
                    assert not errors, errors
                    tab.close()
            finally:
                browser.close()
    print(f"SYNTHETIC corpus: {quads:,} quads, {plain.number_of_nodes():,} nodes, {len(articles):,} articles, "
          f"{len(annotated.graph['threads']):,} threads; {args.repeat} repeats, min / median / max")
    print(f"kg.articles.annotate (articles and threads queries) s: {spread(annotate_s)}")
    for name in ("plain", "annotated"):
        print(f"page from the {name:9} network: {sizes[name]:>10,} bytes, build s: {spread(builds[name])}")
    print(f"page bytes annotated / plain: {sizes['annotated'] / sizes['plain']:.3f}")
    for name, values in steps.items():
        print(f"in the browser, {name:24} s: {spread(values)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
