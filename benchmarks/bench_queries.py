"""Time loading and every named query: raw pyoxigraph vs kg on Oxigraph vs kg on rdflib, on the seed and a ~1M-quad SYNTHETIC graph.

Run from the repository root:  python -m benchmarks.bench_queries [--statements 37000] [--repeats 3] [--no-rdflib]

Method (each side reads every value it returns, each side in its own fresh process):

* Load: ``--load-repeats`` rounds; in each round one fresh Python process times raw
  ``pyoxigraph.Store().bulk_load(path=...)`` and another times ``kg.load(path)`` (imports not
  counted), the order of the two alternating between rounds. Median and min–max of each side.
* Queries: one fresh process per engine loads the file once, raw ``Store.bulk_load`` and
  ``kg.load(path)`` side by side. For each named query, ``--repeats`` rounds alternate the sides.
  A round of one side calls it until ROUND_SECONDS have passed (at least once; as ``timeit`` does,
  so that a query of a millisecond is timed over many calls and not at the mercy of one scheduler
  tick) and gives the seconds per call. Raw is ``store.query(text, use_default_graph_as_union=True)``
  on the text kg runs (predeclared prefixes added), iterating every solution and reading ``.value``
  of every bound term; kg is ``g.query(text)`` as a user calls it (the check, the default time
  limit, rdflib terms), iterating every row and reading ``row[v]`` for every variable. "kg, no
  limit" is ``g.query(text, timeout=None)`` (in-process). "kg .solutions()" is
  ``g.query(text).solutions()`` (default limit: pyoxigraph terms parsed by Oxigraph from what it
  wrote in the worker) and "kg .solutions(), no limit" ``g.query(text, timeout=None).solutions()``
  (Oxigraph's own solutions, in-process), each reading ``.value`` as raw does. Median of the rounds
  and min–max. kg on rdflib (``kg.load(path, engine="rdflib")``, default limit) runs each query once
  (``--no-rdflib`` skips it: it takes minutes at 1M quads).
* A query stopped by the time limit (rdflib: RDFLIB_LIMIT) is printed as "timeout".
* Ratios: kg/raw per query and the worst; the targets of issue 12 are every ratio <= 1.2, load <= 1.1.

The synthetic graph is written with a fixed seed into a temporary folder (benchmarks/synthetic.py),
never into the repository.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.synthetic import generate
from kg.library import named_queries
from kg.store import built_dataset

LOAD_RAW = """
import sys, time, pyoxigraph as ox
path = sys.argv[1]
started = time.perf_counter()
ox.Store().bulk_load(path=path, format=ox.RdfFormat.N_QUADS if path.endswith(".nq") else ox.RdfFormat.TRIG)
print(time.perf_counter() - started)
"""
LOAD_KG = """
import sys, time, kg
started = time.perf_counter()
g = kg.load(sys.argv[1])
print(time.perf_counter() - started)
"""


def _child(script: str, *args: str) -> str:
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True).stdout


def load_times(path: Path, repeats: int) -> dict[str, list[float]]:
    """Seconds to load ``path``, raw and kg, each in a fresh process, alternating which goes first."""
    times: dict[str, list[float]] = {"raw": [], "kg": []}
    for round_ in range(repeats):
        sides = [("raw", LOAD_RAW), ("kg", LOAD_KG)]
        for side, script in sides if round_ % 2 == 0 else sides[::-1]:
            times[side].append(float(_child(script, str(path)).split()[-1]))
    return times


def _read(solutions: Any) -> int:
    """Read ``.value`` of every bound term of pyoxigraph solutions; the number of solutions."""
    n = 0
    for solution in solutions:
        for term in solution:
            if term is not None:
                term.value  # noqa: B018 (reading every value is the point)
        n += 1
    return n


def _raw(store: Any, text: str) -> int:
    return _read(store.query(text, use_default_graph_as_union=True))


def _kg(g: Any, text: str, **options: Any) -> int:
    result = g.query(text, **options)
    names = result.vars
    n = 0
    for row in result:
        for name in names:
            row.get(name)
        n += 1
    return n


def _kg_solutions(g: Any, text: str, **options: Any) -> int:
    return _read(g.query(text, **options).solutions())


ROUND_SECONDS = 0.2
"""The least time a round of one side runs (calls repeated until then; a slower query is called once)."""


def _timed(run: Any, least: float = ROUND_SECONDS) -> tuple[int, float]:
    """Rows of ``run()`` and its seconds per call, calling it until ``least`` seconds have passed (0: once)."""
    calls, started = 0, time.perf_counter()
    while True:
        rows = run()
        calls += 1
        elapsed = time.perf_counter() - started
        if elapsed >= least:
            return rows, elapsed / calls


SIDES = {"raw": "raw pyoxigraph", "kg": "kg rows (default limit)", "inproc": "kg rows, no limit",
         "solutions": "kg .solutions() (default limit)", "solutions_inproc": "kg .solutions(), no limit"}
"""What :func:`query_times` times per query, and the column each gets."""


def query_times(path: str, engine: str, repeats: int, limit: float | None = None) -> dict[str, Any]:
    """In a fresh process: per named query, rows and the seconds per call of each round and side (:data:`SIDES`).

    ``limit``: the graph's time limit (None: kg's default); a query stopped by it is left out (None)."""
    import pyoxigraph as ox

    import kg
    from kg.querycheck import QueryTimeout, prepare_query

    g = kg.load(path, engine=engine) if limit is None else kg.load(path, engine=engine, timeout=limit)
    raw_store = None
    if engine == "oxigraph":
        raw_store = ox.Store()
        raw_store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS if path.endswith(".nq") else ox.RdfFormat.TRIG)
    found: dict[str, Any] = {}
    for name, query in named_queries().items():
        text = prepare_query(query.sparql).text
        runs = {"kg": partial(_kg, g, query.sparql)}
        if raw_store is not None:
            runs = {"raw": partial(_raw, raw_store, text), **runs, "inproc": partial(_kg, g, query.sparql, timeout=None),
                    "solutions": partial(_kg_solutions, g, query.sparql),
                    "solutions_inproc": partial(_kg_solutions, g, query.sparql, timeout=None)}
        times: dict[str, list[float]] = {side: [] for side in runs}
        rows = 0
        for _ in range(repeats):
            try:
                for side, run in runs.items():
                    rows, seconds = _timed(run, ROUND_SECONDS if raw_store is not None else 0)
                    times[side].append(seconds)
            except QueryTimeout:
                found[name] = None
                break
        else:
            found[name] = {"rows": rows, **times}
    g.close()
    return found


def _stats(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values) * 1000:.1f} ({min(values) * 1000:.0f}–{max(values) * 1000:.0f})"


def report(title: str, path: Path, repeats: int, load_repeats: int, rdflib: bool) -> None:
    print(f"\n## {title}\n", flush=True)
    load = load_times(path, load_repeats)
    raw_load, kg_load = statistics.median(load["raw"]), statistics.median(load["kg"])
    print(f"load (s, median of {load_repeats} fresh processes each, min–max): raw pyoxigraph {raw_load:.2f} "
          f"({min(load['raw']):.2f}–{max(load['raw']):.2f}), kg.load {kg_load:.2f} "
          f"({min(load['kg']):.2f}–{max(load['kg']):.2f}): kg/raw {kg_load / raw_load:.2f}\n", flush=True)
    oxi = json.loads(_child(CHILD, str(path), "oxigraph", str(repeats)))
    rdf = json.loads(_child(CHILD, str(path), "rdflib", "1", str(RDFLIB_LIMIT))) if rdflib else {}
    kg_sides = list(SIDES)[1:]
    print(f"ms per call, median of {repeats} alternating rounds (min–max); every value read\n")
    print(f"| query | rows | {SIDES['raw']} | " + " | ".join(f"{SIDES[side]} | /raw" for side in kg_sides)
          + " | kg rdflib | rdflib/raw |")
    print("| --- | ---: | ---: |" + " ---: | ---: |" * len(kg_sides) + " ---: | ---: |")
    worst = dict.fromkeys(kg_sides, 0.0)
    totals = dict.fromkeys(SIDES, 0.0)
    for name, o in oxi.items():
        if o is None:
            print(f"| {name} | | | timeout (> 30 s, the default limit) |" + " |" * (2 * len(kg_sides) + 1))
            continue
        median = {side: statistics.median(o[side]) for side in SIDES}
        cells = []
        for side in kg_sides:
            worst[side] = max(worst[side], median[side] / median["raw"])
            cells.append(f"{_stats(o[side])} | {median[side] / median['raw']:.2f}")
        for side in SIDES:
            totals[side] += median[side]
        r = rdf.get(name)
        rdf_cells = (f"{r['kg'][0] * 1000:.1f} | {r['kg'][0] / median['raw']:.1f}x" if r else
                     f"timeout (> {RDFLIB_LIMIT:g} s) | -" if name in rdf else "- | -")
        print(f"| {name} | {o['rows']} | {_stats(o['raw'])} | " + " | ".join(cells) + f" | {rdf_cells} |")
    print(f"| **all** | | {totals['raw'] * 1000:.0f} | "
          + " | ".join(f"{totals[side] * 1000:.0f} | {totals[side] / totals['raw']:.2f}" for side in kg_sides) + " | | |")
    print("\nworst kg/raw (target <= 1.2): " + ", ".join(f"{SIDES[side]} {worst[side]:.2f}" for side in kg_sides)
          + f"; load kg/raw: {kg_load / raw_load:.2f} (target <= 1.1)", flush=True)


CHILD = """
import json, sys
from benchmarks.bench_queries import query_times
print(json.dumps(query_times(sys.argv[1], sys.argv[2], int(sys.argv[3]), *map(float, sys.argv[4:]))))
"""
RDFLIB_LIMIT = 300.0
"""Seconds a query may take on rdflib here (kg's own default, 30 s, is too short for rdflib at 1M quads)."""


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cli.add_argument("--statements", type=int, default=37_000, help="synthetic statements (37000: about 1M quads)")
    cli.add_argument("--repeats", type=int, default=3, help="alternating raw/kg rounds per query")
    cli.add_argument("--load-repeats", type=int, default=3, help="fresh-process loads per side")
    cli.add_argument("--no-rdflib", action="store_true", help="skip kg on rdflib (minutes at 1M quads)")
    cli.add_argument("--no-seed", action="store_true", help="only the synthetic graph")
    cli.add_argument("--synthetic", type=Path, help="an already generated synthetic N-Quads file to use")
    args = cli.parse_args()
    if not args.no_seed:
        report(f"Seed graph ({built_dataset().name})", built_dataset(), 7, 5, True)
    with tempfile.TemporaryDirectory() as folder:
        path = args.synthetic or Path(folder) / "synthetic.nq"
        quads = sum(1 for _ in path.open(encoding="utf-8")) - 1 if args.synthetic else generate(path, statements=args.statements)
        report(f"SYNTHETIC graph: {quads:,} quads", path, args.repeats, args.load_repeats, not args.no_rdflib)


if __name__ == "__main__":
    main()
