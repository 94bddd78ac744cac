"""Benchmark of the graph page: build time, size, and how long headless Chromium takes to draw it.

Method: build the page with ``kg.viz.page`` (Python time measured), write it to a temporary file,
open it from file:// in Debian's headless Chromium (playwright, /usr/bin/chromium, software
rendering), and read ``window.kgTimings`` set by the page itself: ``stabilised`` (physics settled,
ms after the page script started) and ``ready`` (first full drawing after that), plus the wall time
from navigation to ready (``draw s``: includes parsing the page). Graphs:

* the seed graph (``kg.load()``): every node, physics settles the precomputed layout;
* a SYNTHETIC network of about 2,000 nodes (random, seeded, clearly not data: actors, positions,
  issues, events with holds, addressed-to, depends-on, conflicts-with, topic, participates-in
  edges): above ``kg.viz.OVERVIEW_ABOVE`` nodes the page opens on the overview; the same graph is
  also drawn with every node at once (overview threshold raised) to show why;
* the SYNTHETIC corpus of ``benchmarks/synthetic.py`` at about 100,000 quads (3,700 statements),
  end to end as a user meets it: load (Oxigraph), ``kg.network.network``, page, draw; "usable"
  is the sum. A drill-down (click on the actor holding most positions) is timed too.

Targets (issue 12): 2,000 nodes built in <= 3 s and drawn in <= 3 s; the 100k-quad corpus usable
in <= 10 s. ``--layouts`` also times networkx's layouts against ``kg.viz.layout`` on the 2,000-node
graph (minutes). Run:

    .venv/bin/python -m benchmarks.bench_viz [--layouts]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx
from playwright.sync_api import sync_playwright

import kg.viz
from benchmarks.synthetic import generate
from kg.graph import load
from kg.network import network

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic"]


def synthetic(nodes: int = 2000, seed: int = 1) -> nx.MultiDiGraph:
    """A SYNTHETIC network of the projection's shape (not data): ~7.5% actors, 75% positions, 10% issues, 7.5% events."""
    rnd = random.Random(seed)
    g = nx.MultiDiGraph()
    actors = [f"urn:synthetic:actor/{i}" for i in range(nodes * 3 // 40)]
    positions = [f"urn:synthetic:position/{i}" for i in range(nodes * 3 // 4)]
    issues = [f"urn:synthetic:issue/{i}" for i in range(nodes // 10)]
    events = [f"urn:synthetic:event/{i}" for i in range(nodes - len(actors) - len(positions) - len(issues))]
    types = ["Demand", "Offer", "Condition", "Proposal", "Claim", "Assessment", "Outcome", "Argument"]
    for a in actors:
        g.add_node(a, kind="actor", type="State", label=f"Synthetic actor {a.rsplit('/', 1)[1]}")
    for i in issues:
        g.add_node(i, kind="issue", type="Issue", label=f"issue {i.rsplit('/', 1)[1]}")
    for e in events:
        g.add_node(e, kind="event", type="NegotiationRound", label=f"talks {e.rsplit('/', 1)[1]}")
        for a in rnd.sample(actors, 3):
            g.add_edge(a, e, key="participates-in", relation="participates-in")
    for n, p in enumerate(positions):
        holder, addressee = rnd.sample(actors, 2)
        g.add_node(p, kind="position", type=rnd.choice(types), label=f"Synthetic position {n} on a made-up matter",
                   content="synthetic statement " * 3, holders=[holder], addressees=[addressee], firmness="stated",
                   status="reported", quotes=["a synthetic quote of some length " * 3], offsets=[[n, n + 90]],
                   source="urn:synthetic:article")
        g.add_edge(holder, p, key="holds", relation="holds")
        g.add_edge(p, addressee, key="addressed-to", relation="addressed-to")
        g.add_edge(p, rnd.choice(issues), key="topic", relation="topic")
        if n and rnd.random() < 0.4:
            g.add_edge(p, positions[rnd.randrange(n)], key="depends-on", relation="depends-on")
        if n and rnd.random() < 0.07:
            g.add_edge(positions[rnd.randrange(n)], p, key="conflicts-with", relation="conflicts-with", label="synthetic conflict")
    return g


def wait_ready(tab, name: str, started: float) -> float:
    while not tab.evaluate("window.kgReady === true"):
        if time.perf_counter() - started > 300:
            raise SystemExit(f"{name}: not drawn within 300 s")
        time.sleep(0.02)
    return time.perf_counter() - started


def measure(browser, g: nx.MultiDiGraph, name: str, drill: bool = False) -> dict:
    started = time.perf_counter()
    html = kg.viz.page(g, title=name)
    build = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.html"
        path.write_text(html, encoding="utf-8")
        tab = browser.new_page(viewport={"width": 1366, "height": 768})
        errors: list[str] = []
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        started = time.perf_counter()
        tab.goto(path.as_uri())
        wall = wait_ready(tab, name, started)
        timings = tab.evaluate("window.kgTimings")
        drawn = tab.evaluate("[kgNetwork.body.data.nodes.length, kgNetwork.body.data.edges.length]")
        overview = tab.evaluate("kgData.overview !== null")
        drill_s = None
        if drill and overview:
            busiest = max((n for n, k in g.nodes(data="kind") if k == "actor"), key=lambda n: g.out_degree(n))
            started = time.perf_counter()
            tab.evaluate(f"kgFocus({[busiest]!r})")
            drill_s = wait_ready(tab, name, started)
        tab.close()
    return {"name": name, "nodes": g.number_of_nodes(), "edges": g.number_of_edges(), "bytes": len(html.encode("utf-8")),
            "build_s": build, "wall_s": wall, "stabilised_ms": timings.get("stabilised"), "ready_ms": timings["ready"],
            "drawn": drawn, "overview": overview, "drill_s": drill_s, "errors": errors}


def corpus(quads: int = 100_000) -> tuple[nx.MultiDiGraph, float, float, int]:
    """The synthetic corpus of about ``quads`` quads: its network, load and network seconds, and the quads written."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synthetic.nq"
        written = generate(path, statements=max(30, (quads - 3_000) // 27))
        started = time.perf_counter()
        graph = load(path, engine="oxigraph")
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        g = network(graph)
        projected = time.perf_counter() - started
    return g, loaded, projected, written


def layouts(g: nx.MultiDiGraph) -> None:
    """Seconds for each layout of the 2,000-node graph (networkx's take minutes on 2 cores)."""
    simple = nx.Graph(g.to_undirected())
    candidates = {"kg.viz.layout (numpy, 80 iterations)": lambda: kg.viz.layout(simple),
                  "networkx spring_layout (50 iterations)": lambda: nx.spring_layout(simple, seed=1, iterations=50),
                  "networkx forceatlas2_layout (100 iterations)": lambda: nx.forceatlas2_layout(simple, seed=1, max_iter=100),
                  "networkx arf_layout (100 iterations)": lambda: nx.arf_layout(simple, seed=1, max_iter=100)}
    for name, run in candidates.items():
        started = time.perf_counter()
        run()
        print(f"layout of {len(simple)} nodes: {name:46} {time.perf_counter() - started:7.2f} s", flush=True)


def main() -> int:
    seed_graph, big = network(load()), synthetic()
    if "--layouts" in sys.argv:
        layouts(big)
    large, loaded, projected, quads = corpus()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        try:
            rows = [measure(browser, seed_graph, "seed graph"), measure(browser, big, "synthetic ~2000 nodes (overview)", drill=True)]
            threshold = kg.viz.OVERVIEW_ABOVE
            kg.viz.OVERVIEW_ABOVE = 10**9
            try:
                rows.append(measure(browser, big, "synthetic ~2000 nodes (every node at once)"))
            finally:
                kg.viz.OVERVIEW_ABOVE = threshold
            rows.append(measure(browser, large, f"synthetic corpus {quads:,} quads (overview)", drill=True))
        finally:
            browser.close()
    print(f"{'graph':46} {'nodes':>6} {'edges':>6} {'page bytes':>11} {'build s':>8} {'stabilised ms':>14} {'ready ms':>9} "
          f"{'draw s':>7} {'drill s':>8}")
    for r in rows:
        stabilised = f"{r['stabilised_ms']:.0f}" if r["stabilised_ms"] is not None else "no physics"
        drill = f"{r['drill_s']:.2f}" if r["drill_s"] is not None else "-"
        print(f"{r['name']:46} {r['nodes']:6d} {r['edges']:6d} {r['bytes']:11,d} {r['build_s']:8.2f} {stabilised:>14} "
              f"{r['ready_ms']:9.0f} {r['wall_s']:7.2f} {drill:>8}")
        assert not r["errors"], r
    seed, overview, everything, corpus_row = rows
    usable = loaded + projected + corpus_row["build_s"] + corpus_row["wall_s"]
    print(f"2,000 nodes: build {overview['build_s']:.2f} s (target 3), draw {overview['wall_s']:.2f} s (target 3); "
          f"every node at once: build {everything['build_s']:.2f} s, draw {everything['wall_s']:.2f} s "
          f"({everything['build_s'] / overview['build_s']:.1f}x, {everything['wall_s'] / overview['wall_s']:.1f}x the overview)")
    print(f"{quads:,}-quad corpus: load {loaded:.2f} s + network {projected:.2f} s + page {corpus_row['build_s']:.2f} s "
          f"+ draw {corpus_row['wall_s']:.2f} s = usable in {usable:.2f} s (target 10)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
