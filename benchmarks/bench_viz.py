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
  end to end as a user meets it: load (Oxigraph), the network (``kg.network.network`` in its two
  steps: each of ``NETWORK_QUERIES`` through ``plain_rows``, then ``assemble``), page, write, draw;
  "usable" is the sum. A drill-down (click on the actor holding most positions) is timed too. The
  ``kg viz`` command is also run on the corpus file as a user runs it (a subprocess: Python start,
  imports, load, network, page, write), beside the start and ``import kg.cli`` alone.

The page's build time is broken down by timing ``kg.viz.overview`` (grouping the positions) and
``kg.viz.layout`` (the overview's, or every node's below the overview threshold) inside the real
``kg.viz.page`` call (the module functions wrapped with a timer for that call); "data + HTML" is
the rest (cards of every node and edge, JSON, template). The 2,000-node and corpus measurements are
repeated ``--runs`` times (default 3), alternating, in one browser; each line is one run, then the
min / median / max. The machine is shared: compare runs of one invocation, not across invocations.

Targets (issue 12): 2,000 nodes built in <= 3 s and drawn in <= 3 s; the 100k-quad corpus usable
in <= 10 s. ``--layouts`` also times networkx's layouts against ``kg.viz.layout`` on the 2,000-node
graph (minutes). Run:

    .venv/bin/python -m benchmarks.bench_viz [--runs N] [--layouts]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx
from playwright.sync_api import sync_playwright

import kg.viz
from benchmarks.synthetic import generate
from kg.graph import KnowledgeGraph, load
from kg.network import NETWORK_QUERIES, assemble, network, plain_rows
from kg.progress import collector_paused

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


@contextmanager
def timing(module: Any, *names: str) -> Iterator[dict[str, float]]:
    """Seconds spent in each named function of ``module`` while the block runs (summed over calls)."""
    spent = dict.fromkeys(names, 0.0)
    originals = {name: getattr(module, name) for name in names}

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started
        return run

    for name, function in originals.items():
        setattr(module, name, timed(name, function))
    try:
        yield spent
    finally:
        for name, function in originals.items():
            setattr(module, name, function)


def measure(browser, g: nx.MultiDiGraph, name: str, drill: bool = False) -> dict:
    """Build the page of ``g`` (with its steps), write it, draw it in a new tab; optionally drill down."""
    with timing(kg.viz, "overview", "layout") as spent:
        started = time.perf_counter()
        html = kg.viz.page(g, title=name)
        build = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.html"
        started = time.perf_counter()
        path.write_text(html, encoding="utf-8")
        write = time.perf_counter() - started
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
            "build_s": build, "overview_s": spent["overview"], "layout_s": spent["layout"],
            "html_s": build - spent["overview"] - spent["layout"], "write_s": write, "wall_s": wall,
            "stabilised_ms": timings.get("stabilised"), "ready_ms": timings["ready"], "drawn": drawn, "overview": overview,
            "drill_s": drill_s, "errors": errors}


def corpus_file(folder: Path, quads: int = 100_000) -> tuple[Path, int]:
    """The synthetic corpus of about ``quads`` quads, written to ``folder``: its path and the quads written."""
    path = folder / "synthetic.nq"
    return path, generate(path, statements=max(30, (quads - 3_000) // 27))


def corpus_network(path: Path) -> tuple[nx.MultiDiGraph, dict[str, float]]:
    """The corpus loaded (Oxigraph) and projected as ``kg.network.network`` does it, with the seconds of each step."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    graph: KnowledgeGraph = load(path, engine="oxigraph")
    seconds["load"] = time.perf_counter() - started
    with collector_paused():  # as network() runs them
        answers = {}
        for name in NETWORK_QUERIES:
            started = time.perf_counter()
            answers[name] = plain_rows(graph, name)
            seconds[name] = time.perf_counter() - started
        started = time.perf_counter()
        g = assemble(answers)
        seconds["assemble"] = time.perf_counter() - started
    return g, seconds


def command(path: Path, folder: Path) -> dict[str, float]:
    """Wall seconds of ``kg viz`` on the corpus file and of Python's start with ``import kg.cli`` alone (subprocesses)."""
    seconds = {}
    for name, args in (("imports", ["-c", "import kg.cli"]),
                       ("kg viz", ["-m", "kg.cli", "viz", "--dataset", str(path), "--out", str(folder / "kg-viz.html")])):
        started = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, capture_output=True)
        seconds[name] = time.perf_counter() - started
    return seconds


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


def spread(values: list[float]) -> str:
    """min / median / max of some seconds."""
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions of the 2,000-node and corpus measurements")
    parser.add_argument("--layouts", action="store_true", help="also time networkx's layouts (minutes)")
    args = parser.parse_args()
    seed_graph, big = network(load()), synthetic()
    if args.layouts:
        layouts(big)
    rows, corpus_runs = [], []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as p:
        path, quads = corpus_file(Path(folder))
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        try:
            rows.append(measure(browser, seed_graph, "seed graph"))
            threshold = kg.viz.OVERVIEW_ABOVE
            kg.viz.OVERVIEW_ABOVE = 10**9
            try:
                rows.append(measure(browser, big, "synthetic ~2000 nodes (every node at once)"))
            finally:
                kg.viz.OVERVIEW_ABOVE = threshold
            for run in range(1, args.runs + 1):
                rows.append(measure(browser, big, f"run {run}: synthetic ~2000 nodes (overview)", drill=True))
                large, seconds = corpus_network(path)
                row = measure(browser, large, f"run {run}: corpus {quads:,} quads (overview)", drill=True)
                rows.append(row)
                seconds.update(command(path, Path(folder)))
                corpus_runs.append((seconds, row))
        finally:
            browser.close()
    print(f"{'page':48} {'nodes':>6} {'edges':>6} {'page bytes':>11} {'build s':>8} {'overview':>9} {'layout':>7} "
          f"{'data+HTML':>10} {'write':>6} {'stabilised ms':>14} {'ready ms':>9} {'draw s':>7} {'drill s':>8}")
    for r in rows:
        stabilised = f"{r['stabilised_ms']:.0f}" if r["stabilised_ms"] is not None else "no physics"
        drill = f"{r['drill_s']:.2f}" if r["drill_s"] is not None else "-"
        print(f"{r['name']:48} {r['nodes']:6d} {r['edges']:6d} {r['bytes']:11,d} {r['build_s']:8.2f} {r['overview_s']:9.2f} "
              f"{r['layout_s']:7.2f} {r['html_s']:10.2f} {r['write_s']:6.2f} {stabilised:>14} {r['ready_ms']:9.0f} "
              f"{r['wall_s']:7.2f} {drill:>8}")
        assert not r["errors"], r
    overviews = [r for r in rows if "(overview)" in r["name"] and "corpus" not in r["name"]]
    everything = rows[1]
    print(f"\n2,000 nodes, min / median / max of {len(overviews)} runs: build {spread([r['build_s'] for r in overviews])} s "
          f"(target 3), draw {spread([r['wall_s'] for r in overviews])} s (target 3); every node at once (one run): "
          f"build {everything['build_s']:.2f} s, draw {everything['wall_s']:.2f} s")
    print(f"\n{quads:,}-quad corpus, seconds per step (one column per run):")
    steps = {"load (Oxigraph)": [s["load"] for s, _ in corpus_runs]}
    steps.update({f"  query {name}": [s[name] for s, _ in corpus_runs] for name in NETWORK_QUERIES})
    steps["network queries (sum)"] = [sum(s[name] for name in NETWORK_QUERIES) for s, _ in corpus_runs]
    steps["rows -> networkx (assemble)"] = [s["assemble"] for s, _ in corpus_runs]
    steps["  page: overview aggregation"] = [r["overview_s"] for _, r in corpus_runs]
    steps["  page: overview layout"] = [r["layout_s"] for _, r in corpus_runs]
    steps["  page: node and edge data, JSON, HTML"] = [r["html_s"] for _, r in corpus_runs]
    steps["page build (sum)"] = [r["build_s"] for _, r in corpus_runs]
    steps["write the file"] = [r["write_s"] for _, r in corpus_runs]
    steps["draw (Chromium, to ready)"] = [r["wall_s"] for _, r in corpus_runs]
    steps["usable (load + network + page + write + draw)"] = [
        s["load"] + sum(s[name] for name in NETWORK_QUERIES) + s["assemble"] + r["build_s"] + r["write_s"] + r["wall_s"]
        for s, r in corpus_runs]
    steps["drill-down (click the busiest actor)"] = [r["drill_s"] or 0.0 for _, r in corpus_runs]
    steps["kg viz command (Python start to file written)"] = [s["kg viz"] for s, _ in corpus_runs]
    steps["  of which Python start + import kg.cli"] = [s["imports"] for s, _ in corpus_runs]
    steps["kg viz command + draw"] = [s["kg viz"] + r["wall_s"] for s, r in corpus_runs]
    for label, values in steps.items():
        print(f"{label:48} " + " ".join(f"{v:6.2f}" for v in values) + f"    min / median / max {spread(values)}")
    print(f"usable page (target 10 s): {spread(steps['usable (load + network + page + write + draw)'])} s; "
          f"from the kg viz command: {spread(steps['kg viz command + draw'])} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
