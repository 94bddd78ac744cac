"""Time every named query on rdflib and oxigraph, on the seed graph and on a ~1M-triple SYNTHETIC graph.

Run from the repository root:  python -m benchmarks.bench_queries [--statements 37000] [--timeout 120]

Method: for each engine a worker process (kg.workers.QueryWorker, 'spawn') loads the dataset once;
its load time is reported. Each named query of the library then runs without parameters inside
the worker, timed there with time.perf_counter around ``store.select`` (so moving rows between
processes is not counted); the seed graph takes the median of 5 runs, the synthetic graph one run.
A query that passes --timeout is killed with its worker (reported as "timeout"; the worker is
restarted and reloads). The ratio is rdflib time / oxigraph time. The synthetic graph is written
with a fixed seed into a temporary folder (benchmarks/synthetic.py), never into the repository.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Mapping
from functools import partial
from pathlib import Path

from rdflib import Literal
from rdflib.term import Identifier

from benchmarks.synthetic import generate
from kg.library import named_queries
from kg.querycheck import QueryTimeout
from kg.results import QueryResult
from kg.store import ENGINES, built_dataset, open_store
from kg.workers import QueryWorker


class TimedStore:
    """A store whose select answers with (rows, seconds) only, timed inside the worker."""

    def __init__(self, store: object) -> None:
        self.store = store

    def select(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        started = time.perf_counter()
        rows = len(self.store.select(sparql, bindings).rows)  # type: ignore[attr-defined]
        return QueryResult(["rows", "seconds"], [{"rows": Literal(rows), "seconds": Literal(time.perf_counter() - started)}])


def timed_store(path: Path, engine: str) -> TimedStore:
    return TimedStore(open_store(path, engine))


def measure(path: Path, engine: str, repeats: int, timeout: float) -> tuple[float, dict[str, tuple[int, float | None]]]:
    """Load time and, per named query, (rows, median seconds or None on timeout)."""
    worker = QueryWorker(partial(timed_store, path, engine))
    load = worker.start()
    times: dict[str, tuple[int, float | None]] = {}
    try:
        for name, query in named_queries().items():
            try:
                runs = [worker.select(query.sparql, None, timeout).rows[0] for _ in range(repeats)]
                times[name] = (int(runs[0]["rows"]), statistics.median(float(r["seconds"]) for r in runs))
            except QueryTimeout:
                times[name] = (-1, None)
    finally:
        worker.close()
    return load, times


def report(title: str, path: Path, repeats: int, timeout: float) -> None:
    results = {engine: measure(path, engine, repeats, timeout) for engine in ENGINES}
    print(f"\n## {title}\n")
    print("load (s): " + ", ".join(f"{e} {results[e][0]:.2f}" for e in ENGINES)
          + f"  (worker start-up incl. spawn; ratio {results['rdflib'][0] / results['oxigraph'][0]:.1f}x)\n")
    print("| query | rows | rdflib (ms) | oxigraph (ms) | rdflib/oxigraph |")
    print("| --- | ---: | ---: | ---: | ---: |")
    totals = {e: 0.0 for e in ENGINES}
    for name in named_queries():
        (rows, r), (_, o) = results["rdflib"][1][name], results["oxigraph"][1][name]
        cells = [f"timeout (>{timeout:g} s)" if t is None else f"{t * 1000:.1f}" for t in (r, o)]
        ratio = f"{r / o:.1f}x" if r is not None and o else "n/a"
        for e, t in (("rdflib", r), ("oxigraph", o)):
            totals[e] += timeout if t is None else t
        print(f"| {name} | {rows if rows >= 0 else results['oxigraph'][1][name][0]} | {cells[0]} | {cells[1]} | {ratio} |")
    print(f"| **all** (timeouts counted at the limit) | | {totals['rdflib'] * 1000:.0f} | {totals['oxigraph'] * 1000:.0f} "
          f"| {totals['rdflib'] / totals['oxigraph']:.1f}x |")


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cli.add_argument("--statements", type=int, default=37_000, help="synthetic statements (37000: about 1M triples)")
    cli.add_argument("--timeout", type=float, default=120.0, help="per-query limit in seconds on the synthetic graph")
    args = cli.parse_args()
    report(f"Seed graph ({built_dataset().name}), median of 5", built_dataset(), 5, 60)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synthetic.nq"
        quads = generate(path, statements=args.statements)
        report(f"SYNTHETIC graph: {quads:,} quads, {args.statements:,} generated statements, one run", path, 1, args.timeout)


if __name__ == "__main__":
    main()
