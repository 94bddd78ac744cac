"""Benchmark of the graph page: its size and how long headless Chromium takes to draw it.

Method: build the page with ``kg.viz.page`` (Python time measured), write it to a temporary file,
open it from file:// in Debian's headless Chromium (playwright, /usr/bin/chromium, software
rendering), and read ``window.kgTimings`` set by the page itself: ``stabilised`` (physics settled,
ms after the page script started) and ``ready`` (first full drawing after that), plus the wall time
from navigation to ready. Graphs: the seed graph (``kg.load()``) and a SYNTHETIC graph of about
2,000 nodes (random, seeded, clearly not data: actors, positions, issues, events with holds,
addressed-to, depends-on, conflicts-with, topic, participates-in edges). Above
``kg.viz.PHYSICS_MAX_NODES`` nodes the page skips physics and draws the precomputed layout; the
synthetic graph is also measured with physics forced on, to show why. Run:

    .venv/bin/python benchmarks/bench_viz.py
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


def measure(browser, g: nx.MultiDiGraph, name: str) -> dict:
    started = time.perf_counter()
    html = kg.viz.page(g, title=name)
    build = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.html"
        path.write_text(html, encoding="utf-8")
        tab = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        started = time.perf_counter()
        tab.goto(path.as_uri())
        while not tab.evaluate("window.kgReady === true"):
            if time.perf_counter() - started > 300:
                raise SystemExit(f"{name}: not drawn within 300 s")
            time.sleep(0.02)
        wall = time.perf_counter() - started
        timings = tab.evaluate("window.kgTimings")
        drawn = tab.evaluate("[kgNetwork.body.data.nodes.length, kgNetwork.body.data.edges.length]")
        tab.close()
    return {"name": name, "nodes": g.number_of_nodes(), "edges": g.number_of_edges(), "bytes": len(html.encode("utf-8")),
            "build_s": build, "wall_s": wall, "stabilised_ms": timings.get("stabilised"), "ready_ms": timings["ready"],
            "drawn": drawn, "errors": errors}


def main() -> int:
    seed_graph, big = network(load()), synthetic()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        try:
            rows = [measure(browser, seed_graph, "seed graph"), measure(browser, big, "synthetic ~2000 nodes (precomputed layout)")]
            threshold = kg.viz.PHYSICS_MAX_NODES
            kg.viz.PHYSICS_MAX_NODES = 10**9
            try:
                rows.append(measure(browser, big, "synthetic ~2000 nodes (physics forced on)"))
            finally:
                kg.viz.PHYSICS_MAX_NODES = threshold
        finally:
            browser.close()
    print(f"{'graph':44} {'nodes':>6} {'edges':>6} {'page bytes':>11} {'build s':>8} {'stabilised ms':>14} {'ready ms':>9} {'wall s':>7}")
    for r in rows:
        stabilised = f"{r['stabilised_ms']:.0f}" if r["stabilised_ms"] is not None else "no physics"
        print(f"{r['name']:44} {r['nodes']:6d} {r['edges']:6d} {r['bytes']:11,d} {r['build_s']:8.2f} {stabilised:>14} "
              f"{r['ready_ms']:9.0f} {r['wall_s']:7.2f}")
        assert r["drawn"] == [r["nodes"], r["edges"]] and not r["errors"], r
    seed, big_fixed, big_physics = rows
    print(f"ratio page bytes synthetic/seed: {big_fixed['bytes'] / seed['bytes']:.1f}x; "
          f"ready time synthetic/seed: {big_fixed['ready_ms'] / seed['ready_ms']:.1f}x; "
          f"physics on/off at ~2000 nodes: {big_physics['ready_ms'] / big_fixed['ready_ms']:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
